"""Cumulative → delta conversion and duplicate detection per series, as pure values.

Policy (OTLP data model, "Sums" and "Resets and gaps"):

- Each series (`series_key`) keeps its last accepted point: time, start time, raw cumulative
  value and buckets. Times are compared at millisecond precision, the precision of the store,
  so that a state rebuilt from `series_last` after a restart decides exactly as the live one.
- Duplicates and late data: a point whose time is not after the series' last accepted time is
  dropped and counted as a duplicate, whatever its temporality. This is what makes a client's
  retry, or a request delivered twice, count once — also after a restart, since the state is
  rebuilt from the store. A cumulative point that arrives out of order loses nothing (the next
  cumulative point covers it); an out-of-order *delta* point is dropped too (OTel SDKs export a
  series in order and retry a failed request before sending the next one).
- Cumulative sums and histograms: the first point of a series counts in full when it has a
  start time (its value is the count since that start); without a start time it only sets the
  baseline (delta 0), because its value may include counts from before we watched. After that,
  delta = value − last value, bucket by bucket for histograms. A reset — a later start time, a
  value, count or bucket that falls, or different histogram bounds — counts the new value in
  full (what happened since the restart).
- Delta sums and histograms are written as sent; gauges are written as sent.
- The write path does not bound how old a point may be: the validator rejects points older than
  the configured maximum age (`max_point_age_days`) before they get here.

`DeltaTracker.convert` never changes the committed state; the writer calls `commit` only once
the rows are durably inserted, so a failed insert followed by the client's retry is neither
lost nor counted twice.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from operator import attrgetter, lt, sub
from typing import NamedTuple

from collector.model import DataPoint
from collector.rows import NS_PER_MS, PointRow, point_row, series_key_of

_TIME = attrgetter("time_ns")


def to_ms_ns(ns: int) -> int:
    """Nanoseconds truncated to the store's millisecond precision."""
    return ns // NS_PER_MS * NS_PER_MS


@dataclass(frozen=True, slots=True)
class SeriesState:
    """The last accepted point of a series (times truncated to milliseconds)."""

    last_ns: int
    start_ns: int
    cumulative: float
    cumulative_buckets: tuple[int, ...] = ()
    # Not kept in `series_last`: () and NaN mean "unknown" after a restart.
    bounds: tuple[float, ...] = ()
    hist_sum: float = math.nan


class Step(NamedTuple):
    """What one accepted point contributes: its delta and the series' state after it."""

    value: float
    bucket_counts: tuple[int, ...]
    hist_sum: float
    state: SeriesState


@dataclass(frozen=True)
class Conversion:
    """Rows to insert, the number of duplicates dropped, and the state to commit after."""

    rows: list[PointRow]
    duplicates: int
    new_state: dict[int, SeriesState]


def _is_reset(point: DataPoint, start_ns: int, prev: SeriesState) -> bool:
    if start_ns > prev.start_ns or point.value < prev.cumulative:
        return True
    if point.kind != "histogram":
        return False
    buckets, before = point.bucket_counts, prev.cumulative_buckets
    if len(buckets) != len(before):
        return True
    if prev.bounds and point.bounds != prev.bounds:
        return True
    return any(map(lt, buckets, before))


def advance(point: DataPoint, prev: SeriesState | None) -> Step | None:
    """The delta of one point given its series' previous state; None for a duplicate."""
    # The hot path of ingest: written for speed (one state and one step per accepted point).
    time_ns = point.time_ns // NS_PER_MS * NS_PER_MS
    if prev is not None and time_ns <= prev.last_ns:
        return None
    start_ns = point.start_ns // NS_PER_MS * NS_PER_MS
    value, buckets = point.value, point.bucket_counts
    state = SeriesState(time_ns, start_ns, value, buckets, point.bounds, point.hist_sum)
    if point.kind == "gauge" or point.temporality != "cumulative":
        return Step(value, buckets, point.hist_sum, state)
    if prev is None:
        if start_ns > 0:
            return Step(value, buckets, point.hist_sum, state)
        return Step(0.0, (0,) * len(buckets), 0.0, state)
    if _is_reset(point, start_ns, prev):
        return Step(value, buckets, point.hist_sum, state)
    if buckets:
        buckets = tuple(map(sub, buckets, prev.cumulative_buckets))
    # The last sum is unknown after a restart (not persisted): the mean is off for one interval.
    hist_sum = 0.0 if math.isnan(prev.hist_sum) else point.hist_sum - prev.hist_sum
    return Step(value - prev.cumulative, buckets, hist_sum, state)


class DeltaTracker:
    """The committed state of every series, and the conversion of new points against it."""

    def __init__(self, state: Mapping[int, SeriesState] | None = None) -> None:
        self._state: dict[int, SeriesState] = dict(state or {})

    def __len__(self) -> int:
        return len(self._state)

    def get(self, key: int) -> SeriesState | None:
        return self._state.get(key)

    def convert(
        self,
        points: Iterable[DataPoint],
        received_ns: int,
        pending: Mapping[int, SeriesState] | None = None,
    ) -> Conversion:
        """Rows for `points` against the committed state, seen through `pending` (not committed).

        Points are taken in time order, so several points of one series in a batch chain.
        """
        new_state: dict[int, SeriesState] = {}
        rows: list[PointRow] = []
        duplicates = 0
        committed, waiting = self._state, pending or {}
        received_ms = received_ns // NS_PER_MS
        for point in sorted(points, key=_TIME):
            key = point.series_key or series_key_of(point)
            prev = new_state.get(key) or waiting.get(key) or committed.get(key)
            step = advance(point, prev)
            if step is None:
                duplicates += 1
                continue
            new_state[key] = step.state
            rows.append(point_row(point, key, received_ms, step))
        return Conversion(rows, duplicates, new_state)

    def commit(self, new_state: Mapping[int, SeriesState]) -> None:
        """Make converted state current; call only once its rows are durably stored."""
        self._state.update(new_state)

    def restore(self, keys: Iterable[int], stored: Mapping[int, SeriesState]) -> None:
        """Replace the state of `keys` by what the store holds (after an uncertain insert)."""
        for key in keys:
            known, prev = stored.get(key), self._state.get(key)
            if known is None:
                self._state.pop(key, None)
            elif prev is None or prev.last_ns != known.last_ns:
                self._state[key] = known
            # else: the same point; keep what the store cannot hold (bounds, sum).

    def expire(self, before_ns: int) -> int:
        """Forget series silent since before `before_ns` (as the store's TTL does); how many."""
        old = [k for k, s in self._state.items() if s.last_ns < before_ns]
        for key in old:
            del self._state[key]
        return len(old)
