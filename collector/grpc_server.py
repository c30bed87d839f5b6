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

import time
from collections.abc import Awaitable, Callable, Container
from typing import NoReturn

import grpc
from opentelemetry.proto.collector.metrics.v1 import metrics_service_pb2
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2

from collector.agent_auth import AgentAuth, AgentToken, Refusal
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
    auth: AgentAuth | None = None,
) -> grpc.aio.Server:
    """An OTLP/gRPC server (not started); listens on `address` (e.g. "127.0.0.1:4317") if given.

    Start with `await server.start()`, stop with `await server.stop(grace)`. With address None
    the caller binds it, e.g. `port = server.add_insecure_port("127.0.0.1:0")`. With `auth`,
    every export needs an agent token bound to the SAMU it names.
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
            _service(METRICS_SERVICE, _export_handler(receiver, "metrics", auth)),
            _service(TRACE_SERVICE, _export_handler(receiver, "traces", auth)),
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


async def _refuse(context: grpc.aio.ServicerContext, refusal: Refusal) -> NoReturn:
    code = grpc.StatusCode.UNAUTHENTICATED
    if refusal.status == 403:
        code = grpc.StatusCode.PERMISSION_DENIED
    await context.abort(code, refusal.message)
    raise AssertionError("context.abort always raises")  # pragma: no cover


def _export_handler(receiver: Receiver, signal: Signal, auth: AgentAuth | None) -> Handler:
    async def export(body: bytes, context: grpc.aio.ServicerContext) -> bytes:
        started = time.perf_counter()
        code = grpc.StatusCode.OK
        source = context.peer() or ""
        try:
            token: AgentToken | None = None
            if auth is not None:
                found = await auth.authenticate(_authorization(context), "grpc", source)
                if isinstance(found, Refusal):
                    code = grpc.StatusCode.UNAUTHENTICATED
                    await _refuse(context, found)
                token = found
            decoded = await receiver.decode(signal, body, "protobuf")
            if auth is not None and token is not None:
                refused = await auth.authorize(token, decoded, "grpc", source)
                if refused is not None:
                    code = grpc.StatusCode.PERMISSION_DENIED
                    await _refuse(context, refused)
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
