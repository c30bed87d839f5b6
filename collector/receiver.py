"""The transport-independent half of an OTLP export: decode, hand to the sink, answer.

Both the HTTP router and the gRPC server call this; they only translate its errors into
their own status codes (see collector.errors and DESIGN.md rule 8).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Container
from dataclasses import dataclass
from typing import Any, Literal

from google.protobuf import any_pb2, duration_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import (
    ExportMetricsServiceResponse,
)
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceResponse

from collector.decode import decode_metrics_request
from collector.errors import DecodeError
from collector.limits import Limits
from collector.model import Decoded, PointSink
from collector.payload import Encoding, parse_metrics, parse_traces
from collector.reasons import summarize
from collector.selfmetrics import SelfMetrics
from collector.spans import decode_traces_request
from store.clock import Clock

Signal = Literal["metrics", "traces"]
log = logging.getLogger(__name__)

# Bodies above this are decoded in a worker thread so the event loop keeps answering.
_THREAD_DECODE_BYTES = 256 * 1024


@dataclass(frozen=True)
class Outcome:
    """What an accepted export answers: how many items were refused, and why (no values)."""

    received: int
    rejected: int
    message: str


class Receiver:
    """Decodes OTLP export requests and hands them to the sink; one per process."""

    def __init__(
        self,
        sink: PointSink,
        known_samu: Container[str],
        limits: Limits,
        metrics: SelfMetrics,
        clock: Clock,
    ) -> None:
        self.sink = sink
        self.known_samu = known_samu
        self.limits = limits
        self.metrics = metrics
        self.clock = clock

    def decode_sync(self, signal: Signal, body: bytes, encoding: Encoding) -> Decoded:
        """Parse and validate a body; DecodeError for anything that is not OTLP."""
        try:
            if signal == "metrics":
                request = parse_metrics(body, encoding)
                return decode_metrics_request(
                    request, self.known_samu, self.clock.now_ns(), self.limits
                )
            request = parse_traces(body, encoding)
            return decode_traces_request(request, self.known_samu, self.clock.now_ns(), self.limits)
        except DecodeError:
            raise
        except Exception as error:  # bad input must never become a 500
            # Only the type is logged: the message could quote a value from the body.
            log.warning("OTLP %s body failed to decode: %s", signal, type(error).__name__)
            raise DecodeError(f"could not decode the OTLP {signal} request") from None

    async def decode(self, signal: Signal, body: bytes, encoding: Encoding) -> Decoded:
        """decode_sync, in a worker thread for large bodies."""
        if len(body) > _THREAD_DECODE_BYTES:
            return await asyncio.to_thread(self.decode_sync, signal, body, encoding)
        return self.decode_sync(signal, body, encoding)

    async def ingest(self, signal: Signal, decoded: Decoded) -> Outcome:
        """Hand decoded values to the sink (durable on return) and count them.

        Raises collector.errors.Overloaded or store.errors.StoreUnavailable from the sink;
        nothing is counted then, since the sender will retry the same request.
        """
        refused = decoded.rejections
        if decoded.points or decoded.spans or decoded.rejections:
            result = await self.sink.submit(decoded)
            refused = (*refused, *result.rejections)  # e.g. conflicts with stored points
        received = len(decoded.spans) if signal == "traces" else len(decoded.points)
        received += decoded.rejected
        rejected = sum(r.count for r in refused)
        self.metrics.points_received.labels(signal).inc(received)
        for rejection in refused:
            self.metrics.rejected(rejection.reason, rejection.count)
        unit = "spans" if signal == "traces" else "data points"
        return Outcome(received, rejected, summarize(refused, unit))


def export_response(signal: Signal, outcome: Outcome) -> Any:
    """The OTLP Export*ServiceResponse, with partial_success when something was refused."""
    if signal == "metrics":
        response = ExportMetricsServiceResponse()
        if outcome.rejected:
            response.partial_success.rejected_data_points = outcome.rejected
            response.partial_success.error_message = outcome.message
        return response
    response = ExportTraceServiceResponse()
    if outcome.rejected:
        response.partial_success.rejected_spans = outcome.rejected
        response.partial_success.error_message = outcome.message
    return response


def retry_info(seconds: int) -> Any:
    """A google.rpc.RetryInfo asking the sender to wait `seconds`."""
    return error_details_pb2.RetryInfo(retry_delay=duration_pb2.Duration(seconds=seconds))


def rpc_status(code: int, message: str, retry_after_s: int | None = None) -> Any:
    """A google.rpc.Status, with RetryInfo when the sender should retry later."""
    status = status_pb2.Status(code=code, message=message)
    if retry_after_s is not None:
        detail = any_pb2.Any()
        detail.Pack(retry_info(retry_after_s))
        status.details.append(detail)
    return status


INVALID_ARGUMENT = code_pb2.INVALID_ARGUMENT
UNAVAILABLE = code_pb2.UNAVAILABLE
RESOURCE_EXHAUSTED = code_pb2.RESOURCE_EXHAUSTED
UNIMPLEMENTED = code_pb2.UNIMPLEMENTED
