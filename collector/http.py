"""OTLP/HTTP receiver: POST /v1/metrics and /v1/traces, protobuf or JSON, with exact answers.

200 (+ partial_success) accepted; 400 undecodable (google.rpc.Status body, not retried);
413 over the body limit, decompressed size counted; 415 unknown content type or encoding;
503 + Retry-After when the write queue is full or the store is down (the Python OTLP
exporter drops a batch on 429, so backpressure is 503). Never a 500 for bad input.
With agent authentication (collector.agent_auth): 401 without a valid `Authorization: Bearer`
agent token (checked before the body is read), 403 when the request names a SAMU the token is
not bound to (nothing of it is written).
"""

from __future__ import annotations

import time
from collections.abc import Container
from typing import Any

from fastapi import APIRouter, Request, Response
from google.protobuf import json_format
from google.rpc.code_pb2 import PERMISSION_DENIED, UNAUTHENTICATED
from starlette.requests import ClientDisconnect

from collector.agent_auth import AgentAuth, AgentToken, Refusal
from collector.body import BodyReader
from collector.errors import DecodeError, Overloaded, PayloadTooLarge, UnsupportedMediaType
from collector.limits import Limits
from collector.model import PointSink
from collector.payload import Encoding
from collector.receiver import (
    INVALID_ARGUMENT,
    RESOURCE_EXHAUSTED,
    UNAVAILABLE,
    UNIMPLEMENTED,
    Receiver,
    Signal,
    export_response,
    rpc_status,
)
from collector.selfmetrics import SelfMetrics
from store.clock import Clock
from store.errors import StoreUnavailable

_MEDIA: dict[str, Encoding] = {
    "application/x-protobuf": "protobuf",
    "application/protobuf": "protobuf",
    "application/json": "json",
}
_CONTENT_TYPE: dict[Encoding, str] = {
    "protobuf": "application/x-protobuf",
    "json": "application/json",
}
_OPENAPI: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/x-protobuf": {"schema": {"type": "string", "format": "binary"}},
            "application/json": {"schema": {"type": "object"}},
        },
    }
}


def media_encoding(content_type: str | None) -> Encoding:
    """protobuf or json from a Content-Type header (parameters allowed); else 415."""
    media, _, params = (content_type or "").partition(";")
    encoding = _MEDIA.get(media.strip().lower())
    if encoding is None:
        shown = media.strip()[:64] or "none"
        raise UnsupportedMediaType(
            f"Content-Type {shown!r} is not supported (use application/x-protobuf or "
            "application/json)"
        )
    for param in params.split(";"):
        name, _, value = param.partition("=")
        charset = value.strip().strip('"').lower()
        if name.strip().lower() == "charset" and charset not in ("utf-8", "utf8"):
            raise UnsupportedMediaType("only the utf-8 charset is supported")
    return encoding


def encode_message(message: Any, encoding: Encoding) -> bytes:
    """A protobuf message in the request's encoding (OTLP/JSON uses lowerCamelCase keys)."""
    if encoding == "json":
        return str(json_format.MessageToJson(message, indent=None)).encode()
    return bytes(message.SerializeToString())


def create_otlp_router(
    sink: PointSink,
    known_samu: Container[str],
    limits: Limits,
    metrics: SelfMetrics,
    clock: Clock,
    auth: AgentAuth | None = None,
) -> APIRouter:
    """The OTLP/HTTP routes, to mount on the OTLP port (4318) and the main HTTP port.

    With `auth`, every export needs an agent token bound to the SAMU it names.
    """
    receiver = Receiver(sink, known_samu, limits, metrics, clock)
    router = APIRouter(tags=["otlp"])

    @router.post("/v1/metrics", openapi_extra=_OPENAPI, summary="OTLP/HTTP metrics export")
    async def export_metrics(request: Request) -> Response:
        return await _export(receiver, "metrics", request, auth)

    @router.post("/v1/traces", openapi_extra=_OPENAPI, summary="OTLP/HTTP traces export")
    async def export_traces(request: Request) -> Response:
        return await _export(receiver, "traces", request, auth)

    return router


def _answer(status: int, message: Any, encoding: Encoding, headers: dict[str, str]) -> Response:
    return Response(
        encode_message(message, encoding),
        status_code=status,
        media_type=_CONTENT_TYPE[encoding],
        headers=headers,
    )


async def _read_body(request: Request, limits: Limits) -> bytes:
    reader = BodyReader(request.headers.get("content-encoding", "identity"), limits.max_body_bytes)
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.strip().isdigit():
            raise DecodeError("Content-Length is not a number")
        if int(declared) > limits.max_body_bytes:
            raise PayloadTooLarge(f"body exceeds the limit of {limits.max_body_bytes} bytes")
    try:
        async for chunk in request.stream():
            reader.feed(chunk)
    except ClientDisconnect:
        raise DecodeError("the client disconnected before the body was complete") from None
    return reader.finish()


def _refusal(refusal: Refusal, encoding: Encoding) -> Response:
    if refusal.status == 401:
        status = rpc_status(UNAUTHENTICATED, refusal.message)
        return _answer(401, status, encoding, {"WWW-Authenticate": 'Bearer realm="vigie-agents"'})
    return _answer(403, rpc_status(PERMISSION_DENIED, refusal.message), encoding, {})


async def _export(
    receiver: Receiver, signal: Signal, request: Request, auth: AgentAuth | None
) -> Response:
    started = time.perf_counter()
    encoding: Encoding = "protobuf"
    limits = receiver.limits
    source = request.client.host if request.client else ""
    try:
        encoding = media_encoding(request.headers.get("content-type"))
        token: AgentToken | Refusal | None = None
        if auth is not None:
            token = await auth.authenticate(request.headers.get("authorization"), "http", source)
        if isinstance(token, Refusal):
            response = _refusal(token, encoding)
        else:
            body = await _read_body(request, limits)
            decoded = await receiver.decode(signal, body, encoding)
            refused = None
            if auth is not None and token is not None:
                refused = await auth.authorize(token, decoded, "http", source)
            if refused is not None:
                response = _refusal(refused, encoding)
            else:
                outcome = await receiver.ingest(signal, decoded)
                response = _answer(200, export_response(signal, outcome), encoding, {})
    except UnsupportedMediaType as error:
        response = _answer(415, rpc_status(UNIMPLEMENTED, str(error)), encoding, {})
    except PayloadTooLarge as error:
        response = _answer(413, rpc_status(RESOURCE_EXHAUSTED, str(error)), encoding, {})
    except DecodeError as error:
        response = _answer(400, rpc_status(INVALID_ARGUMENT, str(error)), encoding, {})
    except (Overloaded, StoreUnavailable) as error:
        reason = "write queue full" if isinstance(error, Overloaded) else "store unavailable"
        status = rpc_status(UNAVAILABLE, f"{reason}; retry later", limits.retry_after_s)
        headers = {"Retry-After": str(limits.retry_after_s)}
        response = _answer(503, status, encoding, headers)
    metrics = receiver.metrics
    metrics.requests.labels("http", signal, str(response.status_code)).inc()
    metrics.request_seconds.labels("http", signal).observe(time.perf_counter() - started)
    return response
