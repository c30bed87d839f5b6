"""Process wiring: opens the store, builds every service and runs them in one asyncio loop."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import signal
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI
from prometheus_client import CollectorRegistry

from collector.simulator.runner import SimulationOptions
from dashboards.app import platform_services
from people.service import PeopleService
from store.audit import AuditLog
from store.client import Store, open_store
from store.clock import Clock, SystemClock
from store.counts import CountsReader
from store.migrations import migrate
from store.registry import Registry, load_registry
from store.retention import apply_retention
from store.schema import ClusterConfig
from vigie.api.admin import create_admin_router
from vigie.api.agents import create_agents_router
from vigie.api.deps import ApiContext
from vigie.app import create_app
from vigie.instance import remove_instance, write_instance
from vigie.people import build_people, first_admin, oidc_config
from vigie.schema import all_migrations
from vigie.settings import Settings

log = logging.getLogger("vigie")


class _Server(uvicorn.Server):
    """A uvicorn server that leaves signal handling to the platform (several run in one loop)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


@dataclass
class Platform:
    """The opened foundations every role shares."""

    settings: Settings
    store: Store
    registry: Registry
    clock: Clock
    metrics: CollectorRegistry
    audit: AuditLog
    counts: CountsReader
    on_stop: list[Callable[[], Any]] = field(default_factory=list)

    def api_context(self) -> ApiContext:
        return ApiContext(
            store=self.store,
            registry=self.registry,
            clock=self.clock,
            audit=self.audit,
            counts=self.counts,
            metrics=self.metrics,
        )


def open_platform(settings: Settings, clock: Clock | None = None) -> Platform:
    """Open the store (raises StoreLocked/StoreUnavailable), migrate it, load the registry."""
    clock = clock or SystemClock()
    store = open_store(settings.dsn, settings.database)
    cluster = ClusterConfig(settings.cluster) if settings.cluster else None
    migrations = all_migrations()
    migrate(store, cluster, migrations)
    for statement in apply_retention(store, settings, migrations, settings.cluster or None):
        log.warning("retention changed: %s", statement)
    return Platform(
        settings=settings,
        store=store,
        registry=load_registry(),
        clock=clock,
        metrics=CollectorRegistry(),
        audit=AuditLog(store, clock),
        counts=CountsReader(store),
    )


def _uvicorn(app: FastAPI, host: str, port: int) -> _Server:
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="off")
    return _Server(config)


ROLES = ("collector", "api", "engine")


def _people(platform: Platform) -> PeopleService:
    """People and access; the first start creates an `admin` account (password in the data
    dir, mode 0600) so that a fresh install can be used at once."""
    s = platform.settings
    oidc = None
    if s.oidc_issuer:
        oidc = oidc_config(
            s.oidc_issuer,
            s.oidc_client_id,
            s.oidc_client_secret,
            s.oidc_redirect_uri or f"{s.public_url}/api/v1/auth/oidc/callback",
            s.oidc_role_map,
            s.oidc_samu_map,
            s.oidc_groups_claim,
        )
    people = build_people(platform.store, platform.clock, platform.audit, s.data_dir, oidc)
    first_admin(people, s.data_dir)
    return people


async def serve(
    platform: Platform,
    simulate: SimulationOptions | None,
    data_dir: Path | None,
    roles: tuple[str, ...] = ROLES,
) -> None:
    """Run the given roles until SIGINT/SIGTERM; then stop intake, flush accepted points, close.

    `vigie up` runs every role; `vigie collector` and `vigie ui` run one each (server DSN).
    """
    from collector.runtime import start_collector  # the collector owns its own wiring

    settings = platform.settings
    closers: list[Callable[[], Awaitable[None]]] = []
    routers: list[object] = []
    servers: list[_Server] = []
    collector = None
    if "collector" in roles:
        collector = await start_collector(
            platform.store, platform.registry, settings, platform.clock, platform.metrics
        )
        closers.append(collector.close)
        routers.extend([collector.router, create_agents_router(collector.tokens)])
        servers.append(_uvicorn(collector.http_app, settings.host, settings.otlp_http_port))
    alerting = None
    engine = None
    if "engine" in roles:
        from vigie.alerting import build_alerting
        from vigie.engine_role import build_engine

        alerting = build_alerting(platform)
        engine = build_engine(platform, alerting)
        routers.extend([*alerting.routers, *engine.routers])
    routers.append(
        create_admin_router(
            platform.store,
            settings.backup_dir or settings.data_dir / "backups",
            platform.audit,
            platform.clock,
            engine.backups if engine is not None else None,
        )
    )
    stored = None
    if engine is None and "api" in roles:  # `vigie ui`: the engine's state from the store
        from vigie.ui_role import stored_ui

        stored = stored_ui(platform)
    ui_services = platform_services(
        platform.store,
        platform.registry,
        platform.clock,
        stored=stored,
        engine=engine.engine if engine is not None else None,
        alerting=alerting.service if alerting is not None else None,
        oncall=alerting.oncall if alerting is not None else None,
        reports=engine.reports if engine is not None else None,
        loop=asyncio.get_running_loop(),
    )
    main_app = create_app(
        platform.api_context(),
        routers,
        ui="api" in roles,
        people=_people(platform),
        ui_services=ui_services,
    )
    servers.insert(0, _uvicorn(main_app, settings.host, settings.http_port))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
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
        for callback in platform.on_stop:
            callback()
        platform.store.close()
        if data_dir is not None:
            remove_instance(data_dir)
