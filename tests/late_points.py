"""Series of points for the late-data tests: generated with resets, and their expected counts.

`series_points` draws one series (a counter or a histogram, cumulative or delta, with or
without start times, with resets) as hypothesis data; `minute_totals` is an oracle independent
of the collector: the in-order delta of each point, per minute and `le`, the way
`minute_counts` holds them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from hypothesis import strategies as st

from collector.model import DataPoint, Temporality

S = 1_000_000_000
BOUNDS = (1.0, 3.0)
INF = float("inf")
MinuteKey = tuple[int, float]  # (minute in epoch seconds, le)


def counter(
    samu: str, value: float, at: int, start: int, temporality: Temporality = "cumulative"
) -> DataPoint:
    return DataPoint(
        "samu.call.setups",
        "sum",
        samu,
        (("outcome", "success"),),
        start,
        at,
        temporality,
        value,
    )


def histogram(
    samu: str,
    buckets: tuple[int, ...],
    at: int,
    start: int,
    temporality: Temporality = "cumulative",
    total: float = 0.0,
) -> DataPoint:
    return DataPoint(
        "samu.call.setup.duration",
        "histogram",
        samu,
        (),
        start,
        at,
        temporality,
        float(sum(buckets)),
        hist_sum=total,
        bounds=BOUNDS,
        bucket_counts=buckets,
    )


@st.composite
def series_points(draw: st.DrawFn, samu: str, t0: int) -> list[DataPoint]:
    """One series in time order: 2–12 points 1–150 s apart, cumulative or delta, counter or
    histogram, with start times or without, with resets (a later start or falling values)."""
    kind = draw(st.sampled_from(["sum", "histogram"]))
    temporality: Temporality = draw(st.sampled_from(["cumulative", "delta"]))
    with_start = draw(st.booleans())
    n = draw(st.integers(2, 12))
    gaps = draw(st.lists(st.integers(1, 150), min_size=n, max_size=n))
    start = t0 if with_start else 0
    buckets = (0, 0, 0)
    points: list[DataPoint] = []
    at = t0
    for gap in gaps:
        at += gap * S + draw(st.integers(0, 999)) * 1_000_000
        reset = temporality == "cumulative" and len(points) > 0 and draw(st.integers(0, 5)) == 0
        if reset:
            if with_start:
                start = at - S  # the sender restarted: counts since then
            buckets = (0, 0, 0)
        step = tuple(draw(st.lists(st.integers(0, 4), min_size=3, max_size=3)))
        if temporality == "cumulative":
            buckets = tuple(a + b for a, b in zip(buckets, step, strict=True))
        else:
            buckets = step
        if kind == "sum":
            points.append(counter(samu, float(sum(buckets)), at, start, temporality))
        else:
            points.append(histogram(samu, buckets, at, start, temporality, float(sum(buckets))))
    return points


def minute_totals(points: Sequence[DataPoint]) -> dict[MinuteKey, float]:
    """The in-order deltas of one series per minute and le (le = inf: the count), zeros out."""
    totals: Counter[MinuteKey] = Counter()
    add_minute_totals(points, totals)
    return {key: value for key, value in totals.items() if value}


def add_minute_totals(points: Sequence[DataPoint], totals: Counter[MinuteKey]) -> None:
    """Add the in-order deltas of one series (any order given) to `totals`."""
    prev: DataPoint | None = None
    for point in sorted(points, key=lambda p: p.time_ns):
        buckets = point.bucket_counts or (int(point.value),)
        if point.temporality == "cumulative":
            before = prev.bucket_counts or (int(prev.value),) if prev else None
            reset = prev is None or point.start_ns > prev.start_ns
            reset = reset or any(
                b < a for a, b in zip(before or (), buckets, strict=True)
            )  # no bucket may fall
            if prev is None and point.start_ns == 0:
                buckets = tuple(0 for _ in buckets)  # only the baseline
            elif not reset and before is not None:
                buckets = tuple(b - a for a, b in zip(before, buckets, strict=True))
        minute = point.time_ns // (60 * S) * 60
        les = (*point.bounds, INF) if point.kind == "histogram" else (INF,)
        running = 0
        for le, count in zip(les, buckets, strict=True):
            running += count
            totals[(minute, le)] += running
        prev = point


def with_samu(points: Iterable[DataPoint], samu: str) -> list[DataPoint]:
    """The same points sent for another SAMU (another series)."""
    return [p._replace(samu_id=samu) for p in points]
