"""The one rule (the delta of a point given its predecessor) and the in-order fast path, pure."""

from __future__ import annotations

import copy
import math

import pytest

from collector.delta import SeriesState, Step, Verdict, advance
from collector.model import DataPoint, Rejection, Temporality, WriteResult
from collector.tracker import DeltaTracker

S = 1_000_000_000
T0 = 1_750_000_000 * S  # a whole second, so ms truncation changes nothing in the plain cases
BOUNDS = (1.0, 3.0)


def counter(
    value: float, at: int, start: int = T0, temporality: Temporality = "cumulative", key: int = 1
) -> DataPoint:
    return DataPoint(
        metric="samu.call.setups",
        kind="sum",
        samu_id="fr.health.samu075",
        attributes=(("outcome", "success"),),
        start_ns=start,
        time_ns=at,
        temporality=temporality,
        value=value,
        series_key=key,
    )


def histogram(
    buckets: tuple[int, ...],
    at: int,
    start: int = T0,
    bounds: tuple[float, ...] = BOUNDS,
    hist_sum: float = 0.0,
) -> DataPoint:
    return DataPoint(
        metric="samu.call.setup.duration",
        kind="histogram",
        samu_id="fr.health.samu075",
        attributes=(),
        start_ns=start,
        time_ns=at,
        temporality="cumulative",
        value=float(sum(buckets)),
        hist_sum=hist_sum,
        bounds=bounds,
        bucket_counts=buckets,
        series_key=2,
    )


def gauge(value: float, at: int) -> DataPoint:
    return DataPoint("samu.network.latency", "gauge", "fr.health.samu075", (), 0, at, "none", value)


def state_of(point: DataPoint) -> SeriesState:
    step = advance(point, None)
    assert isinstance(step, Step)
    return step.state


def delta(step: Step | Verdict | None) -> float | str | None:
    return step.value if isinstance(step, Step) else step


SUM_CASES = [
    ("the first point with a start time counts in full", None, counter(5, T0 + 10 * S), 5.0),
    (
        "the first point without a start time only sets the baseline",
        None,
        counter(5, T0 + 10 * S, start=0),
        0.0,
    ),
    (
        "a later point of the same start counts the increase",
        counter(5, T0 + 10 * S),
        counter(12, T0 + 70 * S),
        7.0,
    ),
    ("an unchanged value counts nothing", counter(5, T0 + 10 * S), counter(5, T0 + 70 * S), 0.0),
    (
        "the same point again is a duplicate",
        counter(5, T0 + 10 * S),
        counter(5, T0 + 10 * S),
        "duplicate",
    ),
    (
        "the same time with another value is a conflict",
        counter(5, T0 + 10 * S),
        counter(6, T0 + 10 * S),
        "conflict",
    ),
    (
        "the same time and value with another start time is a conflict",
        counter(5, T0 + 10 * S),
        counter(5, T0 + 10 * S, start=T0 + S),
        "conflict",
    ),
    (
        "an earlier time is late: left to the merge with the stored neighbours",
        counter(5, T0 + 10 * S),
        counter(3, T0 + 5 * S),
        None,
    ),
    (
        "a time in the same millisecond is the same time",
        counter(5, T0 + 10 * S),
        counter(5, T0 + 10 * S + 999_999),
        "duplicate",
    ),
    (
        "a later start time is a reset: the new value counts in full",
        counter(50, T0 + 10 * S),
        counter(3, T0 + 70 * S, start=T0 + 60 * S),
        3.0,
    ),
    (
        "a later start with a higher value is still a reset",
        counter(2, T0 + 10 * S),
        counter(9, T0 + 70 * S, start=T0 + 60 * S),
        9.0,
    ),
    (
        "a falling value without a start time is a reset",
        counter(50, T0 + 10 * S, start=0),
        counter(4, T0 + 70 * S, start=0),
        4.0,
    ),
    (
        "an earlier start with a rising value is not a reset",
        counter(5, T0 + 10 * S),
        counter(8, T0 + 70 * S, start=T0 - 60 * S),
        3.0,
    ),
    (
        "a delta point is written as sent",
        None,
        counter(4, T0 + 10 * S, start=T0, temporality="delta"),
        4.0,
    ),
    (
        "a delta point repeated is a duplicate",
        counter(4, T0 + 10 * S, temporality="delta"),
        counter(4, T0 + 10 * S, temporality="delta"),
        "duplicate",
    ),
    ("a gauge is written as sent", gauge(0.5, T0), gauge(0.2, T0 + 10 * S), 0.2),
    ("a gauge repeated is a duplicate", gauge(0.5, T0), gauge(0.5, T0), "duplicate"),
    (
        "a gauge at a seen time with another value is a conflict",
        gauge(0.5, T0),
        gauge(0.2, T0),
        "conflict",
    ),
]


@pytest.mark.parametrize(
    ("name", "before", "point", "expected"), SUM_CASES, ids=[c[0] for c in SUM_CASES]
)
def test_sum_and_gauge_deltas(
    name: str, before: DataPoint | None, point: DataPoint, expected: float | str | None
) -> None:
    prev = None if before is None else state_of(before)
    assert delta(advance(point, prev)) == expected


HIST_CASES = [
    (
        "the first histogram with a start time counts every bucket",
        None,
        histogram((1, 2, 0), T0 + 10 * S),
        (1, 2, 0),
    ),
    (
        "the first histogram without a start time only sets the baseline",
        None,
        histogram((1, 2, 0), T0 + 10 * S, start=0),
        (0, 0, 0),
    ),
    (
        "a later histogram counts the increase bucket by bucket",
        histogram((1, 2, 0), T0 + 10 * S),
        histogram((3, 2, 1), T0 + 70 * S),
        (2, 0, 1),
    ),
    (
        "a bucket that falls while the count rises is a reset",
        histogram((5, 0, 0), T0 + 10 * S),
        histogram((4, 3, 0), T0 + 70 * S),
        (4, 3, 0),
    ),
    (
        "changed bounds are a reset",
        histogram((1, 2, 0), T0 + 10 * S),
        histogram((3, 2, 1), T0 + 70 * S, bounds=(1.0, 2.0)),
        (3, 2, 1),
    ),
    (
        "a different number of buckets is a reset",
        histogram((1, 2, 0), T0 + 10 * S),
        histogram((3, 2, 1, 0), T0 + 70 * S, bounds=(1.0, 2.0, 3.0)),
        (3, 2, 1, 0),
    ),
    (
        "a later start time is a reset",
        histogram((9, 9, 9), T0 + 10 * S),
        histogram((1, 0, 0), T0 + 70 * S, start=T0 + 60 * S),
        (1, 0, 0),
    ),
]


@pytest.mark.parametrize(
    ("name", "before", "point", "expected"), HIST_CASES, ids=[c[0] for c in HIST_CASES]
)
def test_histogram_deltas(
    name: str, before: DataPoint | None, point: DataPoint, expected: tuple[int, ...]
) -> None:
    prev = None if before is None else state_of(before)
    step = advance(point, prev)
    assert isinstance(step, Step)
    assert step.bucket_counts == expected
    assert step.value == sum(expected)


def test_the_histogram_sum_is_a_delta_when_the_last_sum_is_known() -> None:
    prev = state_of(histogram((1, 0, 0), T0 + 10 * S, hist_sum=0.5))
    step = advance(histogram((2, 1, 0), T0 + 70 * S, hist_sum=3.0), prev)
    assert isinstance(step, Step) and step.hist_sum == 2.5
    restored = prev._replace(bounds=(), hist_sum=math.nan)  # stored before sums were kept
    step = advance(histogram((2, 1, 0), T0 + 70 * S, hist_sum=3.0), restored)
    assert isinstance(step, Step) and step.hist_sum == 0.0 and step.bucket_counts == (1, 1, 0)


def test_a_state_rebuilt_at_millisecond_precision_decides_like_the_live_one() -> None:
    first = counter(5, T0 + 10 * S + 123_456, start=T0 + 654_321)
    live = state_of(first)
    rebuilt = SeriesState(last_ns=live.last_ns, start_ns=live.start_ns, cumulative=5.0)
    for prev in (live, rebuilt):
        assert advance(first, prev) == "duplicate"
        assert delta(advance(counter(8, T0 + 70 * S, start=T0 + 654_321), prev)) == 3.0


def test_convert_does_not_mutate_its_inputs_or_the_committed_state() -> None:
    committed = {1: state_of(counter(5, T0 + 10 * S))}
    tracker = DeltaTracker(committed)
    points = [counter(9, T0 + 130 * S), counter(7, T0 + 70 * S)]
    pending = {2: state_of(histogram((1, 0, 0), T0))}
    before = copy.deepcopy((committed, points, pending))
    conversion = tracker.convert([points], [T0 + 200 * S])
    assert (committed, points, pending) == before
    assert tracker.get(1) == committed[1]
    assert sorted(row.value for row in conversion.rows) == [2.0, 2.0]


def test_points_of_one_series_in_a_batch_are_taken_in_time_order() -> None:
    tracker = DeltaTracker()
    points = [counter(9, T0 + 130 * S), counter(3, T0 + 10 * S), counter(7, T0 + 70 * S)]
    conversion = tracker.convert([points], [T0 + 200 * S])
    assert [row.value for row in conversion.rows] == [3.0, 4.0, 2.0]
    assert conversion.new_state[1].cumulative == 9.0


def test_a_request_twice_in_one_batch_is_counted_once() -> None:
    tracker = DeltaTracker()
    request = [counter(3, T0 + 10 * S), counter(4, T0 + 10 * S, key=5)]
    first = tracker.convert([request, request], [T0, T0])
    assert first.results == [WriteResult(2, 0), WriteResult(0, 2)]
    assert len(first.rows) == 2 and len(tracker) == 0
    tracker.commit(first.new_state)
    assert tracker.convert([request], [T0]).results == [WriteResult(0, 2)]


def test_requests_of_one_batch_are_merged_in_time_order_whatever_their_order() -> None:
    tracker = DeltaTracker()
    later, earlier = [counter(9, T0 + 70 * S)], [counter(4, T0 + 10 * S)]
    conversion = tracker.convert([later, earlier], [T0, T0])
    assert [(row.ts, row.value) for row in conversion.rows] == [
        ((T0 + 10 * S) // 1_000_000, 4.0),
        ((T0 + 70 * S) // 1_000_000, 5.0),
    ]
    assert conversion.results == [WriteResult(1, 0), WriteResult(1, 0)]


def test_a_conflicting_repeat_is_refused_with_its_reason_and_series() -> None:
    tracker = DeltaTracker({1: state_of(counter(5, T0 + 10 * S))})
    conversion = tracker.convert([[counter(6, T0 + 10 * S), counter(7, T0 + 70 * S)]], [T0])
    conflict = Rejection("conflict", 1, "fr.health.samu075", "samu.call.setups")
    assert conversion.results == [WriteResult(1, 0, (conflict,))]
    assert [row.value for row in conversion.rows] == [2.0]


def test_rows_carry_the_delta_and_the_raw_cumulative() -> None:
    tracker = DeltaTracker({1: state_of(counter(5, T0 + 10 * S))})
    (row,) = tracker.convert([[counter(12, T0 + 70 * S)]], [T0 + 71 * S]).rows
    assert (row.value, row.cumulative, row.outcome, row.component) == (7.0, 12.0, "success", "")
    assert not row.correction
    assert (row.ts, row.received_at, row.start_ts) == (
        (T0 + 70 * S) // 1_000_000,
        (T0 + 71 * S) // 1_000_000,
        T0 // 1_000_000,
    )


def test_restore_replaces_uncertain_series_by_what_the_store_holds() -> None:
    live = state_of(histogram((1, 0, 0), T0, hist_sum=1.0))
    tracker = DeltaTracker({2: live, 3: state_of(counter(1, T0))})
    stored_same = SeriesState(live.last_ns, live.start_ns, 1.0, (1, 0, 0))
    tracker.restore([2, 3], {2: stored_same})
    assert tracker.get(2) == live  # same point: keeps the bounds and sum the store lacks
    assert tracker.get(3) is None  # the store never got it
    newer = stored_same._replace(last_ns=live.last_ns + S, cumulative=2.0)
    tracker.restore([2], {2: newer})
    assert tracker.get(2) == newer


def test_expire_forgets_series_silent_since_before_a_time() -> None:
    tracker = DeltaTracker({1: state_of(counter(1, T0)), 2: state_of(counter(1, T0 + 10 * S))})
    assert tracker.expire(T0 + S) == 1
    assert tracker.get(1) is None and tracker.get(2) is not None
