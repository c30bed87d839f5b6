"""OTLP answer messages: Export*ServiceResponse with partial_success, google.rpc.Status."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from google.protobuf import any_pb2, duration_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import (
    ExportMetricsServiceResponse,
)
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceResponse


@dataclass(frozen=True)
class Outcome:
    """What an accepted export answers: how many items were refused, and why (no values)."""

    received: int
    rejected: int
    message: str


def export_response(signal: Literal["metrics", "traces"], outcome: Outcome) -> Any:
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


def rpc_status(code_name: str, message: str, retry_after_s: int | None = None) -> Any:
    """A google.rpc.Status (code by name, e.g. "UNAVAILABLE"), with RetryInfo when the sender
    should retry later."""
    status = status_pb2.Status(code=code_pb2.Code.Value(code_name), message=message)
    if retry_after_s is not None:
        detail = any_pb2.Any()
        detail.Pack(retry_info(retry_after_s))
        status.details.append(detail)
    return status
