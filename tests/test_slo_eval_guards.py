"""The pure guards: traffic-collapse calibration, holiday-aware baselines, heartbeat, no data."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from slo.guards import (
    COLLAPSE_SPANS,
    HeartbeatFacts,
    collapse_findings,
    heartbeat_findings,
    no_data_findings,
    poisson_cdf,
    reference_instants,
)
from slo.model import PlausibilityGuard
from slo.policy import Guards
from tests.test_slo_eval_factories import shipped

NOW = datetime(2026, 10, 14, 14, 0, tzinfo=UTC)


def s4() -> PlausibilityGuard:
    (guard,) = shipped()[1]
    return guard


def test_the_poisson_tail_matches_a_hand_computed_value() -> None:
    assert poisson_cdf(0, 5) == pytest.approx(0.006737947)
    assert poisson_cdf(2, 3) == pytest.approx(0.4231901)


@pytest.mark.parametrize(
    ("per_ten_minutes", "expected"),
    [(4, []), (6, []), (12, []), (40, ["TrafficCollapse"])],
    ids=[
        "a baseline under 5 calls per 10 min is never judged",
        "a thin baseline cannot tell silence from chance in 10 min",
        "an afternoon of an average samu needs longer than 10 min",
        "a busy samu going silent pages",
    ],
)
def test_ten_silent_minutes_page_only_when_silence_is_improbable(
    per_ten_minutes: float, expected: list[str]
) -> None:
    current = {"s": [0.0] * len(COLLAPSE_SPANS)}
    base = {"s": [[per_ten_minutes * k] * 8 for k in (1, 1, 1, 1)]}  # only 10 min of silence
    base["s"][1:] = [[per_ten_minutes * k] * 8 for k in COLLAPSE_SPANS[1:]]
    current["s"][1:] = [per_ten_minutes * (k - 1) for k in COLLAPSE_SPANS[1:]]
    found = collapse_findings(s4(), current, base)
    assert [f.alertname for f in found] == expected


def test_an_hour_of_silence_pages_an_average_samu_in_the_afternoon() -> None:
    base = {"s": [[12.0 * k] * 8 for k in COLLAPSE_SPANS]}
    found = collapse_findings(s4(), {"s": [0.0] * len(COLLAPSE_SPANS)}, base)
    assert [f.alertname for f in found] == ["TrafficCollapse"]


def test_a_naturally_quiet_month_of_poisson_traffic_never_fires() -> None:
    rng = random.Random(15)
    fired = 0
    for _ in range(20_000):  # SAMU × 10-minute windows at the busiest thin baselines
        mean = rng.choice([5.0, 8.0, 15.0, 30.0])
        counts = [float(_poisson(rng, mean * k)) for k in COLLAPSE_SPANS]
        base = [[mean * k] * 8 for k in COLLAPSE_SPANS]
        fired += bool(collapse_findings(s4(), {"s": counts}, {"s": base}))
    assert fired == 0


def _poisson(rng: random.Random, mean: float) -> int:
    # Knuth's method, fine for these means.
    limit, k, product = pow(2.718281828459045, -mean), 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k


def test_a_weekday_is_compared_with_the_same_weekday_and_holidays_are_skipped() -> None:
    # Wednesday 11 November 2026 (Armistice) is a holiday: a Wednesday baseline skips it.
    now = datetime(2026, 11, 18, 15, 0, tzinfo=UTC)
    refs = reference_instants(now, "Europe/Paris", 3, "75")
    assert [r.date().isoformat() for r in refs] == ["2026-11-04", "2026-10-28", "2026-10-21"]


def test_a_holiday_is_compared_with_sundays_at_the_same_local_hour() -> None:
    now = datetime(2026, 11, 11, 15, 0, tzinfo=UTC)  # 16:00 in Paris
    refs = reference_instants(now, "Europe/Paris", 3, "75")
    assert [r.astimezone(ZoneInfo("Europe/Paris")).weekday() for r in refs] == [6, 6, 6]
    # Sunday 25 October is still summer time: 16:00 local is 14:00 UTC.
    assert refs[2] == datetime(2026, 10, 25, 15, 0, tzinfo=UTC)
    assert refs[0] == datetime(2026, 11, 8, 15, 0, tzinfo=UTC)


def test_the_same_local_hour_moves_in_utc_across_the_dst_change() -> None:
    now = datetime(2026, 11, 4, 15, 0, tzinfo=UTC)  # Wednesday 16:00 CET
    refs = reference_instants(now, "Europe/Paris", 2, "75")
    assert refs == [
        datetime(2026, 10, 28, 15, 0, tzinfo=UTC),
        datetime(2026, 10, 21, 14, 0, tzinfo=UTC),  # 16:00 CEST
    ]


def test_an_overseas_samu_uses_its_own_holidays() -> None:
    # 27 May is the abolition of slavery in Guadeloupe (971), a working Wednesday in Paris.
    now = datetime(2026, 5, 27, 16, 0, tzinfo=UTC)
    guadeloupe = reference_instants(now, "America/Guadeloupe", 1, "971")
    paris = reference_instants(now, "Europe/Paris", 1, "75")
    # The latest Sunday-like day before it is Whit Monday, 25 May (a holiday counts too).
    assert guadeloupe[0].astimezone(ZoneInfo("America/Guadeloupe")).date().isoformat() == (
        "2026-05-25"
    )
    assert paris[0].date().isoformat() == "2026-05-20"


def test_checks_failing_or_missing_for_thirty_seconds_page() -> None:
    guards = Guards()
    facts = {
        "ok": HeartbeatFacts(NOW - timedelta(seconds=8), NOW - timedelta(seconds=8), 0),
        "failing": HeartbeatFacts(NOW - timedelta(seconds=20), NOW, 3),
        "silent": HeartbeatFacts(NOW - timedelta(seconds=31), NOW - timedelta(seconds=31), 0),
    }
    found = heartbeat_findings(facts, NOW, guards)
    assert [(f.alertname, f.samu) for f in found] == [
        ("HeartbeatLost", "failing"),
        ("HeartbeatLost", "silent"),
    ]


def test_when_no_samu_sends_anything_the_silence_is_ours() -> None:
    old = NOW - timedelta(minutes=2)
    facts = {s: HeartbeatFacts(old, old, 0) for s in ("a", "b")}
    assert [f.alertname for f in heartbeat_findings(facts, NOW, Guards())] == ["VigieIngestGap"]
    last = {"a": NOW - timedelta(minutes=10), "b": NOW - timedelta(minutes=10)}
    assert [f.alertname for f in no_data_findings(last, NOW, Guards())] == ["VigieIngestGap"]


def test_a_large_share_of_the_fleet_silent_at_once_is_one_gap_not_a_page_each() -> None:
    old, fresh = NOW - timedelta(minutes=2), NOW - timedelta(seconds=5)
    facts = {f"s{i}": HeartbeatFacts(old, old, 0) for i in range(60)}
    facts |= {f"r{i}": HeartbeatFacts(fresh, fresh, 0) for i in range(40)}
    facts["failing"] = HeartbeatFacts(old, fresh, 5)  # explicit failures still page
    found = heartbeat_findings(facts, NOW, Guards())
    assert [(f.alertname, f.samu) for f in found] == [
        ("VigieIngestGap", ""),
        ("HeartbeatLost", "failing"),
    ]


def test_a_few_samu_silent_while_the_fleet_reports_each_page() -> None:
    old, fresh = NOW - timedelta(minutes=2), NOW - timedelta(seconds=5)
    facts = {f"s{i}": HeartbeatFacts(old, old, 0) for i in range(3)}
    facts |= {f"r{i}": HeartbeatFacts(fresh, fresh, 0) for i in range(97)}
    found = heartbeat_findings(facts, NOW, Guards())
    assert sorted(f.samu for f in found) == ["s0", "s1", "s2"]
    assert {f.alertname for f in found} == {"HeartbeatLost"}


def test_telemetry_that_stops_raises_no_data_after_five_minutes() -> None:
    last = {
        "quiet": NOW - timedelta(minutes=6),
        "fine": NOW - timedelta(minutes=1),
        "never": None,
    }
    found = no_data_findings(last, NOW, Guards())
    assert [(f.alertname, f.samu) for f in found] == [("TelemetryNoData", "quiet")]
