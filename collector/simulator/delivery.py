"""Sending encoded OTLP requests: gzip, POST, retry on 503/429 after Retry-After, partial success.

One worker thread per ordering lane: requests of the same group always take the same lane, so
a series' cumulative points reach the collector in time order.
"""

from __future__ import annotations

import gzip
import queue
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import httpx
from google.protobuf.message import DecodeError
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import (
    ExportMetricsServiceResponse,
)

from collector.simulator.errors import BackfillError, CollectorUnreachable

RETRYABLE = {429, 502, 503, 504}
_DONE = None


@dataclass(frozen=True)
class EncodedRequest:
    """One request body (not compressed), its point count and its ordering group."""

    body: bytes
    points: int
    group: int
    end_minute: int  # epoch seconds of the minute after the last one it covers


@dataclass
class DeliveryReport:
    """What the collector answered to a whole backfill."""

    requests: int = 0
    points: int = 0
    rejected: int = 0
    retries: int = 0
    bytes_sent: int = 0
    messages: Counter[str] = field(default_factory=Counter)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, points: int, rejected: int, message: str, retries: int, sent: int) -> None:
        with self._lock:
            self.requests += 1
            self.points += points
            self.rejected += rejected
            self.retries += retries
            self.bytes_sent += sent
            if message:
                self.messages[message] += 1


def _retry_after(response: httpx.Response, attempt: int) -> float:
    try:
        return max(0.0, float(response.headers.get("Retry-After", "")))
    except ValueError:
        return min(30.0, 0.5 * 2.0**attempt)


class Sender:
    """POSTs request bodies to /v1/metrics; `sleep` is injected so tests never wait."""

    def __init__(
        self,
        endpoint: str,
        client: httpx.Client,
        max_retries: int = 10,
        sleep: Callable[[float], None] = time.sleep,
        token: str = "",
    ) -> None:
        self.url = f"{endpoint.rstrip('/')}/v1/metrics"
        self._auth = {"Authorization": f"Bearer {token}"} if token else {}
        self.client, self.max_retries, self.sleep = client, max_retries, sleep
        self.report = DeliveryReport()

    def send(self, request: EncodedRequest) -> None:
        """Deliver one request, retrying what the collector asks to retry."""
        body = gzip.compress(request.body, compresslevel=1)
        headers = {"Content-Type": "application/x-protobuf", "Content-Encoding": "gzip"}
        headers |= self._auth
        for attempt in range(self.max_retries + 1):
            try:
                response = self.client.post(self.url, content=body, headers=headers)
            except httpx.TransportError as exc:
                if attempt >= self.max_retries:
                    raise CollectorUnreachable(f"no collector at {self.url}: {exc}") from exc
                self.sleep(min(30.0, 0.5 * 2.0**attempt))
                continue
            if response.status_code in RETRYABLE and attempt < self.max_retries:
                self.sleep(_retry_after(response, attempt))
                continue
            if response.status_code != 200:
                raise BackfillError(
                    f"collector answered {response.status_code} to a backfill request: "
                    f"{response.text[:200]!r}"
                )
            rejected, message = _partial_success(response)
            self.report.add(request.points, rejected, message, attempt, len(body))
            return
        raise AssertionError("unreachable")  # pragma: no cover

    def deliver(self, requests: Iterable[EncodedRequest], lanes: int = 2) -> DeliveryReport:
        """Send every request over `lanes` ordered workers; raise the first failure."""
        lanes = max(1, lanes)
        queues: list[queue.Queue[EncodedRequest | None]] = [
            queue.Queue(maxsize=4) for _ in range(lanes)
        ]
        errors: list[BaseException] = []

        def work(q: queue.Queue[EncodedRequest | None]) -> None:
            while (item := q.get()) is not _DONE:
                if not errors:
                    try:
                        self.send(item)
                    except BaseException as exc:  # reported to the caller below
                        errors.append(exc)

        threads = [threading.Thread(target=work, args=(q,), daemon=True) for q in queues]
        for thread in threads:
            thread.start()
        try:
            for request in requests:
                if errors:
                    break
                queues[request.group % lanes].put(request)
        finally:
            for q in queues:
                q.put(_DONE)
            for thread in threads:
                thread.join()
        if errors:
            raise errors[0]
        return self.report


def _partial_success(response: httpx.Response) -> tuple[int, str]:
    if "json" in response.headers.get("content-type", ""):
        data = response.json().get("partialSuccess") or {}
        return int(data.get("rejectedDataPoints", 0)), str(data.get("errorMessage", ""))
    try:
        answer = ExportMetricsServiceResponse.FromString(response.content)
    except DecodeError:
        return 0, ""
    partial = answer.partial_success
    return int(partial.rejected_data_points), str(partial.error_message)
