"""The backtest fires exactly the alerts of the live engine ticked over a sample day, honours
planned maintenance and each SAMU's first data, and stops at the end of the data and at now."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from alerts.maintenance import MaintenanceWindow
from alerts.model import Alert
from slo.backtest import Firing, backtest
from slo.engine import CollectingSink, Engine
from slo.loader import LoadResult
from store.client import Store
from store.clock import FakeClock
from tests.test_slo_eval_factories import (
    PROBES,
    SETUPS,
    minutes,
    policies,
    put_counts,
    registry,
    samu_labels,
    shipped,
    shipped_slo,
)

DAY = datetime(2030, 10, 14, tzinfo=UTC)
PARIS, LYON, SMALL = "fr.health.samu075", "fr.health.samu069", "fr.health.samu048"
MAINT, NEW = "fr.health.samu013", "fr.health.samu033"
STEP = timedelta(minutes=10)
MIN = timedelta(minutes=1)
MIGRATION = MaintenanceWindow(
    id="migration",
    title="migration night",
    starts_at=DAY + timedelta(hours=2),
    duration=timedelta(minutes=90),
    approved_by="ans",
    created_by="noc",
    samu_ids=(MAINT,),
)


class Windows:
    """A MaintenanceSource over fixed windows."""

    def __init__(self, *windows: MaintenanceWindow) -> None:
        self.windows = list(windows)

    def list(self) -> list[MaintenanceWindow]:
        return self.windows


def sample_day(store: Store) -> None:
    """Four quiet days, then a day with a trunk outage, a slow burn and failing probes; a SAMU
    down through its planned migration; a SAMU whose telemetry starts at noon."""
    first = DAY - timedelta(days=4)
    span = minutes(first, 5 * 1440)
    put_counts(store, [(m, PARIS, SETUPS, "success", 30) for m in span])
    put_counts(store, [(m, LYON, SETUPS, "success", 5) for m in span])
    put_counts(store, [(m, SMALL, SETUPS, "success", 1) for m in span[::17]])
    put_counts(store, [(m, s, PROBES, "success", 1) for m in span for s in (PARIS, LYON)])
    outage = DAY + timedelta(hours=10)
    put_counts(store, [(m, PARIS, SETUPS, "failed", 40) for m in minutes(outage, 20)])
    slow = DAY + timedelta(hours=13)
    put_counts(store, [(m, LYON, SETUPS, "timeout", 1) for m in minutes(slow, 240)[::3]])
    put_counts(store, [(DAY + timedelta(hours=3), SMALL, SETUPS, "failed", 1)])  # a quiet night
    probes = DAY + timedelta(hours=15)
    put_counts(store, [(m, LYON, PROBES, "failure", 1) for m in minutes(probes, 12)])
    down = set(minutes(MIGRATION.starts_at, 90))
    put_counts(store, [(m, MAINT, SETUPS, "failed" if m in down else "success", 20) for m in span])
    put_counts(store, [(m, MAINT, PROBES, "failure" if m in down else "success", 1) for m in span])
    noon = minutes(DAY + timedelta(hours=12), 12 * 60)
    put_counts(store, [(m, NEW, PROBES, "success", 1) for m in noon])
    put_counts(store, [(m, NEW, SETUPS, "success", 10) for m in noon])


def intervals(alerts: list[Alert]) -> list[Firing]:
    open_: dict[int, Alert] = {}
    out = []
    for alert in alerts:
        key = alert.fingerprint
        if alert.ends_at is None:
            open_.setdefault(key, alert)
            continue
        started = open_.pop(key)
        out.append(Firing(tuple(sorted(alert.labels.items())), started.starts_at, alert.ends_at))
    out += [Firing(tuple(sorted(a.labels.items())), a.starts_at, None) for a in open_.values()]
    return sorted(out, key=lambda f: (f.starts_at, f.labels))


def test_the_backtest_fires_exactly_what_the_engine_fires_over_a_sample_day(store: Store) -> None:
    sample_day(store)
    slos = [shipped_slo("s1-call-setup"), shipped_slo("s1-call-setup-national")]
    slos.append(shipped_slo("s3-reachability"))
    clock = FakeClock(DAY)
    sink = CollectingSink()
    engine = Engine(
        store,
        LoadResult(tuple(slos)),
        policies(),
        registry(),
        clock,
        sink,
        Windows(MIGRATION),
        write_snapshots=False,
    )
    end = DAY + timedelta(days=1)
    while clock.now() < end:
        engine.tick()
        clock.advance(STEP)
    live = intervals(sink.alerts)
    replay = backtest(store, slos, samu_labels(), DAY, end, STEP, now=end, maintenance=[MIGRATION])
    assert list(replay.firings) == live
    pages = {(f.label("alertname"), f.label("samu"), f.label("severity")) for f in live}
    assert ("SLOBurnRate", PARIS, "page") in pages
    assert ("SLOBurnRate", LYON, "ticket") in pages
    assert ("ProbeFailing", LYON, "page") in pages
    assert not any(samu in (SMALL, MAINT, NEW) for _, samu, level in pages if level == "page")
    assert ("SLOBudgetExhausted", PARIS, "ticket") in pages
    unplanned = backtest(store, slos, samu_labels(), DAY, end, STEP, now=end)
    paged = {
        f.label("alertname")
        for f in unplanned.firings
        if f.label("samu") == MAINT and f.label("severity") == "page"
    }
    assert paged == {"SLOBurnRate", "ProbeFailing"}


def test_the_replay_stops_at_the_end_of_the_data_and_at_now_and_says_so(store: Store) -> None:
    put_counts(store, [(m, PARIS, SETUPS, "success", 3) for m in minutes(DAY, 90)])
    slos = [shipped_slo("s1-call-setup")]
    labels = samu_labels([PARIS])
    late = DAY + timedelta(days=2)

    past_the_data = backtest(store, slos, labels, DAY, late, now=late)
    assert past_the_data.reason == "data"
    assert past_the_data.last_tick == DAY + timedelta(minutes=89)
    assert "the end of the data" in past_the_data.stopped()

    before_now = backtest(
        store, slos, labels, DAY, late, now=DAY + timedelta(minutes=30, seconds=5)
    )
    assert (before_now.reason, before_now.last_tick) == ("now", DAY + timedelta(minutes=30))

    asked = backtest(store, slos, labels, DAY, DAY + timedelta(hours=1), now=late)
    assert (asked.reason, asked.ticks) == ("end", 60)

    after = backtest(store, slos, labels, late, late + timedelta(hours=1), now=late)
    assert (after.reason, after.last_tick, after.firings) == ("data", None, ())
    assert after.stopped().startswith("nothing replayed: the end of the data")

    far = late + timedelta(days=30)
    nothing = backtest(store, slos, labels, far, far + timedelta(hours=1), now=far)
    assert (nothing.reason, nothing.last_tick, nothing.firings) == ("no data", None, ())


def test_the_replayed_traffic_collapse_fires_exactly_what_the_engine_fires(store: Store) -> None:
    """Eight Monday afternoons of traffic for Paris and Marseille, then this Monday Paris falls
    silent, and Marseille's calls go to its backup during 30 minutes of planned work (never a
    page, not even once the work is over); Lyon's thin traffic is just quiet; Lozère, with no
    baseline, is never judged."""
    guards = shipped()[1]
    now = DAY + timedelta(hours=14)  # a Monday afternoon
    for week in range(1, 9):
        ref = now - timedelta(weeks=week)
        span = minutes(ref - timedelta(hours=2), 180)
        put_counts(store, [(m, s, SETUPS, "success", 3) for m in span for s in (PARIS, MAINT)])
        put_counts(store, [(m, LYON, SETUPS, "success", 1) for m in span[::6]])
    today = minutes(now - timedelta(hours=2), 180)
    work = MaintenanceWindow(
        id="work",
        title="planned work",
        starts_at=now - 30 * MIN,
        duration=30 * MIN,
        approved_by="ans",
        created_by="noc",
        samu_ids=(MAINT,),
    )
    put_counts(store, [(m, PARIS, SETUPS, "success", 3) for m in today if m < now - 25 * MIN])
    put_counts(store, [(m, SMALL, SETUPS, "success", 1) for m in today])
    put_counts(
        store,
        [(m, MAINT, SETUPS, "success", 3) for m in today if not now - 30 * MIN <= m < now],
    )
    clock = FakeClock(now - 40 * MIN)
    sink = CollectingSink()
    engine = Engine(
        store,
        LoadResult((), guards),
        policies(),
        registry(),
        clock,
        sink,
        Windows(work),
        write_snapshots=False,
    )
    end = now + 30 * MIN
    while clock.now() < end:
        engine.tick()
        clock.advance(MIN)
    live = intervals([a for a in sink.alerts if a.labels["alertname"] == "TrafficCollapse"])
    start = now - 40 * MIN
    replay = backtest(
        store, [], samu_labels(), start, end, now=end, plausibility=guards, maintenance=[work]
    )
    assert list(replay.firings) == live
    assert {f.label("samu") for f in live} == {PARIS}
    unplanned = backtest(store, [], samu_labels(), start, end, now=end, plausibility=guards)
    assert {f.label("samu") for f in unplanned.firings} == {PARIS, MAINT}
