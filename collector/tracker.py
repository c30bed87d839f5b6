"""The delta state of every series, and a batch of requests converted against it (pure).

In-order points — newer than their series' last stored point, the common case — are decided in
memory against that last point. Points older than it are *late*: the writer first asks the store
for their stored neighbours (collector.neighbours, one query per batch), then `convert` merges
each series' batch points with its stored points in time order and applies collector.delta's one
rule to every new point and to every stored point whose predecessor changed (a correction row:
what it should hold minus what its rows hold now).

`convert` never changes the committed state; the writer calls `commit` only once the rows are
durably inserted, so a failed insert followed by the client's retry is neither lost nor counted
twice. Late points never change a series' last point, so they need no state.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from operator import sub
from typing import NamedTuple

from collector.delta import (
    CONFLICT,
    SeriesState,
    Step,
    advance,
    increase,
    is_cumulative,
    same_point,
    state_of,
)
from collector.model import DataPoint, Rejection, WriteResult
from collector.rows import NS_PER_MS, PointRow, correction_row, point_row, series_key_of


class StoredPoint(NamedTuple):
    """A point already in the store: its values as sent, and the delta its rows hold now."""

    state: SeriesState
    held: Step | None  # None: not read from the store (the committed last point), never corrected


@dataclass(frozen=True, slots=True)
class LateSeries:
    """A series with points older than its last stored point: where to look for neighbours."""

    samu_id: str
    metric: str
    first_ns: int  # the oldest late point (ms precision)
    last_ns: int  # the newest late point
    stored_ns: int  # the series' last stored point


@dataclass(frozen=True)
class Conversion:
    """Rows to insert, what each request's points became, and the state to commit after."""

    rows: list[PointRow]
    results: list[WriteResult]
    new_state: dict[int, SeriesState]


class _Tally:
    """Per request: points written, duplicates, conflicts by (SAMU, metric)."""

    def __init__(self, requests: int) -> None:
        self.written = [0] * requests
        self.duplicates = [0] * requests
        self.conflicts: list[Counter[tuple[str, str]]] = [Counter() for _ in range(requests)]

    def verdict(self, index: int, point: DataPoint, conflict: bool) -> None:
        if conflict:
            self.conflicts[index][(point.samu_id, point.metric)] += 1
        else:
            self.duplicates[index] += 1

    def results(self) -> list[WriteResult]:
        return [
            WriteResult(
                written,
                duplicates,
                tuple(Rejection(CONFLICT, n, s, m) for (s, m), n in sorted(conflicts.items())),
            )
            for written, duplicates, conflicts in zip(
                self.written, self.duplicates, self.conflicts, strict=True
            )
        ]


Item = tuple[int, DataPoint]  # (request index, point)


def _by_series(requests: Sequence[Sequence[DataPoint]]) -> dict[int, list[Item]]:
    grouped: dict[int, list[Item]] = {}
    for index, points in enumerate(requests):
        for point in points:
            key = point.series_key or series_key_of(point)
            items = grouped.get(key)
            if items is None:
                grouped[key] = [(index, point)]
            else:
                items.append((index, point))
    return grouped


class DeltaTracker:
    """The committed last point of every series, and batches converted against it."""

    def __init__(self, state: Mapping[int, SeriesState] | None = None) -> None:
        self._state: dict[int, SeriesState] = dict(state or {})

    def __len__(self) -> int:
        return len(self._state)

    def get(self, key: int) -> SeriesState | None:
        return self._state.get(key)

    def late(self, requests: Sequence[Sequence[DataPoint]]) -> dict[int, LateSeries]:
        """The series of these requests that have points older than their last stored point."""
        found: dict[int, LateSeries] = {}
        committed = self._state
        for points in requests:
            for point in points:
                key = point.series_key or series_key_of(point)
                last = committed.get(key)
                time_ns = point.time_ns // NS_PER_MS * NS_PER_MS
                if last is None or time_ns >= last.last_ns:
                    continue
                seen = found.get(key)
                if seen is None:
                    found[key] = LateSeries(
                        point.samu_id, point.metric, time_ns, time_ns, last.last_ns
                    )
                elif not seen.first_ns <= time_ns <= seen.last_ns:
                    first, newest = min(seen.first_ns, time_ns), max(seen.last_ns, time_ns)
                    found[key] = LateSeries(
                        seen.samu_id, seen.metric, first, newest, seen.stored_ns
                    )
        return found

    def convert(
        self,
        requests: Sequence[Sequence[DataPoint]],
        received_ns: Sequence[int],
        stored: Mapping[int, Sequence[StoredPoint]] | None = None,
    ) -> Conversion:
        """Rows for a batch of requests (their points, and when each was received) against the
        committed state and, for late series, their stored neighbours in time order."""
        rows: list[PointRow] = []
        new_state: dict[int, SeriesState] = {}
        tally = _Tally(len(requests))
        received_ms = [ns // NS_PER_MS for ns in received_ns]
        neighbours = stored or {}
        for key, items in _by_series(requests).items():
            last = self._state.get(key)
            if len(items) == 1 and key not in neighbours:
                index, point = items[0]
                step = advance(point, last)
                if isinstance(step, Step):
                    rows.append(point_row(point, key, received_ms[index], step))
                    tally.written[index] += 1
                    new_state[key] = step.state
                    continue
                if step is not None:
                    tally.verdict(index, point, step == CONFLICT)
                    continue
            newest = _merge(key, items, last, neighbours.get(key, ()), received_ms, rows, tally)
            if newest is not None and (last is None or newest.last_ns > last.last_ns):
                new_state[key] = newest
        return Conversion(rows, tally.results(), new_state)

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
            # else: the same point; keep what the store may not hold (bounds, sum).

    def expire(self, before_ns: int) -> int:
        """Forget series silent since before `before_ns` (as the store's TTL does); how many."""
        old = [k for k, s in self._state.items() if s.last_ns < before_ns]
        for key in old:
            del self._state[key]
        return len(old)


def _merge(
    key: int,
    items: list[Item],
    last: SeriesState | None,
    neighbours: Sequence[StoredPoint],
    received_ms: Sequence[int],
    rows: list[PointRow],
    tally: _Tally,
) -> SeriesState | None:
    """One series: its batch points merged with its stored points in time order; the newest
    point accepted from the batch, if any. Appends the points' rows and the corrections."""
    items.sort(key=lambda item: item[1].time_ns)  # stable: request order within a time
    stored = list(neighbours)
    if last is not None and (not stored or stored[-1].state.last_ns < last.last_ns):
        stored.append(StoredPoint(last, None))
    template = items[0][1]
    cumulative = is_cumulative(template)
    prev: SeriesState | None = None  # the point before the current position, stored or new
    prev_is_new, prev_received, newest = False, 0, None
    position = 0
    for index, point in items:
        state = state_of(point)
        while position < len(stored) and stored[position].state.last_ns < state.last_ns:
            if prev_is_new and cumulative:
                _correct(template, key, prev_received, stored[position], prev, rows)
            prev, prev_is_new = stored[position].state, False
            position += 1
        same_time = None
        if position < len(stored) and stored[position].state.last_ns == state.last_ns:
            same_time = stored[position].state
        elif prev is not None and prev.last_ns == state.last_ns:
            same_time = prev
        if same_time is not None:
            tally.verdict(index, point, not same_point(state, same_time))
            continue
        step = increase(state, prev, cumulative)
        rows.append(point_row(point, key, received_ms[index], step))
        tally.written[index] += 1
        prev, prev_is_new, prev_received, newest = state, True, received_ms[index], state
    if prev_is_new and cumulative and position < len(stored):
        _correct(template, key, prev_received, stored[position], prev, rows)
    return newest


def _correct(
    series: DataPoint,
    key: int,
    received_ms: int,
    stored: StoredPoint,
    prev: SeriesState | None,
    rows: list[PointRow],
) -> None:
    """A correction row when the stored point's delta given its new predecessor differs from
    what its rows hold."""
    held = stored.held
    if held is None:  # the store returned no neighbours: nothing known to correct
        return
    should = increase(stored.state, prev, True)
    buckets = should.bucket_counts
    if held.bucket_counts or buckets:
        width = max(len(buckets), len(held.bucket_counts))
        buckets = tuple(map(sub, _padded(buckets, width), _padded(held.bucket_counts, width)))
    change = Step(should.value - held.value, buckets, should.hist_sum - held.hist_sum, should.state)
    if change.value or change.hist_sum or any(buckets):
        rows.append(correction_row(series, key, received_ms, stored.state, change))


def _padded(values: tuple[int, ...], width: int) -> tuple[int, ...]:
    return values + (0,) * (width - len(values))
