"""The one rule of the write path: the delta of a point given its predecessor in time (pure).

Policy (OTLP data model, "Sums" and "Resets and gaps"):

- Times are compared at millisecond precision, the precision of the store, so that a state
  rebuilt from the store decides exactly as the live one.
- A point is a duplicate only when it is *the same point*: same series, same start time and
  time, same value (and buckets, and sum when both are known). The same series and time with
  another start time or value is a *conflict*: refused with the reason `conflict`, never
  silently dropped, never stored over the first.
- Gauges and delta sums/histograms are written as sent, whatever their order.
- Cumulative sums and histograms: `increase(point, predecessor)`. Without a predecessor a point
  counts in full when it has a start time (its value is the count since that start); without a
  start time it only sets the baseline (delta 0), because its value may include counts from
  before we watched. A reset — a later start time, a value, count or bucket that falls, or
  other histogram bounds — counts the new value in full. Otherwise the delta is the difference,
  bucket by bucket for histograms.
- The same rule serves points that arrive out of order (collector.tracker): a late cumulative
  point between two stored points gets `increase(late, predecessor)` and the stored successor
  is corrected by `increase(successor, late)` minus what its rows hold, so that the stored
  deltas are always those of the points in time order, whatever order they arrived in.
- The validator refuses points older than the late-data horizon (`max_point_age_days`) before
  they get here (reason `too_old`).
"""

from __future__ import annotations

import math
from operator import lt, sub
from typing import Literal, NamedTuple

from collector.model import DataPoint
from collector.rows import NS_PER_MS

DUPLICATE: Literal["duplicate"] = "duplicate"
CONFLICT: Literal["conflict"] = "conflict"
Verdict = Literal["duplicate", "conflict"]


def to_ms_ns(ns: int) -> int:
    """Nanoseconds truncated to the store's millisecond precision."""
    return ns // NS_PER_MS * NS_PER_MS


class SeriesState(NamedTuple):
    """A point's values as sent (times truncated to milliseconds); a series keeps its last.

    A named tuple: one is made per point on the hot path."""

    last_ns: int
    start_ns: int
    cumulative: float  # the value as sent: a sum, a gauge, a histogram's count
    cumulative_buckets: tuple[int, ...] = ()
    bounds: tuple[float, ...] = ()  # () when unknown (stored before bounds were kept)
    hist_sum: float = math.nan  # the histogram's sum as sent; NaN when unknown


class Step(NamedTuple):
    """What one point contributes (its delta) and its values as sent."""

    value: float
    bucket_counts: tuple[int, ...]
    hist_sum: float
    state: SeriesState


def state_of(point: DataPoint) -> SeriesState:
    """The point's values as sent, at the store's precision."""
    return SeriesState(
        point.time_ns // NS_PER_MS * NS_PER_MS,
        point.start_ns // NS_PER_MS * NS_PER_MS,
        point.value,
        point.bucket_counts,
        point.bounds,
        point.hist_sum,
    )


def is_cumulative(point: DataPoint) -> bool:
    """Whether the point's value is a running total that needs `increase`."""
    return point.kind != "gauge" and point.temporality == "cumulative"


def same_point(a: SeriesState, b: SeriesState) -> bool:
    """Whether two points of one series at the same time are the same point (not a conflict)."""
    if a.start_ns != b.start_ns or a.cumulative != b.cumulative:
        return False
    if a.cumulative_buckets != b.cumulative_buckets:
        return False
    return math.isnan(a.hist_sum) or math.isnan(b.hist_sum) or a.hist_sum == b.hist_sum


def _is_reset(point: SeriesState, prev: SeriesState) -> bool:
    if point.start_ns > prev.start_ns or point.cumulative < prev.cumulative:
        return True
    buckets, before = point.cumulative_buckets, prev.cumulative_buckets
    if not buckets and not before:
        return False
    if len(buckets) != len(before):
        return True
    if prev.bounds and point.bounds and point.bounds != prev.bounds:
        return True
    return any(map(lt, buckets, before))


def increase(point: SeriesState, prev: SeriesState | None, cumulative: bool = True) -> Step:
    """The delta of a point given its predecessor in time (None: it is the series' first)."""
    value, buckets, total = point.cumulative, point.cumulative_buckets, point.hist_sum
    full = Step(value, buckets, 0.0 if math.isnan(total) else total, point)
    if not cumulative:
        return full
    if prev is None:
        if point.start_ns > 0:
            return full
        return Step(0.0, (0,) * len(buckets), 0.0, point)
    if _is_reset(point, prev):
        return full
    if buckets:
        buckets = tuple(map(sub, buckets, prev.cumulative_buckets))
    # A sum unknown on either side (stored before sums were kept): the mean is off once.
    total = 0.0 if math.isnan(total) or math.isnan(prev.hist_sum) else total - prev.hist_sum
    return Step(value - prev.cumulative, buckets, total, point)


def advance(point: DataPoint, prev: SeriesState | None) -> Step | Verdict | None:
    """The in-order fast path: the point's Step when it is newer than `prev`, the verdict when
    it has `prev`'s time, None when it is older (late: collector.tracker merges it)."""
    state = state_of(point)
    if prev is not None and state.last_ns <= prev.last_ns:
        if state.last_ns < prev.last_ns:
            return None
        return DUPLICATE if same_point(state, prev) else CONFLICT
    return increase(state, prev, is_cumulative(point))
