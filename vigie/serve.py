"""Running an assembled platform in one asyncio loop until SIGINT/SIGTERM, then stopping in order:
intake first, then every accepted point flushed, then the store closed."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import signal
from collections.abc import Awaitable, Callable, Iterator
from datetime import timedelta
from pathlib import Path

import uvicorn
from fastapi import FastAPI

from collector.simulator.runner import SimulationOptions
from vigie.assembly import ROLES, assemble
from vigie.instance import remove_instance, write_instance
from vigie.platform import Platform

log = logging.getLogger("vigie")


class _Server(uvicorn.Server):
    """A uvicorn server that leaves signal handling to the platform (several run in one loop)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def _uvicorn(app: FastAPI, host: str, port: int) -> _Server:
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="off")
    return _Server(config)


async def serve(
    platform: Platform,
    simulate: SimulationOptions | None,
    data_dir: Path | None,
    roles: tuple[str, ...] = ROLES,
) -> None:
    """Run the given roles until SIGINT/SIGTERM; then stop intake, flush accepted points, close.

    `vigie up` runs every role; `vigie collector` and `vigie ui` run one each (server DSN).
    """
    settings = platform.settings
    built = await assemble(platform, roles)
    servers = [_uvicorn(built.app, settings.host, settings.http_port)]
    closers: list[Callable[[], Awaitable[None]]] = []
    if built.collector is not None:
        closers.append(built.collector.close)
        servers.append(_uvicorn(built.collector.http_app, settings.host, settings.otlp_http_port))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    alerting, engine = built.alerting, built.engine
    if alerting is not None and engine is not None:

        def reload() -> None:
            alerting.reload()
            engine.reload()

        loop.add_signal_handler(signal.SIGHUP, reload)
        alerting.start()
        engine.start(timedelta(seconds=settings.engine_interval_s))
        closers.extend([engine.close, alerting.close])
    tasks = [asyncio.create_task(s.serve()) for s in servers]
    simulation = None
    try:
        while not all(s.started for s in servers):
            if any(t.done() for t in tasks):
                raise SystemExit("a server failed to start (is the port in use?)")
            await asyncio.sleep(0.05)
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
        if simulate is not None:
            from collector.simulator.runner import start_simulation

            collector = built.collector
            if collector is not None and collector.auth is not None:
                token = collector.auth.mint_ephemeral(
                    platform.registry.ids(), "vigie up --simulate"
                )
                simulate = dataclasses.replace(simulate, auth_token=token)
            simulation = start_simulation(
                f"http://{settings.host}:{settings.otlp_http_port}", platform.registry, simulate
            )
        await stop.wait()
    finally:
        if simulation is not None:
            simulation.stop()
        for server in servers:  # intake stops first ...
            server.should_exit = True
        await asyncio.gather(*tasks, return_exceptions=True)
        for close in closers:  # ... then every accepted point is flushed
            await close()
        platform.store.close()
        if data_dir is not None:
            remove_instance(data_dir)
