"""OTLP/HTTP receiver: POST /v1/metrics and /v1/traces, protobuf or JSON, with exact answers.

200 (+ partial_success) accepted; 400 undecodable (google.rpc.Status body, not retried);
413 over the body limit, decompressed size counted; 415 unknown content type or encoding;
503 + Retry-After when the write queue is full or the store is down (the Python OTLP
exporter drops a batch on 429, so backpressure is 503). Never a 500 for bad input.
With agent authentication (collector.agent_auth): 401 without a valid `Authorization: Bearer`
agent token (checked before the body is read), 403 when the request names a SAMU the token is
not bound to (nothing of it is written). Those decisions are collector.export's, shared with
gRPC; this module reads the body under its limits and renders the answer.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from google.protobuf import json_format
from starlette.requests import ClientDisconnect

from collector.answers import rpc_status
from collector.body import BodyReader
from collector.errors import DecodeError, PayloadTooLarge, UnsupportedMediaType
from collector.export import Answer, ExportCall, ExportService, Signal, Status
from collector.limits import Limits
from collector.payload import Encoding

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


def create_otlp_router(service: ExportService) -> APIRouter:
    """The OTLP/HTTP routes, to mount on the OTLP port (4318) and the main HTTP port."""
    router = APIRouter(tags=["otlp"])

    @router.post("/v1/metrics", openapi_extra=_OPENAPI, summary="OTLP/HTTP metrics export")
    async def export_metrics(request: Request) -> Response:
        return await _export(service, "metrics", request)

    @router.post("/v1/traces", openapi_extra=_OPENAPI, summary="OTLP/HTTP traces export")
    async def export_traces(request: Request) -> Response:
        return await _export(service, "traces", request)

    return router


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


async def _export(service: ExportService, signal: Signal, request: Request) -> Response:
    content_type = request.headers.get("content-type")
    call = ExportCall(
        "http",
        signal,
        read_body=lambda: _read_body(request, service.limits),
        encoding=lambda: media_encoding(content_type),
        authorization=request.headers.get("authorization"),
        source=request.client.host if request.client else "",
    )
    answer = await service.export(call)
    try:
        encoding = media_encoding(content_type)
    except UnsupportedMediaType:
        encoding = "protobuf"
    return _response(answer, encoding)


def _response(answer: Answer, encoding: Encoding) -> Response:
    """The HTTP rendering of an answer: the export response, or a google.rpc.Status body."""
    headers: dict[str, str] = {}
    message = answer.response
    if answer.status is not Status.OK:
        message = rpc_status(answer.status.grpc, answer.message, answer.retry_after_s)
    if answer.retry_after_s is not None:
        headers["Retry-After"] = str(answer.retry_after_s)
    if answer.status is Status.UNAUTHENTICATED:
        headers["WWW-Authenticate"] = 'Bearer realm="vigie-agents"'
    return Response(
        encode_message(message, encoding),
        status_code=answer.status.http,
        media_type=_CONTENT_TYPE[encoding],
        headers=headers,
    )
