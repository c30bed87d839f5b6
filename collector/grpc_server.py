"""OTLP/gRPC receiver: MetricsService/Export and TraceService/Export on grpc.aio.

The handlers take the raw request bytes (no generated deserializer) so that an undecodable
message answers INVALID_ARGUMENT, as OTLP asks, instead of grpc's INTERNAL. Backpressure
answers UNAVAILABLE with a google.rpc.RetryInfo trailer, which the OTel SDK honours; a
message over the body limit gets RESOURCE_EXHAUSTED from grpc itself. gzip is accepted.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Container

import grpc
from opentelemetry.proto.collector.metrics.v1 import metrics_service_pb2
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2

from collector.errors import DecodeError, Overloaded
from collector.limits import Limits
from collector.model import PointSink
from collector.receiver import Receiver, Signal, export_response, retry_info
from collector.selfmetrics import SelfMetrics
from store.clock import Clock
from store.errors import StoreUnavailable

METRICS_SERVICE = metrics_service_pb2.DESCRIPTOR.services_by_name["MetricsService"].full_name
TRACE_SERVICE = trace_service_pb2.DESCRIPTOR.services_by_name["TraceService"].full_name
_RETRY_INFO_KEY = "google.rpc.retryinfo-bin"

Handler = Callable[[bytes, grpc.aio.ServicerContext], Awaitable[bytes]]


def create_grpc_server(
    sink: PointSink,
    known_samu: Container[str],
    limits: Limits,
    metrics: SelfMetrics,
    clock: Clock,
    address: str | None,
) -> grpc.aio.Server:
    """An OTLP/gRPC server (not started); listens on `address` (e.g. "127.0.0.1:4317") if given.

    Start with `await server.start()`, stop with `await server.stop(grace)`. With address None
    the caller binds it, e.g. `port = server.add_insecure_port("127.0.0.1:0")`.
    """
    receiver = Receiver(sink, known_samu, limits, metrics, clock)
    server = grpc.aio.server(
        options=[
            ("grpc.max_receive_message_length", limits.max_body_bytes),
            ("grpc.max_send_message_length", 4 * 1024 * 1024),
        ]
    )
    server.add_generic_rpc_handlers(
        (
            _service(METRICS_SERVICE, _export_handler(receiver, "metrics")),
            _service(TRACE_SERVICE, _export_handler(receiver, "traces")),
        )
    )
    if address is not None:
        server.add_insecure_port(address)
    return server


def _service(name: str, handler: Handler) -> grpc.GenericRpcHandler:
    return grpc.method_handlers_generic_handler(
        name, {"Export": grpc.unary_unary_rpc_method_handler(handler)}
    )


def _export_handler(receiver: Receiver, signal: Signal) -> Handler:
    async def export(body: bytes, context: grpc.aio.ServicerContext) -> bytes:
        started = time.perf_counter()
        code = grpc.StatusCode.OK
        try:
            decoded = await receiver.decode(signal, body, "protobuf")
            outcome = await receiver.ingest(signal, decoded)
            return bytes(export_response(signal, outcome).SerializeToString())
        except DecodeError as error:
            code = grpc.StatusCode.INVALID_ARGUMENT
            await context.abort(code, str(error))
        except (Overloaded, StoreUnavailable) as error:
            code = grpc.StatusCode.UNAVAILABLE
            reason = "write queue full" if isinstance(error, Overloaded) else "store unavailable"
            delay = retry_info(receiver.limits.retry_after_s).SerializeToString()
            await context.abort(
                code, f"{reason}; retry later", trailing_metadata=((_RETRY_INFO_KEY, delay),)
            )
        finally:
            metrics = receiver.metrics
            metrics.requests.labels("grpc", signal, code.name).inc()
            metrics.request_seconds.labels("grpc", signal).observe(time.perf_counter() - started)
        raise AssertionError("context.abort always raises")  # pragma: no cover

    return export
