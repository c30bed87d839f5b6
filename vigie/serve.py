"""Running an assembled platform like a service: ready fast, stopped in order, forced if asked.

Start: the services are assembled and the servers bound; the instance is ready (it answers
/api/v1/health) before anything that can wait: the SLO engine's first tick (rollup warm-up),
the alerting loop, the report schedule and the simulator start once the servers listen.
Stop (SIGINT or SIGTERM): intake stops first, every accepted point is flushed, the loops stop,
the store closes, and the last line says so: "stopped: N points flushed, store closed". A
second signal forces the exit at once (the points still queued were not acknowledged: their
senders retry them).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import os
import signal
import sys
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import uvicorn
from fastapi import FastAPI

from vigie.assembly import ROLES, Assembly, assemble
from vigie.instance import remove_instance, write_instance
from vigie.platform import Platform

if TYPE_CHECKING:
    from collector.simulator.runner import SimulationHandle, SimulationOptions

log = logging.getLogger("vigie")
GRACE_S = 3.0  # longest wait for open HTTP requests and for each loop, at stop
FORCED_EXIT = 130
WRITTEN = "vigie_collector_points_written_total"  # docs/metrics.md


class _Server(uvicorn.Server):
    """A uvicorn server that leaves signal handling to the platform (several run in one loop)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def _uvicorn(app: FastAPI, host: str, port: int) -> _Server:
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level="warning",
        lifespan="off",
        timeout_graceful_shutdown=int(GRACE_S),
    )
    return _Server(config)


@dataclass(frozen=True)
class Stopped:
    """How the platform stopped: points flushed at stop, and the line that says so."""

    flushed: int  # points written from the stop signal on (requests in flight and queued)
    late: tuple[str, ...] = ()  # what did not stop within its grace (left to the exit)

    @property
    def line(self) -> str:
        return f"stopped: {self.flushed} points flushed, store closed"


class _Signals:
    """The first SIGINT/SIGTERM asks for a clean stop; the next one forces the exit."""

    def __init__(self, loop: asyncio.AbstractEventLoop, queued: Callable[[], int]) -> None:
        self.stop = asyncio.Event()
        self._queued = queued
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, self._on_signal)

    def _on_signal(self) -> None:
        if not self.stop.is_set():
            self.stop.set()
            return
        sys.stderr.write(
            f"forced stop: {self._queued()} queued points not flushed (not acknowledged: "
            "their senders retry them)\n"
        )
        sys.stderr.flush()
        os._exit(FORCED_EXIT)


async def _bounded(name: str, close: Callable[[], Awaitable[None]], late: list[str]) -> None:
    try:
        await asyncio.wait_for(close(), GRACE_S)
    except TimeoutError:
        late.append(name)
        log.warning("%s did not stop within %.0f s; not waited for", name, GRACE_S)


async def serve(
    platform: Platform,
    simulate: SimulationOptions | None,
    data_dir: Path | None,
    roles: tuple[str, ...] | None = None,
) -> Stopped:
    """Run the given roles until SIGINT/SIGTERM; then stop intake, flush accepted points, close.

    `vigie up` runs every role (None); `vigie collector` and `vigie ui` run one each.
    """
    roles = roles or ROLES
    settings = platform.settings
    built = await assemble(platform, roles)
    loop = asyncio.get_running_loop()
    writer = built.collector.writer if built.collector is not None else None
    signals = _Signals(loop, lambda: writer.queue_points if writer is not None else 0)
    servers = [_uvicorn(built.app, settings.host, settings.http_port)]
    if built.collector is not None:
        servers.append(_uvicorn(built.collector.http_app, settings.host, settings.otlp_http_port))
    tasks = [asyncio.create_task(s.serve()) for s in servers]
    simulation = None
    try:
        while not all(s.started for s in servers):
            if any(t.done() for t in tasks):
                raise SystemExit("a server failed to start (is the port in use?)")
            await asyncio.sleep(0.02)
        if data_dir is not None and platform.store.dsn.embedded:
            write_instance(data_dir, settings.api_url)
        log.warning(
            "Vigie 15 is up (%s): http://%s:%d/  OTLP/HTTP :%d  OTLP/gRPC :%d",
            ", ".join(roles),
            settings.host,
            settings.http_port,
            settings.otlp_http_port,
            settings.otlp_grpc_port,
        )
        _start_loops(built, loop, settings.engine_interval_s)  # off the critical path
        if simulate is not None:
            simulation = _simulate(built, platform, simulate)
        await signals.stop.wait()
    finally:
        written = platform.metrics.get_sample_value(WRITTEN) or 0.0
        late = await _stop(built, servers, tasks, simulation)
        flushed = int((platform.metrics.get_sample_value(WRITTEN) or 0.0) - written)
        platform.store.close()
        if data_dir is not None:
            remove_instance(data_dir)
    return Stopped(flushed, late)


def _start_loops(built: Assembly, loop: asyncio.AbstractEventLoop, interval_s: float) -> None:
    alerting, engine = built.alerting, built.engine
    if alerting is None or engine is None:
        return

    def reload() -> None:
        alerting.reload()
        engine.reload()

    loop.add_signal_handler(signal.SIGHUP, reload)
    alerting.start()
    engine.start(timedelta(seconds=interval_s))


def _simulate(built: Assembly, platform: Platform, options: SimulationOptions) -> SimulationHandle:
    from collector.simulator.runner import start_simulation

    settings = platform.settings
    collector = built.collector
    if collector is not None and collector.auth is not None:
        token = collector.auth.mint_ephemeral(platform.registry.ids(), "vigie up --simulate")
        options = dataclasses.replace(options, auth_token=token)
    url = f"http://{settings.host}:{settings.otlp_http_port}"
    return start_simulation(url, platform.registry, options)


async def _stop(
    built: Assembly,
    servers: list[_Server],
    tasks: list[asyncio.Task[None]],
    simulation: SimulationHandle | None,
) -> tuple[str, ...]:
    """Intake first, then every accepted point flushed, then the loops; each one bounded."""
    late: list[str] = []
    if simulation is not None:
        await asyncio.to_thread(simulation.stop)
    for server in servers:
        server.should_exit = True
    await asyncio.gather(*tasks, return_exceptions=True)
    if built.collector is not None:
        await built.collector.close()  # not bounded: accepted points must be written
    if built.engine is not None:
        await _bounded("the SLO engine", built.engine.close, late)
    if built.alerting is not None:
        await _bounded("alerting", built.alerting.close, late)
    return tuple(late)
