"""Row shapes of the `points`, `spans` and `ingest_agents` tables, built from decoded values.

Timestamps are written as integer ticks of the column's precision (milliseconds for
DateTime64(3), microseconds for DateTime64(6), seconds for DateTime), which clickhouse-connect
passes through unchanged: no datetime objects on the hot path, no rounding surprises.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from typing import Any, NamedTuple, Protocol

from collector.conventions import METRICS
from collector.model import DataPoint, Decoded, Rejection, Span
from collector.reasons import describe

Attrs = tuple[tuple[str, str], ...]
NS_PER_MS = 1_000_000
NS_PER_MINUTE = 60_000_000_000


class PointRow(NamedTuple):
    """One row of `points`, in column order (see POINT_COLUMNS)."""

    ts: int  # ms since the epoch
    received_at: int  # ms
    samu_id: str
    metric: str
    component: str
    outcome: str
    attributes: dict[str, str]
    series_key: int
    start_ts: int  # ms; 0 when the sender gave no start time
    kind: str
    value: float  # the delta for sums and histogram counts, the value for gauges
    cumulative: float  # the raw value as sent, so the delta state can be rebuilt
    hist_sum: float
    bounds: tuple[float, ...]
    bucket_counts: tuple[int, ...]  # delta per bucket (signed in a correction row)
    cumulative_buckets: tuple[int, ...]  # raw per bucket as sent
    # A correction of the stored point at `ts` (a late point became its predecessor): not a
    # point received, only the change of its delta (collector.tracker).
    correction: bool
    cumulative_sum: float  # a histogram's sum as sent, so that sum deltas can be recomputed


POINT_COLUMNS: tuple[str, ...] = PointRow._fields
# The columns of a row journaled before migration 4 (collector.journal's first format).
POINT_COLUMNS_V1: tuple[str, ...] = POINT_COLUMNS[:16]

SPAN_COLUMNS: tuple[str, ...] = (
    "ts",
    "received_at",
    "samu_id",
    "trace_id",
    "span_id",
    "name",
    "duration_s",
    "status",
    "outcome",
    "component",
    "attributes",
)


def series_key_of(point: DataPoint) -> int:
    """The point's series key; derived from metric, SAMU and attributes when the decoder gave 0."""
    if point.series_key:
        return point.series_key
    text = "\x1f".join([point.metric, point.samu_id, *(f"{k}={v}" for k, v in point.attributes)])
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little")


def outcome_of(point: DataPoint) -> str:
    """The value of the metric's rollup attribute (e.g. `outcome`, `direction`), or ""."""
    return _labels(point.metric, point.attributes)[1]


@lru_cache(maxsize=65_536)
def _labels(metric: str, attributes: Attrs) -> tuple[str, str, dict[str, str]]:
    """Component, rollup value and the attribute map of a series (shared: never mutated)."""
    spec = METRICS.get(metric)
    values = dict(attributes)
    rollup = "" if spec is None or spec.rollup_key is None else values.get(spec.rollup_key, "")
    return values.get("component", ""), rollup, values


class Delta(Protocol):
    """What one accepted point contributes (collector.delta.Step has these fields)."""

    @property
    def value(self) -> float: ...

    @property
    def bucket_counts(self) -> tuple[int, ...]: ...

    @property
    def hist_sum(self) -> float: ...


def point_row(point: DataPoint, key: int, received_ms: int, delta: Delta) -> PointRow:
    """The stored row of a point whose delta (value, buckets, sum) is already computed."""
    component, outcome, attributes = _labels(point.metric, point.attributes)
    return PointRow(
        point.time_ns // NS_PER_MS,
        received_ms,
        point.samu_id,
        point.metric,
        component,
        outcome,
        attributes,
        key,
        point.start_ns // NS_PER_MS,
        point.kind,
        delta.value,
        point.value,
        delta.hist_sum,
        point.bounds,
        delta.bucket_counts,
        point.bucket_counts,
        False,
        point.hist_sum,
    )


class Sent(Protocol):
    """A stored point's values as sent (collector.delta.SeriesState has these fields)."""

    @property
    def last_ns(self) -> int: ...

    @property
    def start_ns(self) -> int: ...

    @property
    def cumulative(self) -> float: ...

    @property
    def cumulative_buckets(self) -> tuple[int, ...]: ...

    @property
    def bounds(self) -> tuple[float, ...]: ...

    @property
    def hist_sum(self) -> float: ...


def correction_row(
    series: DataPoint, key: int, received_ms: int, stored: Sent, change: Delta
) -> PointRow:
    """The row that changes the delta of the stored point `stored` of `series` by `change`."""
    return point_row(series, key, received_ms, change)._replace(
        ts=stored.last_ns // NS_PER_MS,
        start_ts=stored.start_ns // NS_PER_MS,
        cumulative=stored.cumulative,
        bounds=stored.bounds or series.bounds,
        cumulative_buckets=stored.cumulative_buckets,
        correction=True,
        cumulative_sum=stored.hist_sum,
    )


def span_row(span: Span, received_ns: int) -> tuple[object, ...]:
    """One row of `spans`; outcome and component come from the span's attributes."""
    attributes = dict(span.attributes)
    return (
        span.start_ns // 1000,
        received_ns // NS_PER_MS,
        span.samu_id,
        span.trace_id,
        span.span_id,
        span.name,
        max(0, span.end_ns - span.start_ns) / 1e9,
        span.status,
        attributes.get("outcome", ""),
        attributes.get("component", ""),
        attributes,
    )


def accepted_per_samu(
    decoded: Decoded, refused: Iterable[Rejection] = ()
) -> tuple[tuple[str, int], ...]:
    """Items accepted per SAMU: spans for a traces export, else points, less those the write
    path refused (`refused`, e.g. conflicts)."""
    counts = Counter(item.samu_id for item in (decoded.spans or decoded.points))
    for rejection in refused:
        counts[rejection.samu_id] -= rejection.count
    return tuple(sorted((samu, n) for samu, n in counts.items() if n > 0))


class Intake(NamedTuple):
    """What one request brought, for `ingest_agents`."""

    received_ns: int
    agent: str
    accepted: tuple[tuple[str, int], ...]
    rejections: tuple[Rejection, ...]


def intake_rows(requests: Iterable[Intake]) -> list[tuple[object, ...]]:
    """`ingest_agents` rows: per received minute, agent, SAMU and outcome ('' = accepted), the
    points, the last time and, for refusals, the message naming reason, metric and attribute."""
    totals: dict[tuple[int, str, str, str, str, str], list[Any]] = {}
    for request in requests:
        minute = request.received_ns // NS_PER_MINUTE * 60
        at = request.received_ns // NS_PER_MS
        outcomes = [(("", samu, "", ""), n, "") for samu, n in request.accepted]
        outcomes += [
            ((r.reason, r.samu_id, r.metric, r.attribute), r.count, describe(r))
            for r in request.rejections
            if r.count > 0
        ]
        for (reason, samu, metric, attribute), n, message in outcomes:
            key = (minute, request.agent, samu, reason, metric, attribute)
            found = totals.get(key)
            if found is None:
                totals[key] = [n, at, message]
            else:
                found[0] += n
                found[1] = max(found[1], at)
    return [
        (minute, agent, samu, reason, metric, attribute, n, at, message)
        for (minute, agent, samu, reason, metric, attribute), (n, at, message) in sorted(
            totals.items()
        )
    ]
