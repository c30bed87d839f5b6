"""SLO benchmark, child process: detection time of total SAMU outages, in simulated time.

Per window (a local hour of a different day, its own database and seeds): seven hours of normal
history for every SAMU of the registry (`write_history`), then the simulator's fleet is stepped
every 10 s (the export interval) and what it drew is inserted as delta points, stamped at the
export instant, exactly what the collector writes; the engine (every shipped SLO and guard, plus
the plain Workbook S1 for comparison) ticks every 10 s at a random phase of the export cycle
with a FakeClock. Ten SAMU of spread sizes go fully down at the same random instant; detection
is from that instant to the first page for the SAMU handed to the engine's alert sink.
"""

from __future__ import annotations

import itertools
import json
import math
import random
import sys
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

from alerts.model import Alert
from bench.slo_tick import make_engine
from collector.simulator.fleet import Fleet, FleetConfig
from collector.simulator.scenarios import Scenario, ScenarioKind, Timeline
from collector.simulator.tally import rollup
from slo.loader import LoadResult
from vigie.backtest_history import POINT_COLUMNS, write_history

WORKBOOK = "s1-workbook"
PARIS = ZoneInfo("Europe/Paris")
EXPORT_S = 10
SECOND = timedelta(seconds=1)
# (Paris local time of the outage, day offset) per window: night, morning, afternoon, evening.
WINDOWS = ((3, 40), (9, 15), (15, 5), (21, 50))


class TimedSink:
    """An alert sink that notes when (simulated) each page was first handed over."""

    def __init__(self, clock: Any) -> None:
        self.clock = clock
        self.first: dict[tuple[str, str, str], datetime] = {}

    def put(self, alerts: list[Alert]) -> None:
        now = self.clock.now()
        for a in alerts:
            if a.ends_at is None and a.labels.get("severity") == "page":
                key = (a.labels.get("samu", ""), a.labels["alertname"], a.labels.get("slo", ""))
                self.first.setdefault(key, now)


def workbook_specs(specs: LoadResult) -> LoadResult:
    """The shipped specs plus S1 under the plain Workbook policy (burn-rate pairs only)."""
    s1 = next(s for s in specs.slos if s.id == "s1-call-setup")
    guards = replace(
        s1.alerting.guards,
        min_bad_events=0,
        min_bad_events_short=0,
        budget_forecast=None,
        budget_exhausted=False,
    )
    plain = replace(s1, id=WORKBOOK, alerting=replace(s1.alerting, guards=guards), overrides=())
    return LoadResult((*specs.slos, plain), specs.guards)


def points(batches: dict[str, Any], at: datetime) -> list[tuple[object, ...]]:
    """Delta points of one export: every counter increment of every SAMU, stamped `at`."""
    ts = at - timedelta(milliseconds=1)
    rows: list[tuple[object, ...]] = []
    for samu_id, batch in batches.items():
        for (metric, attributes), values in batch.sums.items():
            total = float(np.sum(values))
            if total:
                component, outcome = rollup(metric, attributes)
                rows.append(
                    (
                        ts,
                        ts + timedelta(milliseconds=300),
                        samu_id,
                        metric,
                        component,
                        outcome,
                        "sum",
                        total,
                    )
                )
    return rows


def spread(samus: list[Any], count: int, shift: int) -> list[Any]:
    """`count` SAMU from the smallest to the largest (by daily calls), shifted per window."""
    ordered = sorted(samus, key=lambda s: (s.daily_calls, s.id))
    step = (len(ordered) - 1) / max(count - 1, 1)
    picks = {
        min(len(ordered) - 1, round(i * step) + (shift if 0 < i < count - 1 else 0))
        for i in range(count)
    }
    return [ordered[i] for i in sorted(picks)]


def window(store: Any, k: int, quick: bool, cap: timedelta, count: int) -> dict[str, Any]:
    """One outage window; returns per outage SAMU the two detection delays (None: not by cap)."""
    from store.clock import FakeClock
    from store.registry import Registry, load_registry

    hour, minute = WINDOWS[k]
    rng = random.Random(7000 + k)
    day = datetime(2030, 10, 7, tzinfo=PARIS) + timedelta(days=2 * k)
    outage = (day + timedelta(hours=hour, minutes=minute)).astimezone(UTC)
    outage += timedelta(seconds=rng.uniform(0, EXPORT_S))
    warm = timedelta(minutes=1 if quick else 2)
    live = outage.replace(second=0, microsecond=0) - warm
    samus = list(load_registry())
    if quick:
        subset = spread(samus, 8, 0)
        ring = {s.id: subset[(i + 1) % len(subset)].id for i, s in enumerate(subset)}
        samus = [s if s.backup_id in ring else replace(s, backup_id=ring[s.id]) for s in subset]
    registry = Registry(samus)
    # 7 h of history: the 6 h page pair of a slice SLI counts minutes before history as bad.
    write_history(store, samus, live - timedelta(hours=7), live, seed=3000 + k)
    down = spread(samus, count, k)
    silent = [s for s in spread(samus, count, k + 3) if s not in down][: max(1, count // 2)]
    kinds: tuple[tuple[ScenarioKind, list[Any]], ...] = (("outage", down), ("carrier", silent))
    played = tuple(
        Scenario(kind, tuple(s.id for s in who), outage.timestamp(), 3600.0, absolute=True)
        for kind, who in kinds
    )
    ids = [s.id for s in samus]
    fleet = Fleet(
        samus,
        Timeline(played, live.timestamp(), ids),
        FleetConfig(seed=4000 + k, heartbeat_interval_s=EXPORT_S),
    )
    clock = FakeClock(live)
    engine, _ = make_engine(store, live, registry=registry)
    sink = TimedSink(clock)
    engine = type(engine)(store, workbook_specs(engine.specs), engine.policy, registry, clock, sink)
    phase = timedelta(seconds=rng.uniform(0.5, EXPORT_S - 0.5))
    t = live
    ticks = []
    while t < outage + cap:
        end = t + timedelta(seconds=EXPORT_S)
        cuts = [t, *([outage] if t < outage < end else []), end]
        for a, b in itertools.pairwise(cuts):
            batches = fleet.step(np.array([a.timestamp()]), (b - a).total_seconds())
            store.insert("points", points(batches, end), POINT_COLUMNS)
        clock.set(end + phase)
        ticks.append(engine.tick().seconds)
        t = end
        outages = all(None not in _found(sink, s.id, outage) for s in down)
        carriers = all(_found(sink, s.id, outage)[0] is not None for s in silent)
        if t > outage and outages and carriers:
            break
    # The first missed check: the first export after the outage began (exports every 10 s).
    missed = live + EXPORT_S * math.ceil((outage - live).total_seconds() / EXPORT_S) * SECOND
    out = []
    for kind, who in (("outage", down), ("carrier", silent)):
        for s in who:
            ours, plain = _found(sink, s.id, outage)
            out.append(
                {
                    "samu": s.id,
                    "kind": kind,
                    "daily_calls": s.daily_calls,
                    "local": outage.astimezone(s.zone).strftime("%H:%M"),
                    "ours_s": ours,
                    "ours_after_missed_s": None
                    if ours is None
                    else ours - (missed - outage).total_seconds(),
                    "workbook_s": plain,
                }
            )
    hit = {s.id for s in (*down, *silent)}
    false = sorted({key[0] or "fleet" for key in sink.first if key[0] not in hit})
    return {
        "outages": out,
        "local": f"{hour:02d}:{minute:02d}",
        "seeds": f"{3000 + k}/{4000 + k}",
        "false_page_samu": false,
        "ticks": len(ticks),
        "tick_ms_median": float(np.median(ticks)) * 1000,
    }


def _found(sink: TimedSink, samu: str, start: datetime) -> tuple[float | None, float | None]:
    ours = [t for (s, _, slo), t in sink.first.items() if s == samu and slo != WORKBOOK]
    plain = [t for (s, name, slo), t in sink.first.items() if s == samu and slo == WORKBOOK]
    first = min(ours, default=None)
    wb = min(plain, default=None)
    return (
        None if first is None else (first - start).total_seconds(),
        None if wb is None else (wb - start).total_seconds(),
    )


def child(workdir: Path, quick: bool) -> dict[str, Any]:
    """Every window in its own database of one store."""
    from store.client import open_store
    from store.migrations import migrate
    from vigie.schema import all_migrations

    base = open_store(f"chdb://{workdir / 'clickhouse'}", "bench")
    results = []
    windows = 1 if quick else len(WINDOWS)
    for k in range(windows):
        store = base.with_database(f"detect{k}")
        migrate(store, migrations=all_migrations())
        cap = timedelta(minutes=1 if quick else 10)
        results.append(window(store, k, quick, cap, 3 if quick else 8))
    return {"windows": results, "cap_s": (1 if quick else 10) * 60}


if __name__ == "__main__":
    print(json.dumps(child(Path(sys.argv[1]), sys.argv[2] == "quick")))
