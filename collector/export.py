"""The one OTLP export service behind OTLP/HTTP and OTLP/gRPC: auth, decode, submit, answer.

Both transports hand it an `ExportCall` (how to read the body, the Authorization value, where
it came from) and render the `Answer` it returns in their own terms; the service alone checks
the agent token (collector.agent_auth), decodes and validates (collector.decode), hands the
points to the sink (durable on return), maps every error of the collector's tree to one
`Status` (DESIGN.md rule 8: undecodable → 400 / INVALID_ARGUMENT, not retried; overloaded or
store down → 503 / UNAVAILABLE with Retry-After; some points refused → 200 with
partial_success), and counts the request in the self-metrics and the heartbeat.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Container
from dataclasses import dataclass, replace
from enum import Enum
from typing import Any, Literal

from collector.agent_auth import AgentAuth, AgentToken, Refusal
from collector.answers import Outcome, export_response
from collector.decode import decode_metrics_request
from collector.errors import DecodeError, Overloaded, PayloadTooLarge, UnsupportedMediaType
from collector.health import HealthRecorder
from collector.limits import Limits
from collector.model import Decoded, PointSink
from collector.payload import Encoding, parse_metrics, parse_traces
from collector.reasons import summarize
from collector.selfmetrics import SelfMetrics
from collector.spans import decode_traces_request
from store.clock import Clock
from store.errors import StoreUnavailable

Signal = Literal["metrics", "traces"]
Transport = Literal["http", "grpc"]
log = logging.getLogger(__name__)

# Bodies above this are decoded in a worker thread so the event loop keeps answering.
_THREAD_DECODE_BYTES = 256 * 1024


class Status(Enum):
    """What an export answers, with its HTTP status and its gRPC code (one mapping)."""

    OK = (200, "OK")
    INVALID = (400, "INVALID_ARGUMENT")
    UNAUTHENTICATED = (401, "UNAUTHENTICATED")
    PERMISSION_DENIED = (403, "PERMISSION_DENIED")
    TOO_LARGE = (413, "RESOURCE_EXHAUSTED")
    UNSUPPORTED = (415, "UNIMPLEMENTED")
    UNAVAILABLE = (503, "UNAVAILABLE")

    @property
    def http(self) -> int:
        return self.value[0]

    @property
    def grpc(self) -> str:
        return self.value[1]


@dataclass(frozen=True)
class Answer:
    """The outcome of one export: a response message when OK, else a status and its message."""

    status: Status
    message: str = ""
    response: Any = None  # Export*ServiceResponse when OK
    retry_after_s: int | None = None  # for UNAVAILABLE: when to retry


@dataclass(frozen=True)
class ExportCall:
    """One export as a transport received it."""

    transport: Transport
    signal: Signal
    read_body: Callable[[], Awaitable[bytes]]  # may raise PayloadTooLarge, DecodeError
    encoding: Callable[[], Encoding] = lambda: "protobuf"  # may raise UnsupportedMediaType
    authorization: str | None = None
    source: str = ""


class _Refused(Exception):
    def __init__(self, refusal: Refusal) -> None:
        self.refusal = refusal


class ExportService:
    """Every OTLP export, whatever its transport: one per collector."""

    def __init__(
        self,
        sink: PointSink,
        known_samu: Container[str],
        limits: Limits,
        metrics: SelfMetrics,
        clock: Clock,
        auth: AgentAuth | None = None,
        health: HealthRecorder | None = None,
        backlog: Callable[[], None] | None = None,
    ) -> None:
        """`backlog` raises collector.errors.Overloaded when the sink takes nothing now; it is
        asked after authentication, before the body is read and decoded."""
        self.sink = sink
        self.backlog = backlog
        self.known_samu = known_samu
        self.limits = limits
        self.metrics = metrics
        self.clock = clock
        self.auth = auth
        self.health = health

    async def export(self, call: ExportCall) -> Answer:
        """Authenticate, decode, submit and answer one export; never raises for bad input."""
        started = time.perf_counter()
        try:
            answer = await self._export(call)
        except (UnsupportedMediaType, PayloadTooLarge, DecodeError) as error:
            answer = Answer(_status_of(error), str(error))
        except (Overloaded, StoreUnavailable) as error:
            reason = "write queue full" if isinstance(error, Overloaded) else "store unavailable"
            retry = self.limits.retry_after_s
            answer = Answer(Status.UNAVAILABLE, f"{reason}; retry later", retry_after_s=retry)
        except _Refused as refused:
            status = Status.UNAUTHENTICATED
            if refused.refusal.status == 403:
                status = Status.PERMISSION_DENIED
            answer = Answer(status, refused.refusal.message)
        code = str(answer.status.http) if call.transport == "http" else answer.status.grpc
        self.metrics.requests.labels(call.transport, call.signal, code).inc()
        self.metrics.request_seconds.labels(call.transport, call.signal).observe(
            time.perf_counter() - started
        )
        if self.health is not None and answer.status is Status.UNAVAILABLE:
            self.health.shed()
        elif self.health is not None and answer.status is not Status.OK:
            self.health.request()
        return answer

    async def _export(self, call: ExportCall) -> Answer:
        encoding = call.encoding()
        token = await self._authenticate(call)
        if self.backlog is not None:
            self.backlog()  # shed before reading and decoding: no CPU spent on a 503
        body = await call.read_body()
        decoded = await self.decode(call.signal, body, encoding)
        if token is not None and self.auth is not None:
            refused = await self.auth.authorize(token, decoded, call.transport, call.source)
            if refused is not None:
                raise _Refused(refused)
            decoded = replace(decoded, agent=token.id)  # who sends it: the token says
        outcome = await self.ingest(call.signal, decoded)
        return Answer(Status.OK, response=export_response(call.signal, outcome))

    async def _authenticate(self, call: ExportCall) -> AgentToken | None:
        if self.auth is None:
            return None
        found = await self.auth.authenticate(call.authorization, call.transport, call.source)
        if isinstance(found, Refusal):
            raise _Refused(found)
        return found

    def decode_sync(self, signal: Signal, body: bytes, encoding: Encoding) -> Decoded:
        """Parse and validate a body; DecodeError for anything that is not OTLP."""
        try:
            now_ns = self.clock.now_ns()
            if signal == "metrics":
                request = parse_metrics(body, encoding)
                return decode_metrics_request(request, self.known_samu, now_ns, self.limits)
            request = parse_traces(body, encoding)
            return decode_traces_request(request, self.known_samu, now_ns, self.limits)
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
        accepted: tuple[tuple[str, int], ...] = ()
        if decoded.points or decoded.spans or decoded.rejections:
            result = await self.sink.submit(decoded)
            refused = (*refused, *result.rejections)  # e.g. conflicts with stored points
            accepted = result.accepted
        received = len(decoded.spans) if signal == "traces" else len(decoded.points)
        received += decoded.rejected
        rejected = sum(r.count for r in refused)
        self.metrics.points_received.labels(signal).inc(received)
        self.metrics.intake(decoded.agent, accepted, refused)
        if self.health is not None:
            self.health.request(received - rejected, rejected)
        unit = "spans" if signal == "traces" else "data points"
        return Outcome(received, rejected, summarize(refused, unit))


def _status_of(error: UnsupportedMediaType | PayloadTooLarge | DecodeError) -> Status:
    if isinstance(error, UnsupportedMediaType):
        return Status.UNSUPPORTED
    if isinstance(error, PayloadTooLarge):
        return Status.TOO_LARGE
    return Status.INVALID
