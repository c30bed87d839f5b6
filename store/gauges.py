"""Gauge summaries per SAMU and minute, from `minute_gauges` (network latency, component health).

A gauge is a level, not an event count: its minute keeps Σ value and the number of points n
(and min, max). Readers — the migration comparison, the UI — take the mean over any set of
minutes as Σ values / Σ points, so that a minute with more points weighs more and a minute
without a point weighs nothing (no data is never a value). This module reads the per-minute
sums once (`read_minutes`, several components of one metric summed) and sums them over spans
of minutes (`GaugeMinutes.sums`), leaving out the minutes the caller names (planned
maintenance: `GaugeMinutes.without`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import numpy.typing as npt

from store.client import Store

MINUTE_S = 60
Floats = npt.NDArray[np.float64]
Spans = Mapping[int, Sequence[tuple[float, float]]]  # SAMU row → [start, end) seconds to leave out

_SQL = """
SELECT samu_id, toUnixTimestamp(minute) AS at, sum(sum) AS total, sum(n) AS points
FROM {db}.minute_gauges
WHERE samu_id IN {samus:Array(String)} AND metric = {metric:String}
  AND minute >= {start:DateTime('UTC')} AND minute < {end:DateTime('UTC')}
  AND (empty({components:Array(String)}) OR has({components:Array(String)}, component))
GROUP BY samu_id, minute
"""


@dataclass(frozen=True)
class GaugeMinutes:
    """Σ values and points of one gauge per SAMU (rows, in `samus` order) and minute from `t0`."""

    samus: tuple[str, ...]
    t0: int  # Unix seconds of the first minute (a whole minute)
    total: Floats  # SAMU × minute
    points: Floats  # SAMU × minute

    def without(self, spans: Spans) -> GaugeMinutes:
        """The same minutes with those overlapping `spans` (per SAMU row) left out."""
        n = self.total.shape[1]
        keep = np.ones(self.total.shape, dtype=bool)
        for row, pairs in spans.items():
            for x, y in pairs:
                lo = max(0, int((x - self.t0) // MINUTE_S))
                hi = min(n, -int(-(y - self.t0) // MINUTE_S))
                if hi > lo:
                    keep[row, lo:hi] = False
        return GaugeMinutes(
            self.samus, self.t0, np.where(keep, self.total, 0.0), np.where(keep, self.points, 0.0)
        )

    def sums(self, start: int, end: int) -> tuple[Floats, Floats]:
        """Per SAMU, Σ values and Σ points over the whole minutes of [start, end) held."""
        n = self.total.shape[1]
        a = min(max(0, -(-(start - self.t0) // MINUTE_S)), n)
        b = min(max(0, (end - self.t0) // MINUTE_S), n)
        total: Floats = self.total[:, a:b].sum(axis=1)
        points: Floats = self.points[:, a:b].sum(axis=1)
        return total, points


def read_minutes(
    store: Store,
    metric: str,
    samus: Sequence[str],
    start: datetime,
    end: datetime,
    components: Sequence[str] = (),
) -> GaugeMinutes:
    """The per-minute Σ and points of `metric` for `samus` over [start, end) (whole minutes),
    the `components` given summed (all of them when none is given)."""
    t0 = int(start.timestamp()) // MINUTE_S * MINUTE_S
    n = max(0, -(-(int(end.timestamp()) - t0) // MINUTE_S))
    index = {s: i for i, s in enumerate(samus)}
    total = np.zeros((len(samus), n))
    points = np.zeros((len(samus), n))
    if samus and n:
        ids, at, sums, counts = store.query_columns(
            _SQL,
            {
                "samus": list(samus),
                "metric": metric,
                "start": start,
                "end": end,
                "components": list(components),
            },
            4,
        )
        rows = np.array([index[s] for s in ids], dtype=np.int64)
        cols = (np.asarray(at, dtype=np.int64) - t0) // MINUTE_S
        ok = (cols >= 0) & (cols < n)
        np.add.at(total, (rows[ok], cols[ok]), np.asarray(sums, dtype=np.float64)[ok])
        np.add.at(points, (rows[ok], cols[ok]), np.asarray(counts, dtype=np.float64)[ok])
    return GaugeMinutes(tuple(samus), t0, total, points)
