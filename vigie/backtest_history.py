"""Simulated history written straight into the store, with its ground truth (backtests, bench).

The simulator's fleet is stepped minute by minute (`Fleet.step`, the model `vigie simulate`
uses) and what it drew is written where the collector's views would put it: counters and the
setup-latency buckets into `minute_counts`, and the reachability checks as `points` every 10 s
(one check per 10 s export, the ones the fleet drew as failed marked `fail`), which also fills
`minute_ingest`. The scenarios' windows are the ground truth a backtest is scored against.
Delivery scenarios change only what reaches the store: a collector `restart` loses the targets'
minutes, a `late` window stamps their checks as received `delay` later (what is stored is the
same: a backtest reads history as it stands). Dates must be recent or in the future: `points`
keeps 35 days.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
from numpy.typing import NDArray

from collector.conventions import SETUP_BOUNDS
from collector.simulator.fleet import CHECKS, SETUP_DURATION, SETUPS, Fleet, FleetConfig, SamuBatch
from collector.simulator.scenarios import ALL_SAMU, Scenario, Timeline
from collector.simulator.tally import rollup
from collector.simulator.traffic import SamuInfo
from slo.backtest_score import PLATFORM, Incident
from store.client import Store
from store.synthetic import regular_points

COUNT_COLUMNS = ("minute", "samu_id", "metric", "component", "outcome", "le", "value")
POINT_COLUMNS = ("ts", "received_at", "samu_id", "metric", "component", "outcome", "kind", "value")
CHECK_EVERY_S = 10
NOT_INCIDENTS = ("surge", "maintenance", "late")  # planned, harmless, or late but complete


@dataclass(frozen=True)
class History:
    """What was written: rows, call setups drawn, and the incidents played (ground truth)."""

    count_rows: int
    check_points: int
    setups: int
    incidents: tuple[Incident, ...]


def incidents(timeline: Timeline, samu_ids: Sequence[str]) -> tuple[Incident, ...]:
    """The scenario windows that should page (surges, planned maintenance and complete late
    data excluded). A scenario on every simulated SAMU is fleet-wide; a collector restart on
    every SAMU is one incident of the platform itself (samu '')."""
    everyone = set(samu_ids)
    found: set[Incident] = set()
    for samu in samu_ids:
        for w in timeline.windows(samu):
            s = w.scenario
            if s.kind in NOT_INCIDENTS:
                continue
            targets = everyone if s.samu_ids == (ALL_SAMU,) else set(s.samu_ids)
            fleet = len(everyone) > 1 and targets >= everyone
            start = datetime.fromtimestamp(w.start, UTC)
            end = datetime.fromtimestamp(w.end, UTC)
            owner = PLATFORM if s.kind == "restart" and fleet else samu
            found.add(Incident(s.kind, owner, start, end, fleet))
    return tuple(sorted(found, key=lambda i: (i.start, i.samu, i.kind)))


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
    samu_id: str, first: int, failed: dict[int, list[tuple[int, str]]], delay: NDArray[np.float64]
) -> tuple[list[int], list[tuple[object, ...]]]:
    """Failed checks as points: the last ones of their minute, at the 10 s export instants,
    received `delay[j]` seconds late in minute j."""
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
                        ts + timedelta(milliseconds=300, seconds=float(delay[j])),
                        samu_id,
                        CHECKS,
                        component,
                        "fail",
                        "sum",
                        1.0,
                    )
                )
    return skipped, rows


def _instants(minutes: NDArray[np.float64]) -> list[int]:
    """The check instants (ms) of the minutes starting at `minutes` (epoch s)."""
    per_minute = 60 // CHECK_EVERY_S
    return [
        int(m) * 1000 + (k + 1) * CHECK_EVERY_S * 1000 - 1
        for m in minutes
        for k in range(per_minute)
    ]


def _late_ranges(
    starts: NDArray[np.float64], delay: NDArray[np.float64]
) -> list[tuple[int, int, int]]:
    """[from, to) ms ranges of minutes received late, with their delay in ms."""
    out: list[tuple[int, int, int]] = []
    for j in np.flatnonzero(delay > 0):
        a, d = int(starts[j]) * 1000, int(delay[j] * 1000)
        if out and out[-1][1] == a and out[-1][2] == d:
            out[-1] = (out[-1][0], a + 60_000, d)
        else:
            out.append((a, a + 60_000, d))
    return out


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
    late: dict[str, list[tuple[int, int, int]]] = {i: [] for i in ids}
    count_rows = checks = setups = 0
    step = int(chunk.total_seconds() // 60)
    for begin in range(0, total, step):
        n = min(step, total - begin)
        starts = origin + 60.0 * (begin + np.arange(n, dtype=np.float64))
        rows: list[tuple[object, ...]] = []
        fails: list[tuple[object, ...]] = []
        for samu_id, batch in fleet.step(starts, 60.0).items():
            lost, delay = timeline.delivery(samu_id, starts)
            counted, failed = _count_rows(batch, thresholds)
            gone = {datetime.fromtimestamp(float(starts[j]), UTC) for j in np.flatnonzero(lost)}
            rows += [r for r in counted if r[0] not in gone]
            failed = {j: f for j, f in failed.items() if not lost[j]}
            setups += sum(int(v.sum()) for (m, _), v in batch.sums.items() if m == SETUPS)
            ms, points = _check_points(samu_id, origin + 60 * begin, failed, delay)
            skipped[samu_id] += ms + _instants(starts[lost])
            fails += points
            late[samu_id] += _late_ranges(starts, delay)
        store.insert("minute_counts", rows, COUNT_COLUMNS)
        store.insert("points", fails, POINT_COLUMNS)
        count_rows += len(rows)
        checks += len(fails)
    every = timedelta(seconds=CHECK_EVERY_S)
    for samu_id in ids:  # every 10 s export carries one successful check unless it failed
        n = total * 60 // CHECK_EVERY_S
        checks += regular_points(
            store, samu_id, CHECKS, "ok", first, every, n, skipped[samu_id], late_ms=late[samu_id]
        )
    return History(count_rows, checks, setups, incidents(timeline, ids))
