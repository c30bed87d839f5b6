"""Protobuf wire encoding of OTLP metrics, vectorised over the points of one series.

Every field of a data point that varies from minute to minute (times, values, counts, sums) is
fixed-width in OTLP (fixed64, sfixed64, double), so all points of one series have the same
length: they are laid out as numpy records and turned into bytes in one go. Tests decode the
result with the opentelemetry-proto classes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

Attrs = tuple[tuple[str, str], ...]
LEN, I64 = 2, 1  # wire types
CUMULATIVE = 2  # AggregationTemporality


def varint(value: int) -> bytes:
    """A protobuf base-128 varint (non-negative)."""
    out = bytearray()
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def tag(field: int, wire_type: int) -> bytes:
    return varint(field << 3 | wire_type)


def message(field: int, payload: bytes) -> bytes:
    """A length-delimited field (sub-message, string or packed repeated)."""
    return tag(field, LEN) + varint(len(payload)) + payload


def string(field: int, text: str) -> bytes:
    return message(field, text.encode())


def key_values(field: int, attributes: Attrs) -> bytes:
    """Repeated KeyValue{key, AnyValue{string_value}} at `field`."""
    return b"".join(message(field, string(1, k) + message(2, string(1, v))) for k, v in attributes)


def _records(parts: Sequence[bytes | NDArray[Any]], n: int) -> bytes:
    """Concatenate, for each of n rows, constant byte strings and per-row array values."""
    names: list[str] = []
    formats: list[Any] = []
    values: list[Any] = []
    for i, part in enumerate(parts):
        names.append(f"f{i}")
        if isinstance(part, bytes):
            formats.append(f"V{len(part)}")
            values.append(np.frombuffer(part, dtype=f"V{len(part)}")[0])
        else:
            formats.append((part.dtype.str, part.shape[1:]) if part.ndim > 1 else part.dtype.str)
            values.append(part)
    table = np.empty(n, dtype=np.dtype({"names": names, "formats": formats}))
    for name, value in zip(names, values, strict=True):
        table[name] = value
    return table.tobytes()


def _point_frame(field: int, body_len: int) -> bytes:
    return tag(field, LEN) + varint(body_len)


def number_points(
    attributes: Attrs,
    start_ns: int,
    times_ns: NDArray[np.uint64],
    values: NDArray[np.int64] | NDArray[np.float64],
) -> bytes:
    """Repeated NumberDataPoint (field 1 of Sum/Gauge): as_int for int64 values, else as_double."""
    n = len(times_ns)
    attrs = key_values(7, attributes)
    is_int = values.dtype.kind == "i"
    value_tag = tag(6, I64) if is_int else tag(4, I64)
    body_len = len(attrs) + 3 * 9
    head = _point_frame(1, body_len) + attrs + tag(2, I64) + np.uint64(start_ns).tobytes()
    parts: list[bytes | NDArray[Any]] = [
        head,
        tag(3, I64),
        times_ns.astype("<u8"),
        value_tag,
        values.astype("<i8" if is_int else "<f8"),
    ]
    return _records(parts, n)


def histogram_points(
    attributes: Attrs,
    start_ns: int,
    times_ns: NDArray[np.uint64],
    bucket_counts: NDArray[np.int64],
    sums: NDArray[np.float64],
    bounds: Sequence[float],
) -> bytes:
    """Repeated HistogramDataPoint (field 1 of Histogram), cumulative bucket counts per row."""
    n, width = bucket_counts.shape
    attrs = key_values(9, attributes)
    bounds_field = message(7, np.asarray(bounds, dtype="<f8").tobytes())
    buckets_head = tag(6, LEN) + varint(8 * width)
    body_len = len(attrs) + 4 * 9 + len(buckets_head) + 8 * width + len(bounds_field)
    head = _point_frame(1, body_len) + attrs + tag(2, I64) + np.uint64(start_ns).tobytes()
    parts: list[bytes | NDArray[Any]] = [
        head,
        tag(3, I64),
        times_ns.astype("<u8"),
        tag(4, I64),
        bucket_counts.sum(axis=1).astype("<u8"),
        tag(5, I64),
        sums.astype("<f8"),
        buckets_head,
        bucket_counts.astype("<u8"),
        bounds_field,
    ]
    return _records(parts, n)


def metric(name: str, unit: str, kind: str, points: bytes) -> bytes:
    """A Metric with cumulative monotonic Sum, Histogram or Gauge data around encoded points."""
    if kind == "sum":
        data = message(7, points + tag(2, 0) + varint(CUMULATIVE) + tag(3, 0) + varint(1))
    elif kind == "histogram":
        data = message(9, points + tag(2, 0) + varint(CUMULATIVE))
    else:
        data = message(5, points)
    return message(2, string(1, name) + string(3, unit) + data)  # ScopeMetrics.metrics


def resource_metrics(resource: Attrs, scope: str, metrics: Sequence[bytes]) -> bytes:
    """One ResourceMetrics (field 1 of ExportMetricsServiceRequest) with one scope."""
    scope_metrics = message(2, message(1, string(1, scope)) + b"".join(metrics))
    return message(1, message(1, key_values(1, resource)) + scope_metrics)
