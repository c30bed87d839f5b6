"""OTLP/HTTP receiver: protocol-exact answers, with real SDK payloads and the real exporter."""

from __future__ import annotations

import gzip
import json
import socket
import time
import tracemalloc
import zlib
from typing import Any

import pytest
from google.protobuf import json_format
from google.rpc import code_pb2, error_details_pb2, status_pb2
from opentelemetry.exporter.otlp.proto.http import Compression
from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import (
    ExportMetricsServiceRequest,
    ExportMetricsServiceResponse,
)
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceResponse
from opentelemetry.sdk.metrics.export import MetricExportResult
from opentelemetry.sdk.trace.export import SpanExportResult
from prometheus_client import CollectorRegistry
from starlette.testclient import TestClient

from collector.body import BodyReader
from collector.errors import Overloaded, PayloadTooLarge
from collector.limits import Limits
from store.errors import StoreUnavailable
from tests.fixtures.otlp.peers import RecordingSink, otlp_app, serving
from tests.fixtures.otlp.sdk import (
    KNOWN_SAMU,
    PARIS,
    a_bit_of_everything,
    finished_spans,
    metrics_data,
    metrics_request,
    resource,
    setups,
    spans_request,
    to_json,
)
from tests.test_spans import one_span

PROTOBUF = {"Content-Type": "application/x-protobuf"}
JSON = {"Content-Type": "application/json"}


def client(sink: RecordingSink, **limits: int) -> TestClient:
    return TestClient(otlp_app(sink, Limits(**limits)))


def status_of(response: Any) -> Any:
    status = status_pb2.Status()
    if response.headers["content-type"].startswith("application/json"):
        json_format.Parse(response.text, status)
    else:
        status.ParseFromString(response.content)
    return status


def test_a_protobuf_export_is_accepted_and_handed_to_the_sink() -> None:
    sink = RecordingSink()
    body = metrics_request(a_bit_of_everything).SerializeToString()
    response = client(sink).post("/v1/metrics", content=body, headers=PROTOBUF)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/x-protobuf"
    answer = ExportMetricsServiceResponse.FromString(response.content)
    assert not answer.HasField("partial_success")
    assert len(sink.points) == 6


@pytest.mark.parametrize(
    ("name", "headers", "encode"),
    [
        ("JSON", JSON, lambda r: to_json(r)),
        ("JSON with a charset", {"Content-Type": "application/json; charset=utf-8"}, to_json),
        (
            "gzip protobuf",
            {**PROTOBUF, "Content-Encoding": "gzip"},
            lambda r: gzip.compress(r.SerializeToString()),
        ),
        (
            "deflate protobuf",
            {**PROTOBUF, "Content-Encoding": "deflate"},
            lambda r: zlib.compress(r.SerializeToString()),
        ),
        ("gzip JSON", {**JSON, "Content-Encoding": "gzip"}, lambda r: gzip.compress(to_json(r))),
    ],
)
def test_every_encoding_gives_the_same_points_as_plain_protobuf(
    name: str, headers: dict[str, str], encode: Any
) -> None:
    request = metrics_request(a_bit_of_everything)
    reference, other = RecordingSink(), RecordingSink()
    client(reference).post("/v1/metrics", content=request.SerializeToString(), headers=PROTOBUF)
    response = client(other).post("/v1/metrics", content=encode(request), headers=headers)
    assert response.status_code == 200
    assert other.points == reference.points and other.points


def test_a_large_body_is_decoded_off_the_event_loop_to_the_same_points() -> None:
    request = ExportMetricsServiceRequest()
    for samu in sorted(KNOWN_SAMU):
        (template,) = metrics_request(a_bit_of_everything, res=resource(samu)).resource_metrics
        for instance in range(40):
            copy = request.resource_metrics.add()
            copy.CopyFrom(template)
            for kv in copy.resource.attributes:
                if kv.key == "service.instance.id":
                    kv.value.string_value = f"gw-{instance}"
    body = to_json(request)
    assert len(body) > 256 * 1024  # over the size decoded in a worker thread
    sink = RecordingSink()
    response = client(sink).post("/v1/metrics", content=body, headers=JSON)
    assert response.status_code == 200
    assert len(sink.points) == 6 * 4 * 40
    assert len({p.series_key for p in sink.points}) == 6 * 4 * 40


def test_a_json_export_is_answered_in_json() -> None:
    response = client(RecordingSink()).post(
        "/v1/metrics", content=to_json(metrics_request(setups({"success": 1}))), headers=JSON
    )
    assert (response.status_code, response.headers["content-type"]) == (200, "application/json")
    assert response.json() == {}


@pytest.mark.parametrize(
    ("name", "body", "headers", "code", "message"),
    [
        ("truncated protobuf", "truncated", PROTOBUF, 400, "not a valid protobuf"),
        ("random JSON", b'{"resourceMetrics": [{"resource": 7}]}', JSON, 400, "not an OTLP"),
        ("broken JSON", b"{{{", JSON, 400, "not valid JSON"),
        (
            "corrupt gzip",
            b"\x1f\x8b\x08garbage",
            {**PROTOBUF, "Content-Encoding": "gzip"},
            400,
            "corrupt gzip",
        ),
        (
            "truncated gzip",
            "truncated-gzip",
            {**PROTOBUF, "Content-Encoding": "gzip"},
            400,
            "truncated gzip",
        ),
        ("a text content type", b"hello", {"Content-Type": "text/plain"}, 415, "text/plain"),
        ("no content type", b"hello", {}, 415, "none"),
        (
            "a JSON charset other than UTF-8",
            b"{}",
            {"Content-Type": "application/json; charset=latin-1"},
            415,
            "utf-8",
        ),
        ("brotli encoding", b"x", {**PROTOBUF, "Content-Encoding": "br"}, 415, "'br'"),
    ],
)
def test_bad_requests_get_a_google_rpc_status(
    name: str, body: Any, headers: dict[str, str], code: int, message: str
) -> None:
    sink = RecordingSink()
    whole = metrics_request(a_bit_of_everything).SerializeToString()
    if body == "truncated":
        body = whole[:-9]
    elif body == "truncated-gzip":
        body = gzip.compress(whole)[:-20]
    response = client(sink).post("/v1/metrics", content=body, headers=headers)
    assert response.status_code == code
    status = status_of(response)
    assert message in status.message
    expected = code_pb2.INVALID_ARGUMENT if code == 400 else code_pb2.UNIMPLEMENTED
    assert status.code == expected
    assert not sink.received


def test_a_body_over_the_limit_is_refused_with_413() -> None:
    sink = RecordingSink()
    body = metrics_request(a_bit_of_everything).SerializeToString()
    response = client(sink, max_body_bytes=len(body) - 1).post(
        "/v1/metrics", content=body, headers=PROTOBUF
    )
    assert response.status_code == 413 and not sink.received
    assert status_of(response).code == code_pb2.RESOURCE_EXHAUSTED


def gzip_bomb(megabytes: int) -> bytes:
    """`megabytes` MB of zeros, gzip-compressed a megabyte at a time (about 50 kB)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    zeros = bytes(1024 * 1024)
    return b"".join(packer.compress(zeros) for _ in range(megabytes)) + packer.flush()


def test_a_gzip_bomb_is_refused_with_413_without_inflating_it() -> None:
    sink = RecordingSink()
    bomb = gzip_bomb(50)
    http = client(sink, max_body_bytes=1024 * 1024)
    tracemalloc.start()
    try:
        response = http.post(
            "/v1/metrics", content=bomb, headers={**PROTOBUF, "Content-Encoding": "gzip"}
        )
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert response.status_code == 413 and not sink.received
    assert peak < 8 * 1024 * 1024  # the cap (1 MB) and some copies, never the 50 MB


@pytest.mark.parametrize(
    ("name", "failure", "message"),
    [
        ("a full write queue", Overloaded("queue full"), "write queue full"),
        ("a store that is down", StoreUnavailable("down"), "store unavailable"),
    ],
)
def test_backpressure_answers_503_with_retry_after(
    name: str, failure: Exception, message: str
) -> None:
    body = metrics_request(setups({"success": 1})).SerializeToString()
    response = client(RecordingSink(failure), retry_after_s=7).post(
        "/v1/metrics", content=body, headers=PROTOBUF
    )
    assert response.status_code == 503
    assert response.headers["retry-after"] == "7"
    status = status_of(response)
    assert (status.code, message in status.message) == (code_pb2.UNAVAILABLE, True)
    delay = error_details_pb2.RetryInfo()
    assert status.details[0].Unpack(delay) and delay.retry_delay.seconds == 7


def test_unknown_samu_points_get_a_partial_success_and_reach_the_sink_as_rejections() -> None:
    sink = RecordingSink()
    request = metrics_request(
        setups({"success": 3, "failed": 1}), res=resource("fr.health.samu099")
    )
    response = client(sink).post(
        "/v1/metrics", content=request.SerializeToString(), headers=PROTOBUF
    )
    assert response.status_code == 200
    partial = ExportMetricsServiceResponse.FromString(response.content).partial_success
    assert partial.rejected_data_points == 2
    assert partial.error_message == "rejected 2 data points: unknown_samu=2"
    (decoded,) = sink.received
    assert not decoded.points and decoded.rejected == 2


def test_a_phone_number_never_reaches_the_sink_nor_the_answer() -> None:
    sink = RecordingSink()
    phone = "+33 6 12 34 56 78"
    record = setups({"success": 2}, caller=phone)
    request = metrics_request(lambda m: (record(m), setups({"failed": 1})(m)))
    response = client(sink).post("/v1/metrics", content=to_json(request), headers=JSON)
    assert response.json() == {
        "partialSuccess": {
            "rejectedDataPoints": "1",
            "errorMessage": "rejected 1 data points: pii_phone_number=1",
        }
    }
    assert [p.attributes for p in sink.received[0].points] == [(("outcome", "failed"),)]
    assert phone not in repr(sink.received) and "12 34 56" not in response.text


def test_traces_with_hex_ids_in_json_are_accepted_and_counted_per_span() -> None:
    sink = RecordingSink()
    now = time.time_ns()
    request = spans_request(lambda t: (one_span(at=now)(t), one_span(name="GET /x", at=now)(t)))
    response = client(sink).post("/v1/traces", content=to_json(request), headers=JSON)
    assert response.status_code == 200
    answer = json_format.Parse(response.text, ExportTraceServiceResponse())
    assert answer.partial_success.rejected_spans == 1
    assert [s.name for s in sink.received[0].spans] == ["samu.call.setup"]
    assert len(sink.received[0].points) == 2


def test_requests_and_points_are_counted_in_the_self_metrics() -> None:
    registry = CollectorRegistry()
    http = TestClient(otlp_app(RecordingSink(), registry=registry))
    request = metrics_request(setups({"success": 1}, operator="x"))
    http.post("/v1/metrics", content=request.SerializeToString(), headers=PROTOBUF)
    http.post("/v1/metrics", content=b"nope", headers=PROTOBUF)
    value = registry.get_sample_value
    assert (
        value(
            "vigie_collector_requests_total",
            {"transport": "http", "signal": "metrics", "code": "200"},
        )
        == 1
    )
    assert (
        value(
            "vigie_collector_requests_total",
            {"transport": "http", "signal": "metrics", "code": "400"},
        )
        == 1
    )
    assert value("vigie_collector_points_received_total", {"signal": "metrics"}) == 1
    refused = {"agent": "instance:gw-1", "samu": PARIS, "reason": "attribute_not_allowed"}
    assert value("vigie_ingest_points_rejected_total", refused) == 1
    assert (
        value("vigie_collector_request_seconds_count", {"transport": "http", "signal": "metrics"})
        == 2
    )


def test_the_real_otlp_http_exporters_deliver_metrics_and_spans() -> None:
    sink = RecordingSink()
    with serving(otlp_app(sink)) as port:
        metrics = OTLPMetricExporter(
            endpoint=f"http://127.0.0.1:{port}/v1/metrics", timeout=5, compression=Compression.Gzip
        )
        spans = OTLPSpanExporter(endpoint=f"http://127.0.0.1:{port}/v1/traces", timeout=5)
        try:
            assert metrics.export(metrics_data(a_bit_of_everything)) == MetricExportResult.SUCCESS
            assert (
                spans.export(finished_spans(one_span(at=time.time_ns())))
                == SpanExportResult.SUCCESS
            )
        finally:
            metrics.shutdown()
            spans.shutdown()
    assert len(sink.received[0].points) == 6
    assert [s.name for s in sink.received[1].spans] == ["samu.call.setup"]


def test_the_real_exporter_gives_up_at_once_when_retry_after_exceeds_its_timeout() -> None:
    with serving(otlp_app(RecordingSink(Overloaded("full")), Limits(retry_after_s=30))) as port:
        exporter = OTLPMetricExporter(endpoint=f"http://127.0.0.1:{port}/v1/metrics", timeout=3)
        try:
            started = time.monotonic()
            result = exporter.export(metrics_data(setups({"success": 1})))
            elapsed = time.monotonic() - started
        finally:
            exporter.shutdown()
    assert result == MetricExportResult.FAILURE
    assert elapsed < 3  # it read Retry-After (30 s) and did not sleep through a backoff


def test_a_declared_length_over_the_limit_is_refused_before_the_body_is_sent() -> None:
    sink = RecordingSink()
    head = (
        b"POST /v1/metrics HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-protobuf\r\n"
        b"Content-Length: 1000000000\r\n\r\n"
    )
    with (
        serving(otlp_app(sink, Limits(max_body_bytes=1024))) as port,
        socket.create_connection(("127.0.0.1", port), timeout=5) as raw,
    ):
        raw.sendall(head)
        answer = raw.recv(4096)
    assert answer.startswith(b"HTTP/1.1 413") and not sink.received


def test_the_json_status_body_is_otlp_json() -> None:
    response = client(RecordingSink()).post("/v1/metrics", content=b"[]", headers=JSON)
    assert json.loads(response.text) == {
        "code": code_pb2.INVALID_ARGUMENT,
        "message": "OTLP/JSON metrics request must be an object, not list",
    }


@pytest.mark.parametrize(
    ("name", "encoding", "chunks", "limit", "expected"),
    [
        ("identity exactly at the limit", "identity", [b"ab", b"cd"], 4, b"abcd"),
        ("gzip exactly at the limit", "gzip", [gzip.compress(b"x" * 100)], 100, b"x" * 100),
        ("two gzip members", "gzip", [gzip.compress(b"ab") + gzip.compress(b"cd")], 10, b"abcd"),
        (
            "gzip fed byte by byte",
            "gzip",
            [bytes([b]) for b in gzip.compress(b"hello")],
            5,
            b"hello",
        ),
        ("an uppercase encoding name", "GZIP", [gzip.compress(b"ok")], 2, b"ok"),
    ],
)
def test_the_body_reader_accepts_bodies_up_to_the_limit(
    name: str, encoding: str, chunks: list[bytes], limit: int, expected: bytes
) -> None:
    reader = BodyReader(encoding, limit)
    for chunk in chunks:
        reader.feed(chunk)
    assert reader.finish() == expected


@pytest.mark.parametrize(
    ("name", "encoding", "chunks"),
    [
        ("identity one byte over", "identity", [b"abc", b"de"]),
        ("gzip one byte over", "gzip", [gzip.compress(b"x" * 5)]),
        ("a second gzip member over", "gzip", [gzip.compress(b"abc") + gzip.compress(b"de")]),
    ],
)
def test_the_body_reader_refuses_one_byte_over_the_limit(
    name: str, encoding: str, chunks: list[bytes]
) -> None:
    reader = BodyReader(encoding, 4)
    with pytest.raises(PayloadTooLarge):
        for chunk in chunks:
            reader.feed(chunk)
