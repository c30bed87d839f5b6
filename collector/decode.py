"""OTLP metrics export requests to validated DataPoints and counted rejections (pure).

A point is refused, never partly kept: the first failing check names the reason (see
collector.reasons). The privacy guard runs first, on every attribute of the resource and
the point and on the metric name; resource attributes outside RESOURCE_ATTRIBUTES are then
dropped. A point flagged "no recorded value" (a staleness marker) is skipped without counting.
"""

from __future__ import annotations

import math
from collections.abc import Container
from functools import lru_cache
from typing import Any

from collector import privacy
from collector.attributes import (
    RawAttrs,
    Refusal,
    Resource,
    RuleSet,
    check_attributes,
    raw_attributes,
    read_resource,
    rule_set,
    safe_text,
    series_key,
)
from collector.conventions import METRICS, MetricSpec
from collector.limits import Limits, Window
from collector.model import DataPoint, Decoded, Temporality
from collector.payload import Encoding, parse_metrics
from collector.spans import decode_traces, decode_traces_request
from collector.tally import Tally

_TEMPORALITY: dict[int, Temporality] = {1: "delta", 2: "cumulative"}
_NO_RECORDED_VALUE = 1  # DataPointFlags.DATA_POINT_FLAGS_NO_RECORDED_VALUE_MASK


def decode_metrics(
    body: bytes, content_type: Encoding, known_samu: Container[str], now_ns: int, limits: Limits
) -> Decoded:
    """Decode an OTLP metrics body; DecodeError when it is not OTLP at all."""
    return decode_metrics_request(parse_metrics(body, content_type), known_samu, now_ns, limits)


def decode_metrics_request(
    request: Any, known_samu: Container[str], now_ns: int, limits: Limits
) -> Decoded:
    """Validate a parsed ExportMetricsServiceRequest into points and rejections."""
    tally = Tally()
    points: list[DataPoint] = []
    window = Window.around(now_ns, limits)
    agent = ""
    room = limits.max_points_per_request  # points left before too_many_points
    for resource_metrics in request.resource_metrics:
        resource = read_resource(resource_metrics.resource.attributes, known_samu, limits)
        agent = agent or resource.agent
        for scope_metrics in resource_metrics.scope_metrics:
            for metric in scope_metrics.metrics:
                room = _decode_metric(metric, resource, window, limits, room, tally, points)
    return Decoded(points=tuple(points), rejections=tally.rejections(), agent=agent)


def _metric_refusal(name: str, spec: MetricSpec | None, kind: str, data: Any) -> str | None:
    pii = privacy.classify(name)
    if pii is not None:
        return pii
    if spec is None:
        return "unknown_metric"
    temporal = kind in ("sum", "histogram") and int(data.aggregation_temporality) in _TEMPORALITY
    if spec.kind == "sum" and not (kind == "sum" and temporal and data.is_monotonic):
        return "unsupported_type"
    if spec.kind == "histogram" and not (kind == "histogram" and temporal):
        return "unsupported_type"
    if spec.kind == "gauge" and kind != "gauge":
        return "unsupported_type"
    return None


def _decode_metric(
    metric: Any,
    resource: Resource,
    window: Window,
    limits: Limits,
    room: int,
    tally: Tally,
    points: list[DataPoint],
) -> int:
    """Decode one metric's points; returns the room left under max_points_per_request."""
    kind = metric.WhichOneof("data")
    if kind is None:
        return room
    data = getattr(metric, kind)
    name = str(metric.name)
    spec = METRICS.get(name)
    refusal: str | None = "name_too_long"
    label = ""
    if len(name) <= limits.max_attribute_length:  # no oversized name is scanned or cached
        refusal = _metric_refusal(name, spec, kind, data)
        label = safe_text(name) if privacy.classify(name) is None else ""
    over = len(data.data_points) - room
    if over > 0:  # the first points of the request are kept, the rest refused
        tally.add("too_many_points", resource.samu_id, label if spec is None else name, count=over)
    kept = data.data_points if over <= 0 else data.data_points[: max(room, 0)]
    if spec is not None and refusal is None and resource.refusal is None:
        _decode_points(kept, data, spec, resource, window, limits, tally, points)
        return room - len(kept)
    samu = resource.samu_id
    for point in kept:
        _, pii = raw_attributes(point.attributes, limits)
        if resource.refusal is not None and resource.refusal.reason.startswith("pii_"):
            tally.add(resource.refusal.reason, "", label)
        elif pii is not None:
            tally.add(pii, "" if resource.refusal else samu, label)
        elif resource.refusal is not None:
            tally.add(resource.refusal.reason, samu, label, resource.refusal.attribute)
        else:
            tally.add(refusal or "unknown_metric", samu, label)
    return room - len(kept)


def _decode_points(
    kept: Any,
    data: Any,
    spec: MetricSpec,
    resource: Resource,
    window: Window,
    limits: Limits,
    tally: Tally,
    points: list[DataPoint],
) -> None:
    """The hot loop: every point kept of a known metric from an accepted resource.

    Written for speed (profiled: docs/benchmarks.md): one cached look-up per point for its
    attributes and series key, the time window, the value and its limits checked inline."""
    rules = _rules(spec.name)
    name, kind, samu = spec.name, spec.kind, resource.samu_id
    instance, service = resource.instance_id, resource.service_name
    temporality = "none" if kind == "gauge" else _TEMPORALITY[data.aggregation_temporality]
    oldest, newest = window.oldest_ns, window.newest_ns
    histogram, counter = kind == "histogram", kind == "sum"
    for point in kept:
        raw, pii = raw_attributes(point.attributes, limits)
        if pii is not None:
            tally.add(pii, samu, name)
            continue
        if point.flags & _NO_RECORDED_VALUE:
            continue
        checked = _series(raw, rules, name, samu, instance, service)
        if isinstance(checked, Refusal):
            tally.add(checked.reason, samu, name, checked.attribute)
            continue
        time_ns, start_ns = point.time_unix_nano, point.start_time_unix_nano
        if time_ns < oldest:
            tally.add("too_old", samu, name)
        elif time_ns > newest:
            tally.add("future", samu, name)
        elif start_ns > time_ns:
            tally.add("bad_value", samu, name)
        elif histogram:
            made = _histogram(point, spec, checked, samu, start_ns, time_ns, temporality)
            if isinstance(made, DataPoint):
                reason = limits.point_refusal(samu, made.series_key, made.value, made.hist_sum)
                if reason is None:
                    points.append(made)
                else:
                    tally.add(reason, samu, name)
            else:
                tally.add(made, samu, name)
        else:
            which = point.WhichOneof("value")
            value = float(point.as_double if which == "as_double" else point.as_int)
            if which is None or not math.isfinite(value) or (counter and value < 0):
                tally.add("bad_value", samu, name)
                continue
            attrs, key = checked
            reason = limits.point_refusal(samu, key, value)
            if reason is None:
                points.append(
                    DataPoint(
                        name,
                        kind,
                        samu,
                        attrs,
                        start_ns,
                        time_ns,
                        temporality,
                        value,
                        0.0,
                        (),
                        (),
                        key,
                    )
                )
            else:
                tally.add(reason, samu, name)


Series = tuple[tuple[tuple[str, str], ...], int]  # the allow-listed attributes, the series key


@lru_cache(maxsize=65_536)
def _series(
    raw: RawAttrs, rules: RuleSet, metric: str, samu: str, instance: str, service: str
) -> Series | Refusal:
    """A point's checked attributes and series key, or why they are refused: one cached look-up
    per point (a sender repeats the same few series on every export)."""
    attrs = check_attributes(raw, rules)
    if isinstance(attrs, Refusal):
        return attrs
    return attrs, series_key(metric, samu, attrs, instance, service)


def _histogram(
    point: Any,
    spec: MetricSpec,
    series: Series,
    samu: str,
    start_ns: int,
    time_ns: int,
    temporality: Temporality,
) -> DataPoint | str:
    if tuple(point.explicit_bounds) != spec.bounds:
        return "bad_bounds"
    buckets = tuple(point.bucket_counts)
    total = float(point.sum) if point.HasField("sum") else 0.0
    count = int(point.count)
    if len(buckets) != len(spec.bounds) + 1 or sum(buckets) != count:
        return "bad_value"
    if not math.isfinite(total) or total < 0:
        return "bad_value"
    attrs, key = series
    return DataPoint(
        spec.name,
        "histogram",
        samu,
        attrs,
        start_ns,
        time_ns,
        temporality,
        float(count),
        hist_sum=total,
        bounds=spec.bounds,
        bucket_counts=buckets,
        series_key=key,
    )


_RULES: dict[str, RuleSet] = {}


def _rules(metric: str) -> RuleSet:
    rules = _RULES.get(metric)
    if rules is None:
        rules = _RULES[metric] = rule_set(METRICS[metric].attributes)
    return rules


__all__ = [
    "decode_metrics",
    "decode_metrics_request",
    "decode_traces",
    "decode_traces_request",
]
