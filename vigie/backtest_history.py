"""Simulated history written straight into the store, with its ground truth (backtests, bench).

The simulator's fleet is stepped minute by minute (`Fleet.step`, the model `vigie simulate`
uses) and what it drew is written where the collector's views would put it: counters and the
setup-latency buckets into `minute_counts`, and the reachability checks as `points` every 10 s
(one check per 10 s export, the ones the fleet drew as failed marked `fail`), which also fills
`minute_ingest`. The scenarios' windows are the ground truth a backtest is scored against.
Dates must be recent or in the future: `points` keeps 35 days.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np

from collector.conventions import SETUP_BOUNDS
from collector.simulator.fleet import CHECKS, SETUP_DURATION, SETUPS, Fleet, FleetConfig, SamuBatch
from collector.simulator.scenarios import Scenario, Timeline
from collector.simulator.tally import rollup
from collector.simulator.traffic import SamuInfo
from slo.backtest_score import Incident
from store.client import Store
from store.synthetic import regular_points

COUNT_COLUMNS = ("minute", "samu_id", "metric", "component", "outcome", "le", "value")
POINT_COLUMNS = ("ts", "received_at", "samu_id", "metric", "component", "outcome", "kind", "value")
CHECK_EVERY_S = 10
NOT_INCIDENTS = ("surge", "maintenance")  # planned or harmless: nothing should page


@dataclass(frozen=True)
class History:
    """What was written: rows, call setups drawn, and the incidents played (ground truth)."""

    count_rows: int
    check_points: int
    setups: int
    incidents: tuple[Incident, ...]


def incidents(timeline: Timeline, samu_ids: Sequence[str]) -> tuple[Incident, ...]:
    """The scenario windows that should page (surges and planned maintenance excluded)."""
    found = [
        Incident(
            w.scenario.kind,
            samu,
            datetime.fromtimestamp(w.start, UTC),
            datetime.fromtimestamp(w.end, UTC),
        )
        for samu in samu_ids
        for w in timeline.windows(samu)
        if w.scenario.kind not in NOT_INCIDENTS
    ]
    return tuple(sorted(found, key=lambda i: (i.start, i.samu)))


def _count_rows(
    batch: SamuBatch, thresholds: Sequence[float]
) -> tuple[list[tuple[object, ...]], dict[int, list[tuple[int, str]]]]:
    """minute_counts rows of one SAMU's batch, and its failed checks per minute (component)."""
    minutes = [datetime.fromtimestamp(float(s), UTC) for s in batch.starts]
    rows: list[tuple[object, ...]] = []
    failed: dict[int, list[tuple[int, str]]] = {}
    for (metric, attributes), values in batch.sums.items():
        component, outcome = rollup(metric, attributes)
        nz = np.flatnonzero(values)
        if metric == CHECKS:
            if outcome != "ok":
                for j in nz:
                    failed.setdefault(int(j), []).append((int(values[j]), component))
            continue
        rows += [
            (minutes[j], batch.samu_id, metric, component, outcome, math.inf, float(values[j]))
            for j in nz
        ]
    counts, _ = batch.hists.get((SETUP_DURATION, ()), (None, None))
    if counts is not None:
        cumulative = np.cumsum(counts, axis=1)
        columns = [(le, SETUP_BOUNDS.index(le)) for le in thresholds if le in SETUP_BOUNDS]
        columns.append((math.inf, counts.shape[1] - 1))
        for j in np.flatnonzero(cumulative[:, -1]):
            for le, k in columns:
                rows.append(
                    (minutes[j], batch.samu_id, SETUP_DURATION, "", "", le, float(cumulative[j, k]))
                )
    return rows, failed


def _check_points(
    samu_id: str, first: int, failed: dict[int, list[tuple[int, str]]]
) -> tuple[list[int], list[tuple[object, ...]]]:
    """Failed checks as points: the last ones of their minute, at the 10 s export instants."""
    skipped: list[int] = []
    rows: list[tuple[object, ...]] = []
    per_minute = 60 // CHECK_EVERY_S
    for j, fails in failed.items():
        slot = per_minute
        for count, component in fails:
            for _ in range(min(count, slot)):
                slot -= 1
                ms = (first + j * 60 + slot * CHECK_EVERY_S) * 1000 + CHECK_EVERY_S * 1000 - 1
                skipped.append(ms)
                ts = datetime.fromtimestamp(ms / 1000, UTC)
                rows.append(
                    (
                        ts,
                        ts + timedelta(milliseconds=300),
                        samu_id,
                        CHECKS,
                        component,
                        "fail",
                        "sum",
                        1.0,
                    )
                )
    return skipped, rows


def write_history(
    store: Store,
    samus: Sequence[SamuInfo],
    first: datetime,
    end: datetime,
    seed: int,
    scenarios: Sequence[Scenario] = (),
    thresholds: Sequence[float] = (1.0, 3.0),
    chunk: timedelta = timedelta(hours=12),
) -> History:
    """Simulate [first, end) (whole minutes; scenario offsets count from `first`) into `store`."""
    ids = [s.id for s in samus]
    origin = int(first.timestamp())
    timeline = Timeline(tuple(scenarios), float(origin), ids)
    fleet = Fleet(samus, timeline, FleetConfig(seed=seed, heartbeat_interval_s=CHECK_EVERY_S))
    total = int((end - first).total_seconds() // 60)
    skipped: dict[str, list[int]] = {i: [] for i in ids}
    count_rows = checks = setups = 0
    step = int(chunk.total_seconds() // 60)
    for begin in range(0, total, step):
        n = min(step, total - begin)
        starts = origin + 60.0 * (begin + np.arange(n, dtype=np.float64))
        rows: list[tuple[object, ...]] = []
        fails: list[tuple[object, ...]] = []
        for samu_id, batch in fleet.step(starts, 60.0).items():
            counted, failed = _count_rows(batch, thresholds)
            rows += counted
            setups += sum(int(v.sum()) for (m, _), v in batch.sums.items() if m == SETUPS)
            ms, points = _check_points(samu_id, origin + 60 * begin, failed)
            skipped[samu_id] += ms
            fails += points
        store.insert("minute_counts", rows, COUNT_COLUMNS)
        store.insert("points", fails, POINT_COLUMNS)
        count_rows += len(rows)
        checks += len(fails)
    every = timedelta(seconds=CHECK_EVERY_S)
    for samu_id in ids:  # every 10 s export carries one successful check unless it failed
        n = total * 60 // CHECK_EVERY_S
        checks += regular_points(store, samu_id, CHECKS, "ok", first, every, n, skipped[samu_id])
    return History(count_rows, checks, setups, incidents(timeline, ids))
