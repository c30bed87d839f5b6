"""Simulator → real OTLP/HTTP collector → chdb: the store counts exactly what was sent."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from fastapi import FastAPI
from prometheus_client import CollectorRegistry

from collector.export import ExportService
from collector.http import create_otlp_router
from collector.limits import Limits
from collector.model import Decoded, WriteResult
from collector.selfmetrics import SelfMetrics
from collector.simulator.backfill import BackfillOptions, run_backfill
from collector.simulator.runner import Simulation, SimulationOptions, make_exporter
from collector.simulator.scenario_spec import parse_scenario
from collector.simulator.tally import CountKey, Tally
from collector.writer import BatchWriter
from store.client import Store
from store.clock import FakeClock, SystemClock
from store.counts import CountsReader
from store.registry import load_registry
from tests.fixtures.otlp.peers import serving

IDS = ("fr.health.samu075", "fr.health.samu092", "fr.health.samu048")


class LazyWriter:
    """The real BatchWriter, started on the server's event loop at the first request."""

    def __init__(self, store: Store) -> None:
        self.writer = BatchWriter(store, None, SystemClock())
        self.loop: asyncio.AbstractEventLoop | None = None
        self._lock = asyncio.Lock()

    async def submit(self, decoded: Decoded) -> WriteResult:
        async with self._lock:
            if self.loop is None:
                await self.writer.start()
                self.loop = asyncio.get_running_loop()
        return await self.writer.submit(decoded)

    def close(self) -> None:
        if self.loop is not None:
            asyncio.run_coroutine_threadsafe(self.writer.close(), self.loop).result(timeout=30)


@contextmanager
def collector(store: Store) -> Iterator[str]:
    """The OTLP/HTTP receiver on an ephemeral port, writing into `store`; yields its endpoint."""
    sink = LazyWriter(store)
    app = FastAPI()
    metrics = SelfMetrics(CollectorRegistry())
    known = frozenset(s.id for s in load_registry())
    app.include_router(
        create_otlp_router(ExportService(sink, known, Limits(), metrics, SystemClock()))
    )
    with serving(app) as port:
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            sink.close()


def stored(store: Store, since: datetime) -> dict[CountKey, float]:
    rows = CountsReader(store).per_minute(since, since + timedelta(days=2))
    return {
        (
            int(r.minute.replace(tzinfo=UTC).timestamp()),
            r.samu_id,
            r.metric,
            r.component,
            r.outcome,
            r.le,
        ): r.value
        for r in rows
        if r.value
    }


def test_a_backfill_through_the_collector_stores_exactly_the_tally(store: Store) -> None:
    registry = load_registry()
    samus = [registry.require(i) for i in IDS]
    now = datetime.now(UTC)
    tally = Tally()
    options = BackfillOptions(
        days=3 / 24,
        seed=11,
        chunk_minutes=60,
        samu_per_request=1,
        scenarios=(parse_scenario("trunk:048@+30m/30m,fraction=0.5"),),
    )
    with collector(store) as endpoint:
        report = run_backfill(endpoint, samus, options, FakeClock(now), tally=tally)
    assert report.rejected == 0 and report.requests == 9
    assert stored(store, now - timedelta(hours=4)) == tally.snapshot()
    assert tally.total(samu_id=IDS[2], metric="samu.call.setups", outcome="failed") > 0


def test_live_agents_through_the_collector_store_exactly_the_tally(store: Store) -> None:
    registry = load_registry()
    samus = [registry.require(i) for i in IDS]
    start = datetime.now(UTC)
    clock = FakeClock(start)
    with collector(store) as endpoint:
        options = SimulationOptions(speed=120.0, seed=4)
        sim = Simulation(samus, options, clock, make_exporter(endpoint, "http"))
        for _ in range(5):
            clock.advance(timedelta(seconds=10))
            sim.advance()
            assert sim.export()
        sim.shutdown()
    assert sim.stats.exports_ok == 5
    assert stored(store, start - timedelta(minutes=5)) == sim.tally.snapshot()
    assert sim.tally.total(metric="samu.reachability.checks") > 0
