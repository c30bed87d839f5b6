"""Inhibition and silences behind one `Muter` interface, pure on given alert and silence sets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from alerts.config import parse_config
from alerts.errors import SilenceError
from alerts.inhibit import Inhibitor, InhibitRule
from alerts.matchers import parse_matchers
from alerts.model import Alert, fingerprint
from alerts.mute import AnyMuter, Muter, NeverMute, RouteTimeMuter
from alerts.silence import Silence, SilenceMatcher, SilenceState, validate_silence
from alerts.timeintervals import TimeInterval, parse_time_range

NOW = datetime(2024, 10, 27, 1, 30, tzinfo=UTC)

RULE = InhibitRule(
    source_matchers=parse_matchers('alertname="SamuUnreachable"'),
    target_matchers=parse_matchers('alertname=~"CallSetup.*"'),
    equal=frozenset({"samu"}),
)
# Both sides match severity=~"page|ticket": used to test the two-sided exclusion.
TWO_SIDED = InhibitRule(
    source_matchers=parse_matchers('severity=~"page|ticket"'),
    target_matchers=parse_matchers('severity=~"page|ticket"'),
    equal=frozenset({"samu"}),
)


def alert(labels: str, ends_in: timedelta | None = None) -> Alert:
    parsed = {m.name: m.value for m in parse_matchers(labels)}
    return Alert(
        parsed,
        starts_at=NOW - timedelta(hours=1),
        ends_at=None if ends_in is None else NOW + ends_in,
    )


SOURCE = "alertname=SamuUnreachable,samu=075"
PAST, FUTURE = timedelta(minutes=-1), timedelta(minutes=10)
INHIBIT_CASES = [
    # name, rules, source alerts, when the sources end (None: firing), target, muted?
    (
        "an unreachable SAMU inhibits its own call-setup alerts",
        [RULE],
        [SOURCE],
        None,
        "alertname=CallSetupErrors,samu=075",
        True,
    ),
    ("but not another SAMU's", [RULE], [SOURCE], None, "alertname=CallSetupErrors,samu=971", False),
    (
        "a resolved source no longer inhibits",
        [RULE],
        [SOURCE],
        PAST,
        "alertname=CallSetupErrors,samu=075",
        False,
    ),
    (
        "a source ending in the future still inhibits",
        [RULE],
        [SOURCE],
        FUTURE,
        "alertname=CallSetupErrors,samu=075",
        True,
    ),
    (
        "an absent equal label equals another absent one",
        [RULE],
        ["alertname=SamuUnreachable"],
        None,
        "alertname=CallSetupLatency",
        True,
    ),
    (
        "an absent equal label differs from a present one",
        [RULE],
        ["alertname=SamuUnreachable"],
        None,
        "alertname=CallSetupLatency,samu=075",
        False,
    ),
    (
        "a target that does not match the target side is left alone",
        [RULE],
        [SOURCE],
        None,
        "alertname=Watchdog,samu=075",
        False,
    ),
    (
        "an alert matching both sides does not inhibit itself",
        [TWO_SIDED],
        ["severity=page,samu=075"],
        None,
        "severity=page,samu=075",
        False,
    ),
    (
        "nor another alert matching both sides",
        [TWO_SIDED],
        ["severity=page,samu=075,alertname=A"],
        None,
        "severity=ticket,samu=075,alertname=B",
        False,
    ),
    ("no rules, no inhibition", [], [SOURCE], None, "alertname=CallSetupErrors,samu=075", False),
]


@pytest.mark.parametrize(
    ("name", "rules", "sources", "ends_in", "target", "expected"),
    INHIBIT_CASES,
    ids=[c[0] for c in INHIBIT_CASES],
)
def test_inhibition_follows_alertmanager(
    name: str,
    rules: list[InhibitRule],
    sources: list[str],
    ends_in: timedelta | None,
    target: str,
    expected: bool,
) -> None:
    inhibitor = Inhibitor(rules, [alert(s, ends_in) for s in sources])
    assert inhibitor.mutes(alert(target).labels, NOW) is expected


def test_inhibitor_reports_the_fingerprints_of_the_inhibiting_alerts() -> None:
    source = alert("alertname=SamuUnreachable,samu=075")
    inhibitor = Inhibitor([RULE], [source, alert("alertname=Other,samu=075")])
    assert inhibitor.inhibited_by({"alertname": "CallSetupErrors", "samu": "075"}, NOW) == [
        fingerprint(source.labels)
    ]


def silence(matchers: str, start: timedelta, end: timedelta, sid: str = "s1") -> Silence:
    return Silence(sid, parse_matchers(matchers), NOW + start, NOW + end, "noc@ans", "maintenance")


HOUR = timedelta(hours=1)
SILENCE_CASES = [
    ("an active matching silence mutes", silence('samu="075"', -HOUR, HOUR), "samu=075", True),
    ("a pending silence does not", silence('samu="075"', HOUR, 2 * HOUR), "samu=075", False),
    ("an expired silence does not", silence('samu="075"', -2 * HOUR, -HOUR), "samu=075", False),
    (
        "the end instant is still active",
        silence('samu="075"', -HOUR, timedelta(0)),
        "samu=075",
        True,
    ),
    ("all matchers must hold", silence('samu="075",slo="s1"', -HOUR, HOUR), "samu=075", False),
    ("regex silences are anchored", silence('samu=~"07"', -HOUR, HOUR), "samu=075", False),
    (
        "a negative matcher holds on an absent label",
        silence('samu="075",env!="prod"', -HOUR, HOUR),
        "samu=075",
        True,
    ),
]


@pytest.mark.parametrize(
    ("name", "sil", "labels", "expected"), SILENCE_CASES, ids=[c[0] for c in SILENCE_CASES]
)
def test_silences_follow_alertmanager(name: str, sil: Silence, labels: str, expected: bool) -> None:
    assert SilenceMatcher([sil]).mutes(alert(labels).labels, NOW) is expected


def test_silence_states_and_ids() -> None:
    active, pending = silence("a=b", -HOUR, HOUR, "x"), silence("a=b", HOUR, 2 * HOUR, "y")
    assert active.state(NOW) is SilenceState.ACTIVE
    assert pending.state(NOW) is SilenceState.PENDING
    assert SilenceMatcher([active, pending]).silenced_by({"a": "b"}, NOW) == ["x"]


@pytest.mark.parametrize(
    ("matchers", "start", "end", "reason"),
    [
        ("", -HOUR, HOUR, "at least one matcher"),
        ('a=~".*",b=""', -HOUR, HOUR, "must not match the empty string"),
        ("a=b", HOUR, -HOUR, "end time must not be before start time"),
    ],
)
def test_invalid_silences_are_rejected(
    matchers: str, start: timedelta, end: timedelta, reason: str
) -> None:
    with pytest.raises(SilenceError, match=reason):
        validate_silence(silence(matchers, start, end))


def test_a_negative_matcher_alone_is_an_acceptable_silence() -> None:
    validate_silence(silence('a!="b"', -HOUR, HOUR))


def test_one_mute_interface_combines_inhibition_silences_and_time() -> None:
    night = TimeInterval(times=(parse_time_range("00:00", "07:00"),), location="Europe/Paris")
    config = parse_config(
        "route:\n  receiver: r\n  routes: [{matchers: [a=b], mute_time_intervals: [night]}]\n"
        "receivers: [{name: r}]\ntime_intervals: [{name: night, time_intervals: []}]\n"
    )
    timed = RouteTimeMuter(config.route.routes[0].opts, {"night": (night,)})
    muters: list[Muter] = [
        Inhibitor([RULE], [alert("alertname=SamuUnreachable,samu=075")]),
        SilenceMatcher([silence('samu="013"', -HOUR, HOUR)]),
        timed,
        NeverMute(),
    ]
    combined = AnyMuter(*muters)
    assert combined.mutes({"alertname": "CallSetupErrors", "samu": "075"}, NOW)
    assert combined.mutes({"samu": "013"}, NOW)
    assert timed.mutes({}, NOW)  # 02:30 CET in Paris, just after fall-back
    assert not timed.mutes({}, NOW + 6 * HOUR)
    assert not AnyMuter(*muters[:2]).mutes({"samu": "971"}, NOW)
    assert not AnyMuter().mutes({"samu": "075"}, NOW)
