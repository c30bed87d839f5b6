"""The engine ticked with a FakeClock over a real store: Workbook numbers, guards, outputs."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta

import pytest
from prometheus_client import CollectorRegistry

from alerts.model import Alert
from slo.engine import CollectingSink, Engine
from slo.loader import LoadResult
from slo.model import SLO, PlausibilityGuard
from store.client import Store
from store.clock import FakeClock
from tests.test_slo_eval_factories import (
    CHECKS,
    PROBES,
    SETUPS,
    minutes,
    policies,
    put_counts,
    registry,
    shipped,
    shipped_slo,
    slos_from,
)

PARIS = "fr.health.samu075"
LYON = "fr.health.samu069"
SMALL = "fr.health.samu048"  # Lozère: a few calls an hour at night
# In the future: `points` keeps 35 days, and a past date would expire as the calendar moves.
T0 = datetime(2030, 10, 14, 14, 0, tzinfo=UTC)

WORKBOOK_SPEC = """
apiVersion: vigie/v1
kind: SLO
id: workbook
name: Workbook
class: critical
objective: 99.9
sli:
  kind: ratio
  metric: samu.call.setups
  good: {outcome: [success]}
  valid: {}
window: {rolling: 30d}
samu: {ids: [fr.health.samu075]}
alerting:
  guards: {min_bad_events: 0, budget_forecast: "off", budget_exhausted: false}
"""


def make_engine(
    store: Store,
    clock: FakeClock,
    slos: Sequence[SLO],
    guards: Sequence[PlausibilityGuard] = (),
    metrics: CollectorRegistry | None = None,
) -> tuple[Engine, CollectingSink]:
    sink = CollectingSink()
    engine = Engine(
        store,
        LoadResult(tuple(slos), tuple(guards)),
        policies(),
        registry(),
        clock,
        sink,
        metrics_registry=metrics,
        write_snapshots=False,
    )
    return engine, sink


def firing(engine: Engine, name: str, samu: str = PARIS) -> list[Alert]:
    assert engine.latest is not None
    return [
        a
        for a in engine.latest.firing
        if a.labels["alertname"] == name and a.labels.get("samu") == samu
    ]


def steady(store: Store, start: datetime, count: int, per_minute: float = 60) -> None:
    put_counts(store, [(m, PARIS, SETUPS, "success", per_minute) for m in minutes(start, count)])


def pairs(engine: Engine, samu: str = PARIS) -> set[str]:
    assert engine.latest is not None
    return {c.pair for s in engine.latest.statuses if s.samu == samu for c in s.conditions}


HOUR = timedelta(hours=1)
STEADY = 3 * 1440 + 65  # minutes of steady traffic before T0: every window is full


def test_a_total_outage_pages_at_the_first_tick_after_51_84_seconds(store: Store) -> None:
    steady(store, T0 - timedelta(minutes=STEADY), STEADY)
    clock = FakeClock(T0)
    engine, sink = make_engine(store, clock, slos_from(WORKBOOK_SPEC))
    fired_at = None
    for second in range(1, 61):
        clock.set(T0 + timedelta(seconds=second))
        put_counts(store, [(clock.now() - timedelta(seconds=1), PARIS, SETUPS, "failed", 1)])
        engine.tick()
        if firing(engine, "SLOBurnRate") and fired_at is None:
            fired_at = second
    assert fired_at == 52  # 51.84 s of a 1 h window at 1 call/s is 2 % of a 30-day budget
    (page,) = firing(engine, "SLOBurnRate")
    assert page.labels["severity"] == "page"
    assert page.starts_at == T0 + timedelta(seconds=52)
    assert "page-1h" in page.annotations["summary"]
    assert sink.alerts[0].labels == page.labels


def test_the_page_resets_once_the_five_minute_window_is_clean(store: Store) -> None:
    steady(store, T0 - timedelta(minutes=STEADY), STEADY)
    put_counts(store, [(m, PARIS, SETUPS, "failed", 60) for m in minutes(T0, 3)])
    recovery = T0 + timedelta(minutes=3)
    clock = FakeClock(recovery)
    engine, sink = make_engine(store, clock, slos_from(WORKBOOK_SPEC))
    engine.tick()
    assert "page-1h" in pairs(engine)
    reset_at = None
    for second in range(2, 320, 2):
        clock.set(recovery + timedelta(seconds=second))
        put_counts(store, [(clock.now() - timedelta(seconds=1), PARIS, SETUPS, "success", 2)])
        engine.tick()
        if "page-1h" not in pairs(engine) and reset_at is None:
            reset_at = second
    # The 5 min window holds < 14.4 × 0.1 % bad after 300 − 4.32 = 295.68 s.
    assert reset_at == 296
    # The 6 h / 30 min pair still holds (3 min of outage is 8 % of 6 h), so the page stays.
    assert pairs(engine) == {"page-6h"}
    assert firing(engine, "SLOBurnRate")[0].starts_at == recovery
    assert not [a for a in sink.alerts if a.ends_at is not None]


def test_a_quiet_night_with_one_failed_call_does_not_page(store: Store) -> None:
    night = T0.replace(hour=2)
    calls = [(night - timedelta(minutes=20 * i), SMALL, SETUPS, "success", 1) for i in range(1, 9)]
    put_counts(store, [*calls, (night - timedelta(minutes=3), SMALL, SETUPS, "failed", 1)])
    clock = FakeClock(night)
    s1 = shipped_slo("s1-call-setup")
    engine, _ = make_engine(store, clock, [s1])
    result = engine.tick()
    status = next(s for s in result.statuses if s.samu == SMALL)
    assert status.burns[timedelta(hours=1)].burn_rate == pytest.approx(500)  # 1 bad of 4: huge…
    assert not firing(engine, "SLOBurnRate", SMALL)  # …but 1 bad event < min_bad_events 3


PointRow = tuple[datetime, datetime, str, str, str, str, str, float]


def point(ts: datetime, samu: str, metric: str, outcome: str, value: float) -> PointRow:
    return (ts, ts + timedelta(milliseconds=300), samu, metric, "", outcome, "sum", value)


def put_points(store: Store, rows: list[PointRow]) -> None:
    store.insert(
        "points",
        rows,
        ("ts", "received_at", "samu_id", "metric", "component", "outcome", "kind", "value"),
    )


Telemetry = Callable[[datetime, bool], list[PointRow]]


def agent(end: datetime, broken: bool) -> list[PointRow]:
    """What the agents export for the 10 s ending at `end`: calls, checks, probes."""
    ts = end - timedelta(milliseconds=500)
    rows = [point(ts, LYON, CHECKS, "ok", 1)]  # a healthy neighbour: the platform still hears
    if not broken:
        rows.append(point(ts, PARIS, SETUPS, "success", 10))
    rows.append(point(ts, PARIS, CHECKS, "fail" if broken else "ok", 1))
    if end.second == 0:
        rows.append(point(ts, PARIS, PROBES, "failure" if broken else "success", 1))
    return rows


def silent_agent(end: datetime, broken: bool) -> list[PointRow]:
    """The SAMU's exports stop entirely (its link to the platform is down too)."""
    return [r for r in agent(end, broken) if not broken or r[2] == LYON]


@pytest.mark.parametrize(
    ("telemetry", "expected"),
    [
        (agent, {"HeartbeatLost": 30, "ProbeFailing": 150}),
        (silent_agent, {"HeartbeatLost": 30, "ProbeFailing": 150, "TelemetryNoData": 300}),
    ],
    ids=["checks and probes fail", "the samu goes silent"],
)
def test_a_carrier_outage_is_caught_by_the_heartbeat_probes_and_no_data(
    store: Store, telemetry: Telemetry, expected: dict[str, int]
) -> None:
    clock = FakeClock(T0 - timedelta(minutes=3))
    engine, _ = make_engine(store, clock, [shipped_slo("s3-reachability")])
    seen: dict[str, int] = {}
    while clock.now() < T0 + timedelta(minutes=6):
        clock.advance(timedelta(seconds=10))
        now = clock.now()
        put_points(store, telemetry(now, now > T0))
        engine.tick()
        for name in ("HeartbeatLost", "ProbeFailing", "TelemetryNoData"):
            if firing(engine, name):
                seen.setdefault(name, int((now - T0).total_seconds()))
    assert seen == expected
    assert all(seconds > 0 for seconds in seen.values())  # nothing fired before the outage


def test_gauges_follow_the_status_and_no_data_has_no_sample(store: Store) -> None:
    steady(store, T0 - timedelta(minutes=30), 30)
    metrics = CollectorRegistry()
    engine, _ = make_engine(store, FakeClock(T0), slos_from(WORKBOOK_SPEC), metrics=metrics)
    engine.tick()
    labels = {"slo": "workbook", "samu": PARIS}
    assert metrics.get_sample_value("vigie_slo_sli", labels) == 1.0
    assert metrics.get_sample_value("vigie_slo_burn_rate", {**labels, "window": "5m"}) == 0.0
    assert metrics.get_sample_value("vigie_slo_sli", {**labels, "samu": SMALL}) is None


def test_the_engine_writes_a_snapshot_per_slo_and_samu_every_minute(store: Store) -> None:
    steady(store, T0 - timedelta(minutes=30), 30)
    clock = FakeClock(T0)
    engine = Engine(store, LoadResult(slos_from(WORKBOOK_SPEC)), policies(), registry(), clock)
    for _ in range(7):  # 60 s of ticks every 10 s: the first and the last write
        engine.tick()
        clock.advance(timedelta(seconds=10))
    rows = store.query(
        "SELECT time, samu_id, sli, state, burns['1h'] FROM {db}.slo_snapshots ORDER BY samu_id"
    )
    assert {r[0].replace(tzinfo=UTC) for r in rows} == {T0, T0 + timedelta(minutes=1)}
    assert (T0, PARIS, 1.0, "ok", 0.0) in [(r[0].replace(tzinfo=UTC), *r[1:]) for r in rows]
    assert ("national", 1.0, "ok", 0.0) in [r[1:] for r in rows]


def test_calls_collapsing_below_the_same_weekday_baseline_page_once_improbable(
    store: Store,
) -> None:
    guards = shipped()[1]
    now = T0  # a Monday afternoon
    for week in range(1, 9):
        ref = now - timedelta(weeks=week)
        put_counts(store, [(m, PARIS, SETUPS, "success", 3) for m in minutes(ref - HOUR, 60)])
        put_counts(store, [(m, LYON, SETUPS, "success", 1) for m in minutes(ref - HOUR, 60)[::6]])
    # Today: Paris falls silent 25 minutes ago; Lyon's thin traffic is just quiet.
    put_counts(store, [(m, PARIS, SETUPS, "success", 3) for m in minutes(now - HOUR, 35)])
    clock = FakeClock(now)
    engine, _ = make_engine(store, clock, [], guards)
    engine.tick()
    (alert,) = [a for a in engine.latest.firing if a.labels["alertname"] == "TrafficCollapse"]  # type: ignore[union-attr]
    assert alert.labels["samu"] == PARIS
    assert alert.labels["guard"] == "s4-traffic-plausibility"
