"""The indexed `Inhibitor` answers exactly as a brute-force scan of every source alert does,
and the tick gauges that use it agree with the full status of each alert."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from prometheus_client import CollectorRegistry

from alerts.config import load_config
from alerts.inhibit import Inhibitor, InhibitRule
from alerts.matchers import Matcher, MatchType, matches_all, parse_matchers
from alerts.model import Alert, fingerprint
from alerts.notify import RecordingSink
from alerts.service import AlertingService
from alerts.silence import Silence
from store.client import Store
from store.clock import FakeClock

NOW = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)
# A small vocabulary, so that random alerts often share (or both lack) the `equal` labels.
NAMES = ("alertname", "samu", "slo", "severity")
VALUES = ("", "075", "971", "page", "ticket", "A", "B")
# Instants around the ends drawn below: before, at and after an alert's end.
INSTANTS = tuple(NOW + timedelta(minutes=m) for m in (-1, 0, 1, 5))


def reference_inhibited_by(
    rules: Sequence[InhibitRule], alerts: Sequence[Alert], labels: Mapping[str, str], now: datetime
) -> list[int]:
    """Alertmanager's inhibition as a plain scan: every rule, every source alert."""
    found: list[int] = []
    for rule in rules:
        if not matches_all(rule.target_matchers, labels):
            continue
        two_sided = matches_all(rule.source_matchers, labels)
        for source in alerts:
            if not matches_all(rule.source_matchers, source.labels) or source.resolved_at(now):
                continue
            if any(source.labels.get(n, "") != labels.get(n, "") for n in rule.equal):
                continue
            if two_sided and matches_all(rule.target_matchers, source.labels):
                continue
            found.append(fingerprint(source.labels))
    return found


matchers = st.lists(
    st.builds(
        Matcher,
        st.sampled_from(list(MatchType)),
        st.sampled_from(NAMES),
        st.sampled_from(("", "075", "page", "ticket|page", "A|B", ".*", ".+", "9.*")),
    ),
    max_size=2,
).map(tuple)
rules = st.lists(
    st.builds(
        InhibitRule,
        matchers,
        matchers,
        st.frozensets(st.sampled_from(NAMES), max_size=3),
    ),
    max_size=3,
)
label_sets = st.dictionaries(st.sampled_from(NAMES), st.sampled_from(VALUES), max_size=4)
alerts = st.lists(
    st.builds(
        Alert,
        label_sets,
        st.just(NOW - timedelta(hours=1)),
        st.sampled_from((None, NOW - timedelta(minutes=1), NOW, NOW + timedelta(minutes=1))),
    ),
    max_size=12,
    # One alert per label set, as the alert store holds them.
    unique_by=lambda a: tuple(sorted(a.labels.items())),
)


@settings(max_examples=400, derandomize=True, database=None, deadline=None)
@given(rules, alerts, st.lists(label_sets, max_size=6))
def test_indexed_inhibition_equals_the_brute_force_scan(
    rules: list[InhibitRule], alerts: list[Alert], others: list[dict[str, str]]
) -> None:
    inhibitor = Inhibitor(rules, alerts)
    # The held alerts themselves (each may match both sides) and label sets not held; instants
    # asked in an order that revisits one, so the per-instant index is rebuilt and reused.
    targets = [dict(a.labels) for a in alerts] + others
    for now in (*INSTANTS, INSTANTS[0]):
        for labels in targets:
            expected = reference_inhibited_by(rules, alerts, labels, now)
            assert inhibitor.inhibited_by(labels, now) == expected
            assert inhibitor.mutes(labels, now) is bool(expected)


def alert(labels: str, ends_at: datetime | None = None) -> Alert:
    return Alert({m.name: m.value for m in parse_matchers(labels)}, NOW, ends_at)


def rule(source: str, target: str, *equal: str) -> InhibitRule:
    return InhibitRule(parse_matchers(source), parse_matchers(target), frozenset(equal))


PAGE_TICKET = rule("severity=page", "severity=~ticket|info", "samu", "slo")
BOTH = rule('severity=~"page|ticket"', 'severity=~"page|ticket"', "samu")
EDGE_CASES = [
    # name, rules, held alerts, target, expected inhibiting alerts (indices into held)
    (
        "a page inhibits the ticket of its SAMU and SLO",
        [PAGE_TICKET],
        [alert("severity=page,samu=075,slo=s1")],
        "severity=ticket,samu=075,slo=s1",
        [0],
    ),
    (
        "an equal label missing on both sides counts as equal",
        [PAGE_TICKET],
        [alert("severity=page,samu=075")],
        "severity=ticket,samu=075",
        [0],
    ),
    (
        "missing equals the empty string",
        [PAGE_TICKET],
        [alert('severity=page,samu=075,slo=""')],
        "severity=ticket,samu=075",
        [0],
    ),
    (
        "a different value does not inhibit",
        [PAGE_TICKET],
        [alert("severity=page,samu=075,slo=s1")],
        "severity=ticket,samu=075,slo=s2",
        [],
    ),
    (
        "a source ending at the instant is resolved",
        [PAGE_TICKET],
        [alert("severity=page,samu=075", NOW)],
        "severity=ticket,samu=075",
        [],
    ),
    (
        "a source ending after the instant still fires",
        [PAGE_TICKET],
        [alert("severity=page,samu=075", NOW + timedelta(seconds=1))],
        "severity=ticket,samu=075",
        [0],
    ),
    (
        "an alert matching both sides never inhibits itself",
        [BOTH],
        [alert("severity=page,samu=075")],
        "severity=page,samu=075",
        [],
    ),
    (
        "nor another alert matching both sides",
        [BOTH],
        [alert("severity=page,samu=075"), alert("severity=ticket,samu=075")],
        "severity=ticket,samu=075",
        [],
    ),
    (
        "a source inhibiting under two rules is reported twice, in rule order",
        [PAGE_TICKET, rule("severity=page", "severity=ticket")],
        [alert("severity=page,samu=075,slo=s1"), alert("severity=page,samu=971")],
        "severity=ticket,samu=075,slo=s1",
        [0, 0, 1],
    ),
    (
        "no equal labels: every firing source inhibits, in held order",
        [rule("alertname=Down", "alertname=Slow")],
        [alert("alertname=Down,samu=1"), alert("alertname=Down,samu=2", NOW)],
        "alertname=Slow,samu=3",
        [0],
    ),
]


@pytest.mark.parametrize(
    ("name", "rules", "held", "target", "expected"), EDGE_CASES, ids=[c[0] for c in EDGE_CASES]
)
def test_inhibition_edge_cases(
    name: str, rules: list[InhibitRule], held: list[Alert], target: str, expected: list[int]
) -> None:
    labels = dict(alert(target).labels)
    fps = [fingerprint(held[i].labels) for i in expected]
    inhibitor = Inhibitor(rules, held)
    assert inhibitor.inhibited_by(labels, NOW) == fps
    assert reference_inhibited_by(rules, held, labels, NOW) == fps


def test_among_thousands_each_ticket_is_inhibited_by_its_own_page_only() -> None:
    # 2,000 × 2,000 pairs: a scan per check would take seconds here, the index milliseconds.
    pages = [alert(f"severity=page,samu={i},slo=s") for i in range(2000)]
    tickets = [alert(f"severity=ticket,samu={i},slo=s") for i in range(2000)]
    inhibitor = Inhibitor([PAGE_TICKET], pages + tickets)
    assert [inhibitor.inhibited_by(t.labels, NOW) for t in tickets] == [
        [fingerprint(p.labels)] for p in pages
    ]


def test_the_tick_gauges_count_what_each_alert_status_says(store: Store) -> None:
    # Inhibited, silenced, active and resolved alerts at once: the gauges (which
    # ask only whether an alert is muted) agree with the full status of every alert.
    clock = FakeClock(NOW)
    registry = CollectorRegistry()
    config = load_config(Path(__file__).parent / "data" / "alerting" / "pipeline.yml")
    svc = AlertingService(
        store, config, RecordingSink(), clock, registry=registry, watchdog_interval=None
    )
    held = [
        Alert({"alertname": "SamuUnreachable", "samu": "fr.health.samu075"}, NOW),
        Alert({"alertname": "CallSetupFailing", "samu": "fr.health.samu075"}, NOW),
        Alert({"alertname": "CallSetupFailing", "samu": "fr.health.samu013"}, NOW),
        Alert({"alertname": "CallSetupSlow", "samu": "fr.health.samu013"}, NOW),
        Alert({"alertname": "CallSetupSlow", "samu": "fr.health.samu069"}, NOW, NOW),
    ]
    svc.put(held)
    matchers = parse_matchers('alertname="CallSetupSlow"')
    svc.silences.upsert(
        Silence("", matchers, NOW, NOW + timedelta(hours=1), "noc", "travaux"), actor="noc"
    )
    asyncio.run(svc.tick())
    mute = svc.mute()
    states = [mute.status(a, NOW).state for a in held if not a.resolved_at(NOW)]
    assert states == ["active", "suppressed", "active", "suppressed"]
    for state in ("active", "suppressed"):
        gauge = registry.get_sample_value("vigie_alerts_active", {"state": state})
        assert gauge == states.count(state)
