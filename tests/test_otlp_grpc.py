"""OTLP/gRPC receiver: the real gRPC exporters, partial success and status codes."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import grpc
import pytest
from google.rpc import error_details_pb2
from opentelemetry.exporter.otlp.proto.grpc.metric_exporter import OTLPMetricExporter
from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import (
    ExportMetricsServiceResponse,
)
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2_grpc import MetricsServiceStub
from opentelemetry.proto.collector.trace.v1.trace_service_pb2_grpc import TraceServiceStub
from opentelemetry.sdk.metrics.export import MetricExportResult
from opentelemetry.sdk.trace.export import SpanExportResult
from prometheus_client import CollectorRegistry

from collector.errors import Overloaded
from collector.limits import Limits
from store.errors import StoreUnavailable
from tests.fixtures.otlp.peers import RecordingSink, grpc_serving
from tests.fixtures.otlp.sdk import (
    a_bit_of_everything,
    finished_spans,
    metrics_data,
    metrics_request,
    resource,
    setups,
    spans_request,
)
from tests.test_spans import one_span

EXPORT = "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export"


@pytest.fixture
def channel_to() -> Iterator[Any]:
    channels: list[grpc.Channel] = []

    def open_channel(port: int) -> grpc.Channel:
        channels.append(grpc.insecure_channel(f"127.0.0.1:{port}"))
        return channels[-1]

    yield open_channel
    for channel in channels:
        channel.close()


def test_the_real_grpc_exporters_deliver_metrics_and_spans_with_gzip() -> None:
    sink = RecordingSink()
    with grpc_serving(sink) as port:
        metrics = OTLPMetricExporter(
            endpoint=f"127.0.0.1:{port}",
            insecure=True,
            timeout=5,
            compression=grpc.Compression.Gzip,
        )
        spans = OTLPSpanExporter(endpoint=f"127.0.0.1:{port}", insecure=True, timeout=5)
        try:
            assert metrics.export(metrics_data(a_bit_of_everything)) == MetricExportResult.SUCCESS
            now = time.time_ns()
            assert spans.export(finished_spans(one_span(at=now))) == SpanExportResult.SUCCESS
        finally:
            metrics.shutdown()
            spans.shutdown()
    assert len(sink.received[0].points) == 6
    assert [s.name for s in sink.received[1].spans] == ["samu.call.setup"]


def test_refused_points_get_a_partial_success(channel_to: Any) -> None:
    sink = RecordingSink()
    request = metrics_request(
        setups({"success": 3, "failed": 1}), res=resource("fr.health.samu099")
    )
    with grpc_serving(sink) as port:
        answer = MetricsServiceStub(channel_to(port)).Export(request, timeout=5)
    assert answer.partial_success.rejected_data_points == 2
    assert answer.partial_success.error_message == "rejected 2 data points: unknown_samu=2"
    assert sink.received[0].rejected == 2


def test_refused_spans_get_a_partial_success(channel_to: Any) -> None:
    request = spans_request(one_span(name="GET /x", at=time.time_ns()))
    with grpc_serving(RecordingSink()) as port:
        answer = TraceServiceStub(channel_to(port)).Export(request, timeout=5)
    assert answer.partial_success.rejected_spans == 1


def test_undecodable_bytes_are_invalid_argument(channel_to: Any) -> None:
    sink = RecordingSink()
    body = metrics_request(a_bit_of_everything).SerializeToString()[:-9]
    with grpc_serving(sink) as port:
        export = channel_to(port).unary_unary(EXPORT)
        with pytest.raises(grpc.RpcError) as raised:
            export(body, timeout=5)
    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "not a valid protobuf" in raised.value.details()
    assert not sink.received


def test_a_message_over_the_limit_is_resource_exhausted(channel_to: Any) -> None:
    request = metrics_request(a_bit_of_everything)
    limits = Limits(max_body_bytes=len(request.SerializeToString()) - 1)
    with grpc_serving(RecordingSink(), limits) as port, pytest.raises(grpc.RpcError) as raised:
        MetricsServiceStub(channel_to(port)).Export(request, timeout=5)
    assert raised.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED


@pytest.mark.parametrize(
    ("name", "failure"),
    [("a full write queue", Overloaded("full")), ("a store that is down", StoreUnavailable("x"))],
)
def test_backpressure_is_unavailable_with_retry_info(
    name: str, failure: Exception, channel_to: Any
) -> None:
    registry = CollectorRegistry()
    request = metrics_request(setups({"success": 1}))
    limits = Limits(retry_after_s=9)
    with (
        grpc_serving(RecordingSink(failure), limits, registry) as port,
        pytest.raises(grpc.RpcError) as raised,
    ):
        MetricsServiceStub(channel_to(port)).Export(request, timeout=5)
    error: Any = raised.value
    assert error.code() == grpc.StatusCode.UNAVAILABLE
    delay = error_details_pb2.RetryInfo.FromString(
        dict(error.trailing_metadata())["google.rpc.retryinfo-bin"]
    )
    assert delay.retry_delay.seconds == 9
    labels = {"transport": "grpc", "signal": "metrics", "code": "UNAVAILABLE"}
    assert registry.get_sample_value("vigie_collector_requests_total", labels) == 1


def test_the_real_exporter_gives_up_at_once_when_the_retry_delay_exceeds_its_timeout() -> None:
    with grpc_serving(RecordingSink(Overloaded("full")), Limits(retry_after_s=30)) as port:
        exporter = OTLPMetricExporter(endpoint=f"127.0.0.1:{port}", insecure=True, timeout=3)
        try:
            started = time.monotonic()
            result = exporter.export(metrics_data(setups({"success": 1})))
            elapsed = time.monotonic() - started
        finally:
            exporter.shutdown()
    assert result == MetricExportResult.FAILURE and elapsed < 3


def test_an_empty_export_is_answered_without_touching_the_sink(channel_to: Any) -> None:
    sink = RecordingSink(Overloaded("would fail if called"))
    with grpc_serving(sink) as port:
        answer = channel_to(port).unary_unary(EXPORT)(b"", timeout=5)
    assert ExportMetricsServiceResponse.FromString(answer) == ExportMetricsServiceResponse()
