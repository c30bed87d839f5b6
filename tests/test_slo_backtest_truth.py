"""The backtest's guards equal the live engine's — a SAMU that stops, a fleet-wide silence that
is one Vigie ingest gap — and late data corrects the past the engine judged, without a page."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from alerts.maintenance import MaintenanceWindow
from collector.simulator.scenarios import Scenario
from slo.backtest import Firing, backtest
from slo.engine import CollectingSink, Engine
from slo.evaluate import MinuteTally
from slo.loader import LoadResult
from store.client import Store
from store.clock import FakeClock
from store.registry import Registry
from tests.test_slo_backtest import Windows, intervals
from tests.test_slo_eval_factories import CHECKS, policies, registry, samu_labels, shipped_slo
from vigie.backtest_history import POINT_COLUMNS, write_history

T0 = datetime(2030, 10, 14, 1, 0, tzinfo=UTC)  # in the future: `points` keeps 35 days
PARIS, SMALL, MUTE, LYON = (
    "fr.health.samu075",
    "fr.health.samu048",
    "fr.health.samu069",
    "fr.health.samu013",
)
GUARDS = {"HeartbeatLost", "TelemetryNoData", "VigieIngestGap"}
MIN = timedelta(minutes=1)


def sample(store: Store) -> None:
    """Two simulated SAMU (one in outage at night), a third whose telemetry stops; then for
    ten minutes nobody's telemetry arrives, then it does again."""
    samus = [registry().require(PARIS), registry().require(SMALL)]
    outage = Scenario("outage", (SMALL,), 40 * 60, 20 * 60)
    write_history(store, samus, T0, T0 + 90 * MIN, seed=11, scenarios=[outage])
    write_history(store, samus, T0 + 100 * MIN, T0 + 150 * MIN, seed=12)
    rows = []
    for k in range(6 * 70):  # checks every 10 s for 70 minutes, then silence
        ts = T0 + timedelta(seconds=10 * k + 9.999)
        rows.append((ts, ts + timedelta(milliseconds=300), MUTE, CHECKS, "", "ok", "sum", 1.0))
    store.insert("points", rows, POINT_COLUMNS)


def test_the_replayed_guards_fire_exactly_what_the_engine_fires(store: Store) -> None:
    """…including a planned window that covers only the first half of SMALL's outage: the work
    overran, so SMALL pages once the window and the heartbeat's 30 s after it have passed."""
    sample(store)
    clock = FakeClock(T0 + 20 * MIN)
    sink = CollectingSink()
    work = MaintenanceWindow(
        id="work",
        title="planned work",
        starts_at=T0 + 40 * MIN,
        duration=10 * MIN,
        approved_by="ans",
        created_by="noc",
        samu_ids=(SMALL,),
    )
    engine = Engine(
        store,
        LoadResult(()),
        policies(),
        registry(),
        clock,
        sink,
        Windows(work),
        write_snapshots=False,
    )
    end = T0 + timedelta(hours=2, minutes=12)
    while clock.now() < end:
        engine.tick()
        clock.advance(MIN)
    live = intervals([a for a in sink.alerts if a.labels["alertname"] in GUARDS])
    replay = backtest(
        store,
        [],
        samu_labels(),
        T0 + 20 * MIN,
        end,
        guards=policies().guards,
        now=end,
        maintenance=[work],
    )
    assert list(replay.firings) == live
    overran = [f.starts_at for f in live if f.labels == page_of("HeartbeatLost", SMALL)]
    assert overran == [T0 + 51 * MIN]
    fired = {(f.label("alertname"), f.label("samu")) for f in live}
    assert fired == {
        ("HeartbeatLost", SMALL),
        ("HeartbeatLost", MUTE),
        ("TelemetryNoData", MUTE),
        ("VigieIngestGap", ""),
    }
    gaps = [f for f in live if f.label("alertname") == "VigieIngestGap"]
    assert [(g.starts_at, g.ends_at) for g in gaps] == [(T0 + 91 * MIN, T0 + 102 * MIN)]
    hole = [f for f in live if f.label("samu") in (PARIS, SMALL) and f.starts_at >= T0 + 90 * MIN]
    assert hole == []


def page_of(name: str, samu: str) -> tuple[tuple[str, str], ...]:
    region = str(registry().require(samu).region)
    return (("alertname", name), ("region", region), ("samu", samu), ("severity", "page"))


def _held(firings: tuple[Firing, ...], at: datetime) -> set[tuple[tuple[str, str], ...]]:
    return {
        f.labels for f in firings if f.starts_at <= at and (f.ends_at is None or at < f.ends_at)
    }


def test_late_data_corrects_the_judged_past_and_pages_no_samu(store: Store) -> None:
    """Live, five minutes of everyone's telemetry arrive 36 minutes late — minutes in which one
    SAMU was down. At the time the engine saw a Vigie gap (one platform page, no SAMU page);
    when the data lands, its windows count the SAMU's bad minutes (a ticket, no page: the short
    windows are past them), and from then on it holds exactly the alerts of the replay of the
    store as it now stands — which sees the outage where it happened, and no gap."""
    ids = (PARIS, SMALL, LYON)
    samus = [replace(registry().require(s), backup_id=ids[i - 1]) for i, s in enumerate(ids)]
    slos = tuple(
        shipped_slo(s) for s in ("s1-call-setup", "s1-call-setup-national", "s3-reachability")
    )
    write_history(store, samus, T0 - timedelta(hours=1), T0, seed=21)
    clock = FakeClock(T0)
    sink = CollectingSink()
    engine = Engine(
        store, LoadResult(slos), policies(), Registry(samus), clock, sink, write_snapshots=False
    )
    played = [
        Scenario("outage", (LYON,), 0, 300),
        Scenario("late", ("*",), 0, 300, (("delay", 36 * 60.0),)),
    ]
    held_live: dict[datetime, set[tuple[tuple[str, str], ...]]] = {}
    s3: dict[datetime, dict[str, MinuteTally]] = {}
    for k in range(60):
        if not 10 <= k < 15:
            write_history(store, samus, T0 + k * MIN, T0 + (k + 1) * MIN, seed=100 + k)
        if k == 50:  # minutes 10–14 land, 36 minutes late
            write_history(store, samus, T0 + 10 * MIN, T0 + 15 * MIN, seed=50, scenarios=played)
        clock.set(T0 + (k + 1) * MIN)
        result = engine.tick()
        held_live[clock.now()] = {tuple(sorted(a.labels.items())) for a in result.firing}
        s3[clock.now()] = {
            st.samu: st.minutes
            for st in result.statuses
            if st.slo == "s3-reachability" and st.minutes is not None
        }
    pages = [a.labels for a in sink.alerts if a.labels["severity"] == "page"]
    assert {p["alertname"] for p in pages} == {"VigieIngestGap"}
    assert sum(t.gap for t in s3[T0 + 20 * MIN].values()) > 0
    assert sum(t.gap for t in s3[T0 + 60 * MIN].values()) == 0  # the judged past changed
    assert (s3[T0 + 50 * MIN][LYON].bad, s3[T0 + 60 * MIN][LYON].bad) == (0, 5)
    replay = backtest(
        store,
        slos,
        {s.id: {**s.to_dict(), "overseas": s.overseas} for s in samus},
        T0 + MIN,
        T0 + 61 * MIN,
        guards=policies().guards,
        now=T0 + 61 * MIN,
    )
    assert "VigieIngestGap" not in {f.label("alertname") for f in replay.firings}
    assert ("HeartbeatLost", LYON) in {
        (f.label("alertname"), f.label("samu")) for f in replay.firings
    }
    after = [at for at in held_live if at > T0 + 50 * MIN]
    assert any(held_live[at] for at in after)  # the late bad minutes raise a ticket
    for at in after:
        assert held_live[at] == _held(replay.firings, at), at
