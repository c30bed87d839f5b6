"""OTLP trace export requests to stored Spans, and call-setup spans to SLI data points (pure).

A span named CALL_SETUP_SPAN counts one call setup: a `samu.call.setups` delta point of 1
with its `outcome` (the attribute, or from the status: error → failed, else success), and for
a success a `samu.call.setup.duration` delta histogram point of count 1 in the bucket of its
duration. Other spans are kept only when their name is a plain dotted identifier
(otherwise `unknown_span`) and every attribute passes the same allow-list as call setups
(outcome, sip.status_code, component); they add no data points.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Container
from typing import Any

from collector import privacy
from collector.attributes import (
    Attrs,
    Refusal,
    Resource,
    check_attributes,
    raw_attributes,
    read_resource,
    rule_set,
    series_key,
)
from collector.conventions import CALL_SETUP_SPAN, METRICS, SETUP_BOUNDS, AttributeRule, Kind
from collector.limits import Limits, Window
from collector.model import DataPoint, Decoded, Span
from collector.payload import Encoding, parse_traces
from collector.tally import Tally

SETUPS = "samu.call.setups"
SETUP_DURATION = "samu.call.setup.duration"
_SPAN_NAME = re.compile(r"[a-z][a-z0-9_.]{0,63}")
_STATUS = {0: "unset", 1: "ok", 2: "error"}
# The call-setup attributes, none required: a span's outcome may come from its status.
_SPAN_RULES = rule_set(
    {k: AttributeRule(r.values, r.pattern) for k, r in METRICS[SETUPS].attributes.items()}
)
_DURATION_KEYS = frozenset(METRICS[SETUP_DURATION].attributes)


def decode_traces(
    body: bytes, content_type: Encoding, known_samu: Container[str], now_ns: int, limits: Limits
) -> Decoded:
    """Decode an OTLP traces body; DecodeError when it is not OTLP at all."""
    return decode_traces_request(parse_traces(body, content_type), known_samu, now_ns, limits)


def decode_traces_request(
    request: Any, known_samu: Container[str], now_ns: int, limits: Limits
) -> Decoded:
    """Validate a parsed ExportTraceServiceRequest into spans, setup points and rejections."""
    tally = Tally()
    spans: list[Span] = []
    points: list[DataPoint] = []
    window = Window.around(now_ns, limits)
    agent = ""
    room = limits.max_points_per_request  # spans left before too_many_points
    for resource_spans in request.resource_spans:
        resource = read_resource(resource_spans.resource.attributes, known_samu, limits)
        agent = agent or resource.agent
        for scope_spans in resource_spans.scope_spans:
            for span in scope_spans.spans:
                room -= 1
                made = (
                    Refusal("too_many_points")
                    if room < 0
                    else _decode_span(span, resource, window, limits)
                )
                if isinstance(made, Refusal):
                    samu = "" if made.reason.startswith("pii_") else resource.samu_id
                    tally.add(made.reason, samu, "", made.attribute)
                    continue
                spans.append(made)
                if made.name == CALL_SETUP_SPAN:
                    points.extend(setup_points(made, resource))
    return Decoded(
        points=tuple(points), spans=tuple(spans), rejections=tally.rejections(), agent=agent
    )


def _decode_span(span: Any, resource: Resource, window: Window, limits: Limits) -> Span | Refusal:
    name = str(span.name)
    if len(name) > limits.max_attribute_length:
        return Refusal("name_too_long")
    raw, pii = raw_attributes(span.attributes, limits)
    if resource.refusal is not None and resource.refusal.reason.startswith("pii_"):
        return resource.refusal
    pii = pii or privacy.classify(name)
    if pii is not None:
        return Refusal(pii)
    if resource.refusal is not None:
        return resource.refusal
    if name != CALL_SETUP_SPAN and _SPAN_NAME.fullmatch(name) is None:
        return Refusal("unknown_span")
    attrs = check_attributes(raw, _SPAN_RULES)
    if isinstance(attrs, Refusal):
        return attrs
    start_ns, end_ns = int(span.start_time_unix_nano), int(span.end_time_unix_nano)
    reason = window.refuse(end_ns)
    if reason is not None:
        return Refusal(reason)
    if end_ns < start_ns or len(span.trace_id) != 16 or len(span.span_id) != 8:
        return Refusal("bad_value")
    status = _STATUS.get(int(span.status.code), "unset")
    if name == CALL_SETUP_SPAN and not any(k == "outcome" for k, _ in attrs):
        outcome = "failed" if status == "error" else "success"
        attrs = tuple(sorted((*attrs, ("outcome", outcome))))
    return Span(
        samu_id=resource.samu_id,
        trace_id=bytes(span.trace_id),
        span_id=bytes(span.span_id),
        name=name,
        start_ns=start_ns,
        end_ns=end_ns,
        status=status,
        attributes=attrs,
    )


def setup_points(span: Span, resource: Resource) -> tuple[DataPoint, ...]:
    """The data points one call-setup span stands for: a setup, and its duration if it succeeded."""
    attrs = span.attributes
    setup = _point(SETUPS, "sum", attrs, span, resource, value=1.0)
    if dict(attrs).get("outcome") != "success":
        return (setup,)
    duration = (span.end_ns - span.start_ns) / 1e9
    buckets = [0] * (len(SETUP_BOUNDS) + 1)
    buckets[bisect_left(SETUP_BOUNDS, duration)] = 1
    kept = tuple((k, v) for k, v in attrs if k in _DURATION_KEYS)
    timing = _point(
        SETUP_DURATION,
        "histogram",
        kept,
        span,
        resource,
        value=1.0,
        hist_sum=duration,
        bounds=SETUP_BOUNDS,
        bucket_counts=tuple(buckets),
    )
    return (setup, timing)


def _point(
    metric: str,
    kind: Kind,
    attrs: Attrs,
    span: Span,
    resource: Resource,
    value: float,
    hist_sum: float = 0.0,
    bounds: tuple[float, ...] = (),
    bucket_counts: tuple[int, ...] = (),
) -> DataPoint:
    return DataPoint(
        metric=metric,
        kind=kind,
        samu_id=span.samu_id,
        attributes=attrs,
        start_ns=span.start_ns,
        time_ns=span.end_ns,
        temporality="delta",
        series_key=series_key(
            metric, span.samu_id, attrs, resource.instance_id, resource.service_name
        ),
        value=value,
        hist_sum=hist_sum,
        bounds=bounds,
        bucket_counts=bucket_counts,
    )
