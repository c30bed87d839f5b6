"""OTLP traces: call-setup spans become setup counts and durations; other spans are kept or not."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pytest
from opentelemetry.trace import Status, StatusCode, Tracer

from collector.conventions import CALL_SETUP_SPAN
from collector.errors import DecodeError
from collector.limits import Limits
from collector.model import Decoded
from collector.spans import decode_traces, decode_traces_request
from tests.fixtures.otlp.sdk import KNOWN_SAMU, PARIS, resource, spans_request, to_json

NOW = 1_750_000_000 * 10**9
LIMITS = Limits()


def one_span(
    name: str = CALL_SETUP_SPAN,
    seconds: float = 0.4,
    attributes: Mapping[str, str | int] | None = None,
    error: bool = False,
    at: int = NOW,
) -> Callable[[Tracer], None]:
    """A span that ended 10 s before `at` and lasted `seconds`."""

    def record(tracer: Tracer) -> None:
        start = at - 10 * 10**9
        span = tracer.start_span(name, start_time=start, attributes=dict(attributes or {}))
        if error:
            span.set_status(Status(StatusCode.ERROR))
        span.end(end_time=start + int(seconds * 1e9))

    return record


def decode(record: Callable[[Tracer], None], res: Any = None) -> Decoded:
    request = spans_request(record, res=res)
    return decode_traces(request.SerializeToString(), "protobuf", KNOWN_SAMU, NOW, LIMITS)


def test_a_successful_setup_span_counts_one_setup_and_one_duration() -> None:
    decoded = decode(one_span(seconds=0.4, attributes={"component": "telephony"}))
    (span,) = decoded.spans
    assert (span.samu_id, span.name, span.status) == (PARIS, CALL_SETUP_SPAN, "unset")
    assert len(span.trace_id) == 16 and len(span.span_id) == 8
    setup, duration = decoded.points
    assert (setup.metric, setup.value, setup.temporality) == ("samu.call.setups", 1.0, "delta")
    assert setup.attributes == (("component", "telephony"), ("outcome", "success"))
    assert duration.metric == "samu.call.setup.duration"
    assert duration.attributes == (("component", "telephony"),)
    assert duration.bucket_counts == (0, 0, 1, 0, 0, 0, 0, 0, 0)
    assert (duration.value, duration.hist_sum) == (1.0, pytest.approx(0.4))
    assert setup.time_ns == span.end_ns and setup.start_ns == span.start_ns


@pytest.mark.parametrize(
    ("name", "seconds", "bucket"),
    [
        ("exactly on the 1 s SLO threshold counts as under it", 1.0, 3),
        ("just over 3 s", 3.001, 6),
        ("over the last bound", 12.0, 8),
    ],
)
def test_a_setup_duration_falls_in_its_bucket(name: str, seconds: float, bucket: int) -> None:
    (_, duration) = decode(one_span(seconds=seconds)).points
    assert duration.bucket_counts.index(1) == bucket


def test_an_error_status_means_a_failed_setup_without_duration() -> None:
    decoded = decode(one_span(error=True))
    (setup,) = decoded.points
    assert setup.attribute("outcome") == "failed"
    assert decoded.spans[0].status == "error"


def test_an_outcome_attribute_wins_over_the_status() -> None:
    decoded = decode(one_span(attributes={"outcome": "caller_cancelled"}, error=True))
    (setup,) = decoded.points
    assert setup.attribute("outcome") == "caller_cancelled"


def test_protobuf_and_json_with_hex_ids_decode_to_the_same_spans() -> None:
    request = spans_request(one_span(attributes={"sip.status_code": 200}))
    from_proto = decode_traces(request.SerializeToString(), "protobuf", KNOWN_SAMU, NOW, LIMITS)
    from_json = decode_traces(to_json(request), "json", KNOWN_SAMU, NOW, LIMITS)
    assert from_proto == from_json and len(from_json.spans) == 1


def test_other_spans_are_kept_without_points_when_their_attributes_are_allowed() -> None:
    decoded = decode(one_span(name="samu.call.route", attributes={"component": "hub"}))
    assert [s.name for s in decoded.spans] == ["samu.call.route"] and not decoded.points


@pytest.mark.parametrize(
    ("name", "record", "reason"),
    [
        ("a span name that is free text", one_span(name="GET /patients/42"), "unknown_span"),
        ("a phone number in a span name", one_span(name="call 0612345678"), "pii_phone_number"),
        (
            "a NIR in a span attribute",
            one_span(attributes={"patient": "1 85 05 78 006 084"}),
            "pii_health_id",
        ),
        ("an attribute not allowed", one_span(attributes={"db": "x"}), "attribute_not_allowed"),
        ("an outcome outside the set", one_span(attributes={"outcome": "meh"}), "attribute_value"),
    ],
)
def test_refused_spans_are_counted(
    name: str, record: Callable[[Tracer], None], reason: str
) -> None:
    decoded = decode(record)
    assert [(r.reason, r.count) for r in decoded.rejections] == [(reason, 1)]
    assert not decoded.spans and not decoded.points


def test_spans_of_an_unknown_samu_are_refused() -> None:
    decoded = decode(one_span(), res=resource("fr.health.samu099"))
    assert [(r.reason, r.samu_id) for r in decoded.rejections] == [
        ("unknown_samu", "fr.health.samu099")
    ]


def test_a_span_too_old_is_refused() -> None:
    request = spans_request(one_span())
    decoded = decode_traces(
        request.SerializeToString(), "protobuf", KNOWN_SAMU, NOW + LIMITS.max_age_s * 10**9, LIMITS
    )
    assert [r.reason for r in decoded.rejections] == ["too_old"]


def test_decoding_traces_does_not_mutate_the_request() -> None:
    request = spans_request(one_span())
    before = request.SerializeToString()
    decode_traces_request(request, KNOWN_SAMU, NOW, LIMITS)
    assert request.SerializeToString() == before


def test_a_span_id_that_is_not_hex_in_json_is_a_decode_error() -> None:
    body = b'{"resourceSpans": [{"scopeSpans": [{"spans": [{"traceId": "not-hex"}]}]}]}'
    with pytest.raises(DecodeError, match="traceId must be a hex string"):
        decode_traces(body, "json", KNOWN_SAMU, NOW, LIMITS)
