"""The collector's internal values: decoded data points and what ingesting them answered."""

from __future__ import annotations

from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import Literal, NamedTuple, Protocol

from collector.conventions import Kind

Temporality = Literal["delta", "cumulative", "none"]


class DataPoint(NamedTuple):
    """One validated OTLP data point, attributes already allow-listed and sorted.

    A named tuple, not a dataclass: one is made per point on the hot path of ingest, and a
    tuple is built several times faster than a frozen dataclass."""

    metric: str
    kind: Kind
    samu_id: str
    attributes: tuple[tuple[str, str], ...]
    start_ns: int  # 0 when the sender gave no start time
    time_ns: int
    temporality: Temporality
    value: float = 0.0  # sum or gauge value; a histogram's count
    hist_sum: float = 0.0
    bounds: tuple[float, ...] = ()
    bucket_counts: tuple[int, ...] = ()
    # Identifies the series across requests: metric, SAMU, attributes and the sender instance.
    series_key: int = 0

    def attribute(self, key: str) -> str:
        for k, v in self.attributes:
            if k == key:
                return v
        return ""


@dataclass(frozen=True, slots=True)
class Span:
    """One validated span (a call setup reported as a span)."""

    samu_id: str
    trace_id: bytes
    span_id: bytes
    name: str
    start_ns: int
    end_ns: int
    status: str  # "ok" | "error" | "unset"
    attributes: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class Rejection:
    """Why some points of a request were refused; summed into partial_success and stored."""

    reason: str  # e.g. "unknown_samu", "pii_phone_number", "attribute_not_allowed"
    count: int
    samu_id: str = ""
    metric: str = ""
    attribute: str = ""


@dataclass(frozen=True)
class Decoded:
    """What a request decoded into: the accepted values and the refused points."""

    points: tuple[DataPoint, ...] = ()
    spans: tuple[Span, ...] = ()
    rejections: tuple[Rejection, ...] = field(default_factory=tuple)
    # Who sent it: the agent token's id (set by the export service), else the sender's
    # `instance:<service.instance.id>` from its (first) resource.
    agent: str = ""

    @property
    def rejected(self) -> int:
        return sum(r.count for r in self.rejections)


@dataclass(frozen=True)
class WriteResult:
    """What the write path did with accepted points (after cumulative→delta and dedup).

    `written` counts the points stored (not the correction rows of their successors);
    `rejections` are the points the write path refused (`conflict`: the same series and time
    as a stored point, with another value), reported in partial_success like the decoder's."""

    written: int
    duplicates: int
    rejections: tuple[Rejection, ...] = ()
    # Items accepted per SAMU (store.intake); derived from the request, so not compared.
    accepted: tuple[tuple[str, int], ...] = field(default=(), compare=False)

    @property
    def rejected(self) -> int:
        return sum(r.count for r in self.rejections)


class PointSink(Protocol):
    """Where the protocol layer hands decoded requests; resolves once the data is durable.

    Raises collector.errors.Overloaded when the queue is full and store.errors.StoreUnavailable
    when the store is down: both become 503 + Retry-After at the protocol boundary.
    """

    def submit(self, decoded: Decoded) -> Awaitable[WriteResult]: ...
