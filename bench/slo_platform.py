"""SLO benchmark, child process: our own faults, live — a collector restart and a late replay.

Simulated time, FakeClock, the engine over every shipped SLO and guard for the SAMU of the
registry, ticking every 10 s at a random phase of the export cycle (every 60 s while nothing
happens but waiting for the late data). Seven hours of history, then the fleet is stepped every
10 s and its delta points inserted as the collector writes them — except that a collector
restart loses everyone's points for 3 minutes, and later everyone's points of a 10-minute
window are held back and land 2 hours late (received_at stamped then). Expected: one Vigie
ingest gap page each time and no SAMU page; when the late data lands, the minutes the engine
had judged a Vigie gap are judged again from the data (the judged past changes) and still
nothing pages.
"""

from __future__ import annotations

import json
import random
import sys
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

from bench.slo_detect import EXPORT_S, points, spread
from bench.slo_tick import make_engine
from collector.simulator.fleet import Fleet, FleetConfig
from collector.simulator.scenarios import Timeline
from vigie.backtest_history import POINT_COLUMNS, write_history

PARIS = ZoneInfo("Europe/Paris")
STEP = timedelta(seconds=EXPORT_S)


def _gap_minutes(result: Any) -> int:
    """S3 minutes judged a Vigie gap over its window, summed over the SAMU."""
    return sum(
        st.minutes.gap
        for st in result.statuses
        if st.slo == "s3-reachability" and st.minutes is not None
    )


def child(workdir: Path, quick: bool) -> dict[str, Any]:
    from slo.engine import CollectingSink
    from store.client import open_store
    from store.clock import FakeClock
    from store.migrations import migrate
    from store.registry import Registry, load_registry
    from vigie.schema import all_migrations

    store = open_store(f"chdb://{workdir / 'clickhouse'}", "bench")
    migrate(store, migrations=all_migrations())
    samus = list(load_registry())
    if quick:
        subset = spread(samus, 8, 0)
        ring = {s.id: subset[(i + 1) % len(subset)].id for i, s in enumerate(subset)}
        samus = [s if s.backup_id in ring else replace(s, backup_id=ring[s.id]) for s in subset]
    registry = Registry(samus)
    live = datetime(2030, 10, 17, 10, 0, tzinfo=PARIS).astimezone(UTC)
    write_history(store, samus, live - timedelta(hours=7), live, seed=3100)
    ids = [s.id for s in samus]
    fleet = Fleet(
        samus, Timeline((), live.timestamp(), ids), FleetConfig(seed=4100, heartbeat_interval_s=10)
    )
    minute = timedelta(minutes=1)
    restart = (live + 2 * minute, live + (3 if quick else 5) * minute)
    late_from = live + (5 if quick else 10) * minute
    late = (late_from, late_from + (2 if quick else 10) * minute)
    delay = (3 if quick else 120) * minute
    lands = late[1] + delay
    stop = lands + (3 if quick else 15) * minute
    clock = FakeClock(live)
    engine, _ = make_engine(store, live, registry=registry)
    sink = CollectingSink()
    engine = type(engine)(store, engine.specs, engine.policy, registry, clock, sink)
    phase = timedelta(seconds=random.Random(7100).uniform(0.5, EXPORT_S - 0.5))
    held: list[tuple[object, ...]] = []
    before = after = None
    t = live
    while t < stop:
        end = t + STEP
        rows = points(fleet.step(np.array([t.timestamp()]), EXPORT_S), end)
        if late[0] <= t < late[1]:
            held += [(r[0], r[1] + delay, *r[2:]) for r in rows]  # type: ignore[operator]
        elif not restart[0] <= t < restart[1]:
            store.insert("points", rows, POINT_COLUMNS)
        if held and end >= lands:
            before = _gap_minutes(engine.latest)
            store.insert("points", held, POINT_COLUMNS)
            held = []
        waiting = late[1] + 5 * minute <= t < lands - minute
        if not waiting or (end - live).total_seconds() % 60 == 0:
            clock.set(end + phase)
            result = engine.tick()
            if before is not None and after is None and end >= lands + 2 * minute:
                after = _gap_minutes(result)
        t = end
    pages = [a for a in sink.alerts if a.ends_at is None and a.labels["severity"] == "page"]
    starts = sorted({(a.labels["alertname"], a.labels.get("samu", ""), a.starts_at) for a in pages})
    return {
        "samu": len(samus),
        "delay_s": delay.total_seconds(),
        "restart_s": (restart[1] - restart[0]).total_seconds(),
        "late_s": (late[1] - late[0]).total_seconds(),
        "gap_pages": len({s for n, samu, s in starts if n == "VigieIngestGap" and not samu}),
        "samu_pages": sorted({f"{n} {samu}" for n, samu, _ in starts if samu}),
        "late_gap_minutes_before": before,
        "late_gap_minutes_after": after,
        "final_gap_minutes": _gap_minutes(engine.latest),
    }


if __name__ == "__main__":
    print(json.dumps(child(Path(sys.argv[1]), sys.argv[2] == "quick")))
