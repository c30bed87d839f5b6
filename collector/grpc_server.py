"""OTLP/gRPC receiver: MetricsService/Export and TraceService/Export on grpc.aio.

The handlers take the raw request bytes (no generated deserializer) so that an undecodable
message answers INVALID_ARGUMENT, as OTLP asks, instead of grpc's INTERNAL. Backpressure
answers UNAVAILABLE with a google.rpc.RetryInfo trailer, which the OTel SDK honours; a
message over the body limit gets RESOURCE_EXHAUSTED from grpc itself. gzip is accepted.
With agent authentication (collector.agent_auth) the `authorization: Bearer vga_…` metadata is
checked: UNAUTHENTICATED without a valid token, PERMISSION_DENIED (nothing written) when the
request names a SAMU the token is not bound to.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import grpc
from opentelemetry.proto.collector.metrics.v1 import metrics_service_pb2
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2

from collector.answers import retry_info
from collector.export import ExportCall, ExportService, Signal, Status

METRICS_SERVICE = metrics_service_pb2.DESCRIPTOR.services_by_name["MetricsService"].full_name
TRACE_SERVICE = trace_service_pb2.DESCRIPTOR.services_by_name["TraceService"].full_name
_RETRY_INFO_KEY = "google.rpc.retryinfo-bin"

Handler = Callable[[bytes, grpc.aio.ServicerContext], Awaitable[bytes]]


def create_grpc_server(service: ExportService, address: str | None) -> grpc.aio.Server:
    """An OTLP/gRPC server (not started); listens on `address` (e.g. "127.0.0.1:4317") if given.

    Start with `await server.start()`, stop with `await server.stop(grace)`. With address None
    the caller binds it, e.g. `port = server.add_insecure_port("127.0.0.1:0")`.
    """
    server = grpc.aio.server(
        options=[
            ("grpc.max_receive_message_length", service.limits.max_body_bytes),
            ("grpc.max_send_message_length", 4 * 1024 * 1024),
        ]
    )
    server.add_generic_rpc_handlers(
        (
            _service(METRICS_SERVICE, _export_handler(service, "metrics")),
            _service(TRACE_SERVICE, _export_handler(service, "traces")),
        )
    )
    if address is not None:
        server.add_insecure_port(address)
    return server


def _service(name: str, handler: Handler) -> grpc.GenericRpcHandler:
    return grpc.method_handlers_generic_handler(
        name, {"Export": grpc.unary_unary_rpc_method_handler(handler)}
    )


def _authorization(context: grpc.aio.ServicerContext) -> str:
    for key, value in context.invocation_metadata() or ():
        if key == "authorization":
            return value if isinstance(value, str) else ""
    return ""


def _export_handler(service: ExportService, signal: Signal) -> Handler:
    async def export(body: bytes, context: grpc.aio.ServicerContext) -> bytes:
        async def read_body() -> bytes:
            return body

        call = ExportCall(
            "grpc",
            signal,
            read_body=read_body,
            authorization=_authorization(context),
            source=context.peer() or "",
        )
        answer = await service.export(call)
        if answer.status is Status.OK:
            return bytes(answer.response.SerializeToString())
        trailers: tuple[tuple[str, bytes], ...] = ()
        if answer.retry_after_s is not None:
            delay = retry_info(answer.retry_after_s).SerializeToString()
            trailers = ((_RETRY_INFO_KEY, delay),)
        await context.abort(
            getattr(grpc.StatusCode, answer.status.grpc),
            answer.message,
            trailing_metadata=trailers,
        )
        raise AssertionError("context.abort always raises")  # pragma: no cover

    return export
