"""Late and out-of-order points merged with their stored neighbours, as pure values.

`MemoryPoints` stands for the `points` table: it keeps the rows written and answers what
collector.neighbours asks ClickHouse (each stored point's values as sent, and the delta its
rows hold). tests/test_late_data.py runs the same properties on the real engine.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Sequence

from hypothesis import given, settings
from hypothesis import strategies as st

from collector.delta import SeriesState, Step
from collector.model import DataPoint, WriteResult
from collector.rows import NS_PER_MS, PointRow
from collector.tracker import DeltaTracker, LateSeries, StoredPoint
from tests.late_points import BOUNDS, INF, MinuteKey, S, counter, minute_totals, series_points

T0 = 1_750_000_000 * S
SAMU = "fr.health.samu075"


class MemoryPoints:
    """The rows written so far, and the stored neighbours of late series read from them."""

    def __init__(self) -> None:
        self.rows: list[PointRow] = []
        self._index: dict[int, dict[int, list[PointRow]]] = {}

    def extend(self, rows: Sequence[PointRow]) -> None:
        self.rows.extend(rows)
        for row in rows:
            self._index.setdefault(row.series_key, {}).setdefault(row.ts, []).append(row)

    def neighbours(self, late: dict[int, LateSeries]) -> dict[int, list[StoredPoint]]:
        """Every stored point of each late series (a superset of what the store returns)."""
        return {
            key: [self._stored(here) for _, here in sorted(self._index[key].items())]
            for key in late
            if key in self._index
        }

    @staticmethod
    def _stored(here: list[PointRow]) -> StoredPoint:
        (own,) = [r for r in here if not r.correction]
        state = SeriesState(
            own.ts * NS_PER_MS,
            own.start_ts * NS_PER_MS,
            own.cumulative,
            own.cumulative_buckets,
            own.bounds,
            own.cumulative_sum,
        )
        width = len(own.bucket_counts)
        held = Step(
            sum(r.value for r in here),
            tuple(sum(r.bucket_counts[i] for r in here) for i in range(width)),
            sum(r.hist_sum for r in here),
            state,
        )
        return StoredPoint(state, held)

    def minute_totals(self) -> dict[MinuteKey, float]:
        """What minute_counts would hold (every row, corrections included)."""
        totals: Counter[MinuteKey] = Counter()
        for row in self.rows:
            minute = row.ts // 60_000 * 60
            if row.kind == "histogram":
                running = 0
                for le, count in zip((*BOUNDS, INF), row.bucket_counts, strict=True):
                    running += count
                    totals[(minute, le)] += running
            else:
                totals[(minute, INF)] += row.value
        return {k: v for k, v in totals.items() if v}

    def received(self) -> int:
        return sum(1 for r in self.rows if not r.correction)


def write(
    tracker: DeltaTracker, store: MemoryPoints, batch: Sequence[Sequence[DataPoint]]
) -> list[WriteResult]:
    """One writer batch: neighbours of the late series, convert, store, commit."""
    neighbours = store.neighbours(tracker.late(batch))
    conversion = tracker.convert(batch, [T0] * len(batch), neighbours)
    store.extend(conversion.rows)
    tracker.commit(conversion.new_state)
    return conversion.results


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_any_arrival_order_stores_the_minute_counts_of_the_in_order_run(
    data: st.DataObject,
) -> None:
    points = data.draw(series_points(SAMU, T0))
    order = data.draw(st.permutations(points))
    repeats = data.draw(st.lists(st.sampled_from(points), max_size=3))
    arrivals = [*order, *repeats]
    cuts = sorted(data.draw(st.sets(st.integers(1, len(arrivals)), max_size=4)))
    batches = [arrivals[a:b] for a, b in zip([0, *cuts], [*cuts, len(arrivals)], strict=True)]
    tracker, store = DeltaTracker(), MemoryPoints()
    results = [r for batch in batches if batch for r in write(tracker, store, [batch])]
    assert store.minute_totals() == minute_totals(points)
    assert store.received() == len(points)  # correction rows are not points received
    assert sum(r.written for r in results) == len(points)
    assert sum(r.duplicates for r in results) == len(repeats)
    assert all(not r.rejections for r in results)
    newest = max(points, key=lambda p: p.time_ns)
    last = tracker.get(next(iter({r.series_key for r in store.rows})))
    assert last is not None and last.last_ns == newest.time_ns // NS_PER_MS * NS_PER_MS


def _one(value: float, at_s: int, start: int = T0) -> DataPoint:
    return counter(SAMU, value, T0 + at_s * S, start)


def test_a_late_cumulative_point_splits_the_interval_of_its_successor() -> None:
    tracker, store = DeltaTracker(), MemoryPoints()
    write(tracker, store, [[_one(10, 60), _one(30, 180)]])
    assert write(tracker, store, [[_one(25, 120)]]) == [WriteResult(1, 0)]
    late, correction = store.rows[-2:]
    assert (late.value, late.correction) == (15.0, False)
    assert (correction.ts, correction.value, correction.correction) == (
        (T0 + 180 * S) // NS_PER_MS,
        -15.0,
        True,
    )
    assert store.minute_totals() == minute_totals([_one(10, 60), _one(25, 120), _one(30, 180)])


def test_a_late_point_before_the_first_of_a_series_with_a_start_time_takes_its_count() -> None:
    tracker, store = DeltaTracker(), MemoryPoints()
    write(tracker, store, [[_one(30, 180)]])
    write(tracker, store, [[_one(10, 60)]])
    assert [(r.value, r.correction) for r in store.rows] == [
        (30.0, False),
        (10.0, False),
        (-10.0, True),
    ]


def test_a_late_reset_is_a_reset_and_its_successor_counts_from_it() -> None:
    tracker, store = DeltaTracker(), MemoryPoints()
    restart = T0 + 100 * S
    write(tracker, store, [[_one(10, 60), _one(7, 180, start=restart)]])  # 7 since the restart
    write(tracker, store, [[_one(2, 120, start=restart)]])  # 2 of those 7 before 120 s
    assert [r.value for r in store.rows] == [10.0, 7.0, 2.0, -2.0]


def test_a_late_duplicate_is_a_duplicate_and_a_late_conflict_is_refused() -> None:
    tracker, store = DeltaTracker(), MemoryPoints()
    write(tracker, store, [[_one(10, 60), _one(20, 120), _one(30, 180)]])
    (result,) = write(tracker, store, [[_one(20, 120), _one(21, 120)]])
    assert (result.written, result.duplicates, result.rejected) == (0, 1, 1)
    assert result.rejections[0].reason == "conflict"
    assert len(store.rows) == 3


def test_a_late_point_never_moves_the_last_point_of_its_series() -> None:
    tracker, store = DeltaTracker(), MemoryPoints()
    write(tracker, store, [[_one(10, 60), _one(30, 180)]])
    key = store.rows[0].series_key
    before = tracker.get(key)
    write(tracker, store, [[_one(25, 120)]])
    assert tracker.get(key) == before
    assert tracker.late([[_one(31, 240)]]) == {}  # newer points stay on the fast path


def test_late_series_name_the_span_of_their_late_points() -> None:
    tracker, store = DeltaTracker(), MemoryPoints()
    write(tracker, store, [[_one(50, 600)]])
    late = tracker.late([[_one(5, 120), _one(7, 300), _one(2, 60), _one(60, 900)]])
    (series,) = late.values()
    assert (series.samu_id, series.metric) == (SAMU, "samu.call.setups")
    assert (series.first_ns, series.last_ns, series.stored_ns) == (
        T0 + 60 * S,
        T0 + 300 * S,
        T0 + 600 * S,
    )


def test_the_sum_of_a_late_histogram_is_a_delta_too() -> None:
    from tests.late_points import histogram

    tracker, store = DeltaTracker(), MemoryPoints()
    first = histogram(SAMU, (1, 0, 0), T0 + 60 * S, T0, total=0.5)
    third = histogram(SAMU, (2, 1, 1), T0 + 180 * S, T0, total=7.0)
    second = histogram(SAMU, (2, 1, 0), T0 + 120 * S, T0, total=3.0)
    write(tracker, store, [[first, third]])
    write(tracker, store, [[second]])
    by_ts: dict[int, float] = {}
    for row in store.rows:
        by_ts[row.ts] = by_ts.get(row.ts, 0.0) + row.hist_sum
    assert list(by_ts.values()) == [0.5, 4.0, 2.5]
    assert not any(math.isnan(v) for v in by_ts.values())


def test_a_shuffled_day_of_one_series_in_random_batches_counts_as_in_order() -> None:
    rng = random.Random(7)
    points, value = [], 0.0
    for i in range(1, 8641):  # one day at 10-second exports
        value += rng.randint(0, 3)
        points.append(_one(value, 10 * i))
    shuffled = points[:]
    rng.shuffle(shuffled)
    tracker, store = DeltaTracker(), MemoryPoints()
    for i in range(0, len(shuffled), 900):
        write(tracker, store, [shuffled[i : i + 900]])
    assert store.minute_totals() == minute_totals(points)
