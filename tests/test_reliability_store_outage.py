"""Store unavailable or stalled: 503 + Retry-After, a bounded queue, SDK retries, exact counts.

The collector is the real one (BatchWriter + OTLP/HTTP router) served by uvicorn on a free
port, writing into the real embedded engine through `SwitchableStore`, a fault injector the
test turns on and off: `slow()` stalls every insert (a hung engine), `down()` makes every call
fail with StoreUnavailable (an unreachable server), `up()` restores it. The senders are real
OpenTelemetry SDK meter providers with the OTLP/HTTP exporter and its own retry and back-off,
plus a raw flood of pre-encoded bodies to fill the write queue.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from google.rpc import code_pb2, error_details_pb2, status_pb2
from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader
from opentelemetry.sdk.resources import Resource
from prometheus_client import CollectorRegistry

from bench.workload import make_stream
from collector.export import ExportService
from collector.http import create_otlp_router
from collector.limits import Limits
from collector.selfmetrics import SelfMetrics
from collector.writer import BatchWriter
from store.client import Store
from store.clock import SystemClock
from store.counts import CountsReader
from store.registry import load_registry
from tests.fixtures.faults import SwitchableStore, expected_minute_counts
from tests.fixtures.platform import free_port

QUEUE_POINTS = 100  # the write queue's bound: five requests of one SAMU's 19 series
AGENTS = ("fr.health.samu075", "fr.health.samu069", "fr.health.samu013")
FLOOD_SAMU = "fr.health.samu033"
NEVER = 10**9  # the periodic reader exports only when the test flushes
S = 1_000_000_000


class PeakMetrics(SelfMetrics):
    """The collector's self-metrics, remembering the deepest the write queue ever was."""

    peak_queue = 0

    def set_queue(self, points: int) -> None:
        self.peak_queue = max(self.peak_queue, points)
        super().set_queue(points)


@dataclass
class Collector:
    """The OTLP/HTTP collector served in a thread of its own, on the fault-injected store."""

    faults: SwitchableStore
    metrics: PeakMetrics
    url: str

    def answered(self, code: int) -> float:
        value = self.metrics.requests.labels("http", "metrics", str(code))._value.get()
        return float(value)

    def wait_for(self, condition: Callable[[], bool], what: str, timeout_s: float = 30) -> None:
        """Wait for something the collector does (a deadline on waiting, not a timing)."""
        deadline = time.monotonic() + timeout_s
        while not condition():
            assert time.monotonic() < deadline, f"still waiting for {what}"
            time.sleep(0.02)


@pytest.fixture
def collector(store: Store) -> Iterator[Collector]:
    faults = SwitchableStore(store)
    metrics = PeakMetrics(CollectorRegistry())
    port = free_port()
    ready = threading.Event()
    server: list[uvicorn.Server] = []

    async def main() -> None:
        clock = SystemClock()
        writer = BatchWriter(
            faults, metrics, clock, max_queue_points=QUEUE_POINTS, batch_max_delay_s=0.01
        )
        await writer.start()
        app = FastAPI()
        limits = Limits(retry_after_s=1)
        app.include_router(
            create_otlp_router(ExportService(writer, load_registry(), limits, metrics, clock))
        )
        config = uvicorn.Config(
            app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"
        )
        server.append(uvicorn.Server(config))
        task = asyncio.create_task(server[0].serve())
        while not server[0].started and not task.done():
            await asyncio.sleep(0.01)
        ready.set()
        await task
        await writer.close()

    thread = threading.Thread(target=asyncio.run, args=(main(),), daemon=True)
    thread.start()
    assert ready.wait(30)
    yield Collector(faults, metrics, f"http://127.0.0.1:{port}/v1/metrics")
    faults.up()
    server[0].should_exit = True
    thread.join(30)


class Agent:
    """A SAMU gateway with the real SDK: a call-setup counter, exported on demand."""

    def __init__(self, samu: str, url: str) -> None:
        resource = Resource.create({"samu.id": samu, "service.instance.id": "gw-1"})
        exporter = OTLPMetricExporter(endpoint=url, timeout=30)
        self.reader = PeriodicExportingMetricReader(exporter, export_interval_millis=NEVER)
        self.provider = MeterProvider(
            metric_readers=[self.reader], resource=resource, shutdown_on_exit=False
        )
        self.setups = self.provider.get_meter("gw").create_counter("samu.call.setups")
        self.sent = {"success": 0, "failed": 0}

    def calls(self, success: int, failed: int) -> None:
        self.setups.add(success, {"outcome": "success", "component": "telephony"})
        self.setups.add(failed, {"outcome": "failed", "component": "telephony"})
        self.sent["success"] += success
        self.sent["failed"] += failed

    def export(self) -> bool:
        return bool(self.provider.force_flush(timeout_millis=60_000))


def _post(url: str, body: bytes, retry: bool) -> int:
    """One raw delivery; with `retry`, again after each 503, waiting as Retry-After says."""
    while True:
        response = httpx.post(
            url, content=body, timeout=60, headers={"Content-Type": "application/x-protobuf"}
        )
        if response.status_code != 503 or not retry:
            return response.status_code
        time.sleep(float(response.headers["Retry-After"]))


def _setups(store: Store, samu: str) -> dict[str, float]:
    now = datetime.now(UTC)
    totals = CountsReader(store).totals(
        now - timedelta(days=2), now + timedelta(hours=1), samu, "samu.call.setups"
    )
    return {outcome: value for (_, _, outcome, _), value in totals.items() if value}


def test_a_503_carries_retry_after_and_a_retry_info_status(collector: Collector) -> None:
    body = make_stream([FLOOD_SAMU], "probe", 1, time.time_ns() - 3600 * S, 10 * S).bodies[0]
    collector.faults.down()
    response = httpx.post(
        collector.url, content=body.data, headers={"Content-Type": "application/x-protobuf"}
    )
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "1"
    status = status_pb2.Status.FromString(response.content)
    assert status.code == code_pb2.UNAVAILABLE and "store unavailable" in status.message
    info = error_details_pb2.RetryInfo()
    assert status.details[0].Unpack(info) and info.retry_delay.seconds == 1
    collector.faults.up()
    assert _post(collector.url, body.data, retry=False) == 200


def test_a_stalled_then_unreachable_store_loses_nothing_and_bounds_the_queue(
    collector: Collector, store: Store
) -> None:
    agents = [Agent(samu, collector.url) for samu in AGENTS]
    for n, agent in enumerate(agents):
        agent.calls(success=10 + n, failed=n)
        assert agent.export()
    flood = make_stream([FLOOD_SAMU], "flood", 40, time.time_ns() - 3600 * S, S).bodies

    # The engine hangs: the first requests wait in the queue, the rest are refused at once.
    collector.faults.slow()
    pool = ThreadPoolExecutor(len(flood) + len(agents))
    first = [pool.submit(_post, collector.url, b.data, False) for b in flood]
    collector.wait_for(lambda: collector.answered(503) >= len(flood) - 5, "the full queue's 503s")
    assert collector.metrics.peak_queue <= QUEUE_POINTS
    # Now unreachable: the waiting requests fail too; the SDK exporters keep retrying.
    for n, agent in enumerate(agents):
        agent.calls(success=5, failed=n + 1)
    exports: list[Future[bool]] = [pool.submit(agent.export) for agent in agents]
    collector.faults.down()
    assert {f.result(timeout=60) for f in first} == {503}
    collector.wait_for(
        lambda: collector.answered(503) >= len(flood) + 2 * len(agents),
        "the SDK exporters' retries",
    )

    # Recovery: the exporters' next retry lands; the flood's sender retries on its own.
    collector.faults.up()
    assert [f.result(timeout=60) for f in exports] == [True] * len(agents)
    resent = [_post(collector.url, b.data, True) for b in flood]  # in order, as a client does
    pool.shutdown()
    assert set(resent) == {200}
    assert collector.metrics.peak_queue <= QUEUE_POINTS

    for agent, samu in zip(agents, AGENTS, strict=True):
        assert _setups(store, samu) == {k: float(v) for k, v in agent.sent.items() if v}
        agent.provider.shutdown()
    expected = expected_minute_counts(b.data for b in flood)
    expected_setups: dict[str, float] = {}
    for (_, metric, _, outcome, _), value in expected.items():
        if metric == "samu.call.setups":
            expected_setups[outcome] = expected_setups.get(outcome, 0.0) + value
    assert _setups(store, FLOOD_SAMU) == expected_setups
