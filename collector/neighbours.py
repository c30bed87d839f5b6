"""The stored neighbours of late points: what collector.tracker merges them with.

For every late series of a batch the tracker needs, around each late point, the stored point
before it, the stored point at its time (a duplicate or a conflict) and the stored point after
it (its delta changes). One query per batch reads every stored point of the late series within
an hour of the batch's late points, on `points` by SAMU, metric and time so that the primary key
prunes; only a series whose predecessor or successor lies further away costs a second query (the
nearest stored point on each side, found through the same key, with the same query text).

Each stored point comes back with its values as sent (its own row) and the delta its rows hold
now (its own row plus any correction rows), so a correction is computed against what is
stored, whatever rule or order produced it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, Protocol

from collector.delta import SeriesState, Step
from collector.rows import NS_PER_MS
from collector.tracker import LateSeries, StoredPoint

# How far around the late points the first query looks for their neighbours.
WINDOW_NS = 3600 * 1_000_000_000

# Every stored point of the late series in the window [lo, hi], and the nearest one before
# `before_lo` of the series in `before` and after `after_hi` of the series in `after` (the
# second query only: the first gives them empty and the second an empty window).
_NEIGHBOURS_SQL = """
SELECT series_key, toUnixTimestamp64Milli(ts) AS t,
       anyIf(toUnixTimestamp64Milli(start_ts), NOT correction),
       anyIf(cumulative, NOT correction),
       anyIf(cumulative_buckets, NOT correction),
       anyIf(bounds, NOT correction),
       anyIf(cumulative_sum, NOT correction),
       sum(value), sumForEach(bucket_counts), sum(hist_sum)
FROM {db}.points
WHERE samu_id IN {samus:Array(String)} AND metric IN {metrics:Array(String)}
  AND series_key IN {keys:Array(UInt64)}
  AND (
    (ts >= fromUnixTimestamp64Milli({lo:Int64}, 'UTC')
     AND ts <= fromUnixTimestamp64Milli({hi:Int64}, 'UTC'))
    OR (samu_id, metric, series_key, ts) IN (
      SELECT samu_id, metric, series_key, max(ts) FROM {db}.points
      WHERE length({before:Array(UInt64)}) > 0
        AND samu_id IN {samus:Array(String)} AND metric IN {metrics:Array(String)}
        AND series_key IN {before:Array(UInt64)} AND NOT correction
        AND ts >= fromUnixTimestamp64Milli({since:Int64}, 'UTC')
        AND ts < fromUnixTimestamp64Milli({before_lo:Int64}, 'UTC')
      GROUP BY samu_id, metric, series_key
      UNION ALL
      SELECT samu_id, metric, series_key, min(ts) FROM {db}.points
      WHERE length({after:Array(UInt64)}) > 0
        AND samu_id IN {samus:Array(String)} AND metric IN {metrics:Array(String)}
        AND series_key IN {after:Array(UInt64)} AND NOT correction
        AND ts > fromUnixTimestamp64Milli({after_hi:Int64}, 'UTC')
        AND ts <= fromUnixTimestamp64Milli({until:Int64}, 'UTC')
      GROUP BY samu_id, metric, series_key))
GROUP BY series_key, t HAVING countIf(NOT correction) > 0
"""


class Reader(Protocol):
    def query(
        self, text: str, parameters: dict[str, Any] | None = None
    ) -> list[tuple[Any, ...]]: ...


def stored_neighbours(
    store: Reader, late: Mapping[int, LateSeries], since_ns: int
) -> dict[int, list[StoredPoint]]:
    """The stored points around the late points of each series, in time order (at most two
    queries); `since_ns` bounds how far back a predecessor is looked for."""
    if not late:
        return {}
    common = {
        "samus": sorted({s.samu_id for s in late.values()}),
        "metrics": sorted({s.metric for s in late.values()}),
        "keys": sorted(late),
    }
    lo = min(s.first_ns for s in late.values()) - WINDOW_NS
    hi = max(s.last_ns for s in late.values()) + WINDOW_NS
    params: dict[str, Any] = {
        **common,
        "lo": lo // NS_PER_MS,
        "hi": hi // NS_PER_MS,
        "before": [],
        "after": [],
        "since": since_ns // NS_PER_MS,
        "before_lo": lo // NS_PER_MS,
        "after_hi": hi // NS_PER_MS,
        "until": max(s.stored_ns for s in late.values()) // NS_PER_MS,
    }
    found: dict[int, dict[int, StoredPoint]] = {}
    _collect(store.query(_NEIGHBOURS_SQL, params), found)
    for key, series in late.items():
        times = found.get(key, {})
        if not any(t < series.first_ns for t in times):
            params["before"].append(key)
        if not any(t > series.last_ns for t in times):
            params["after"].append(key)
    if params["before"] or params["after"]:
        # Only the far neighbours: an empty window.
        _collect(store.query(_NEIGHBOURS_SQL, {**params, "lo": 1, "hi": 0}), found)
    return {key: [points[t] for t in sorted(points)] for key, points in found.items()}


def _collect(rows: list[tuple[Any, ...]], found: dict[int, dict[int, StoredPoint]]) -> None:
    for key, t, start, value, buckets, bounds, total, held, held_buckets, held_sum in rows:
        time_ns = int(t) * NS_PER_MS
        state = SeriesState(
            time_ns,
            int(start) * NS_PER_MS,
            float(value),
            tuple(int(b) for b in buckets),
            tuple(float(b) for b in bounds),
            float(total) if total is not None else math.nan,
        )
        kept = Step(float(held), tuple(int(b) for b in held_buckets), float(held_sum), state)
        found.setdefault(int(key), {})[time_ns] = StoredPoint(state, kept)
