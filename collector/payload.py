"""OTLP request bodies (protobuf or OTLP/JSON) to the generated request messages."""

from __future__ import annotations

import base64
import json
from typing import Any, Literal

from google.protobuf import json_format, message
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import (
    ExportMetricsServiceRequest,
)
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from collector.errors import DecodeError

Encoding = Literal["protobuf", "json"]

# OTLP/JSON writes these bytes fields as hex, where the protobuf JSON mapping expects base64.
_HEX_FIELDS = frozenset(
    {"traceId", "spanId", "parentSpanId", "trace_id", "span_id", "parent_span_id"}
)


def parse_metrics(body: bytes, encoding: Encoding) -> Any:
    """An ExportMetricsServiceRequest from a body; DecodeError if it is not one."""
    return _parse(ExportMetricsServiceRequest(), body, encoding, "metrics")


def parse_traces(body: bytes, encoding: Encoding) -> Any:
    """An ExportTraceServiceRequest from a body; DecodeError if it is not one."""
    return _parse(ExportTraceServiceRequest(), body, encoding, "traces")


def _parse(request: Any, body: bytes, encoding: Encoding, signal: str) -> Any:
    if encoding == "protobuf":
        try:
            request.ParseFromString(body)
        except (message.DecodeError, RecursionError, ValueError) as error:
            raise DecodeError(
                f"body is not a valid protobuf OTLP {signal} export request "
                f"({len(body)} bytes): {error}"
            ) from None
        return request
    try:
        document = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
        raise DecodeError(f"body is not valid JSON: {_short(error)}") from None
    if not isinstance(document, dict):
        raise DecodeError(f"OTLP/JSON {signal} request must be an object, not {_kind(document)}")
    try:
        json_format.ParseDict(_hex_to_base64(document), request, ignore_unknown_fields=True)
    except (json_format.ParseError, RecursionError, ValueError, TypeError) as error:
        raise DecodeError(f"JSON is not an OTLP {signal} export request: {_short(error)}") from None
    return request


def _hex_to_base64(node: Any, depth: int = 0) -> Any:
    if depth > 64:
        raise DecodeError("OTLP/JSON nesting deeper than 64 levels")
    if isinstance(node, dict):
        return {
            key: _id_field(key, value)
            if key in _HEX_FIELDS and isinstance(value, str)
            else _hex_to_base64(value, depth + 1)
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_hex_to_base64(item, depth + 1) for item in node]
    return node


def _id_field(key: str, value: str) -> str:
    try:
        raw = bytes.fromhex(value)
    except ValueError:
        raise DecodeError(f"{key} must be a hex string in OTLP/JSON") from None
    return base64.b64encode(raw).decode()


def _short(error: BaseException) -> str:
    text = str(error)
    return text if len(text) <= 200 else text[:200] + "…"


def _kind(value: Any) -> str:
    return type(value).__name__
