"""Synthetic rows written by the store's engine itself, for backtests and benchmarks.

A simulated month has millions of regular points (every SAMU's reachability check every 10 s);
building them in Python and sending them would take minutes, so the engine generates them:
`regular_points` writes one counter point of 1 per interval, except at the instants given;
points inside a late window are received that much later (a backlog that arrived late).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from store.client import Store

_REGULAR = """
INSERT INTO {db}.points (ts, received_at, samu_id, metric, component, outcome, kind, value)
SELECT t, t + toIntervalMillisecond({delay_ms:UInt64} + arraySum(arrayMap(
         (a, b, d) -> if(toUnixTimestamp64Milli(t) >= a AND toUnixTimestamp64Milli(t) < b, d, 0),
         {late_a:Array(Int64)}, {late_b:Array(Int64)}, {late_d:Array(Int64)}))),
       {samu:String}, {metric:String}, '', {outcome:String}, 'sum', 1
FROM (SELECT toDateTime64({first:DateTime('UTC')}, 3, 'UTC')
             + toIntervalMillisecond(number * {every_ms:UInt64} + {offset_ms:UInt64}) AS t
      FROM numbers({n:UInt64}))
WHERE toUnixTimestamp64Milli(t) NOT IN {skipped:Array(Int64)}
"""


def regular_points(
    store: Store,
    samu_id: str,
    metric: str,
    outcome: str,
    first: datetime,
    every: timedelta,
    count: int,
    skipped_ms: Sequence[int] = (),
    delay: timedelta = timedelta(milliseconds=300),
    late_ms: Sequence[tuple[int, int, int]] = (),
) -> int:
    """`count` points of value 1 at first + every − 1 ms, + 2 × every − 1 ms, … (the end of each
    interval), received `delay` later, except at the instants `skipped_ms` (Unix ms); a point
    in a window (start, end, extra) of `late_ms` (Unix ms, [start, end)) is received `extra` ms
    later still. Returns how many were written."""
    every_ms = int(every.total_seconds() * 1000)
    params = {
        "samu": samu_id,
        "metric": metric,
        "outcome": outcome,
        "first": first,
        "every_ms": every_ms,
        "offset_ms": every_ms - 1,
        "delay_ms": int(delay.total_seconds() * 1000),
        "n": count,
        "skipped": list(skipped_ms),
        "late_a": [a for a, _, _ in late_ms],
        "late_b": [b for _, b, _ in late_ms],
        "late_d": [d for _, _, d in late_ms],
    }
    store.command(_REGULAR, params)
    start_ms = int(first.timestamp() * 1000) + every_ms - 1
    slots = {(ms - start_ms) // every_ms for ms in skipped_ms if (ms - start_ms) % every_ms == 0}
    return count - len({i for i in slots if 0 <= i < count})
