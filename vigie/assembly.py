"""The platform assembled: every service of the roles asked for, built in order and passed on.

Read top to bottom, `assemble` is the dependency graph of a running Vigie: people and access,
then the collector, alerting (on-call inside), the SLO engine and reports (which send alerts to
alerting and read its incidents and maintenance windows), the admin routes, the UI's services
and the main app. No service is handed a collaborator after it is built.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from fastapi import APIRouter, FastAPI

from collector.runtime import CollectorRuntime, start_collector
from dashboards.app import platform_services
from vigie.alerting import AlertingRuntime, build_alerting
from vigie.api.admin import create_admin_router
from vigie.api.agents import create_agents_router
from vigie.app import create_app
from vigie.engine_role import EngineRuntime, build_engine
from vigie.people import build_people, first_admin, oidc_from
from vigie.platform import Platform

COLLECTOR, API, ENGINE = "collector", "api", "engine"
ROLES = (COLLECTOR, API, ENGINE)


@dataclass(frozen=True)
class Assembly:
    """What `serve` runs: the main app, and the runtimes of the roles it holds (None if not)."""

    app: FastAPI
    collector: CollectorRuntime | None
    alerting: AlertingRuntime | None
    engine: EngineRuntime | None


async def assemble(platform: Platform, roles: tuple[str, ...] = ROLES) -> Assembly:
    """Build (and, for the collector, start) every service of `roles` on the platform."""
    s = platform.settings
    people = build_people(platform.store, platform.clock, platform.audit, s.data_dir, oidc_from(s))
    first_admin(people, s.data_dir)  # a fresh install can be used at once
    routers: list[APIRouter] = []
    collector = None
    if COLLECTOR in roles:
        collector = await start_collector(
            platform.store, platform.registry, s, platform.clock, platform.metrics
        )
        routers += [collector.router, create_agents_router(collector.tokens)]
    alerting = engine = None
    if ENGINE in roles:
        alerting = build_alerting(platform)
        engine = build_engine(platform, alerting.service, alerting.oncall)
        routers += [*alerting.routers, *engine.routers]
    backups = s.backup_dir or s.data_dir / "backups"
    s3 = engine.backups if engine else None
    routers.append(create_admin_router(platform.store, backups, platform.audit, platform.clock, s3))
    stored = None
    waves = engine.waves if engine else None
    if engine is None and API in roles:  # `vigie ui`: the engine's state from the store
        from vigie.ui_role import stored_ui
        from vigie.waves_role import stored_waves

        stored = stored_ui(platform)
        waves = stored_waves(platform)
    ui_services = platform_services(
        platform.store,
        platform.registry,
        platform.clock,
        stored=stored,
        engine=engine.engine if engine else None,
        alerting=alerting.service if alerting else None,
        oncall=alerting.oncall if alerting else None,
        reports=engine.reports if engine else None,
        loop=asyncio.get_running_loop(),
        waves=waves,
    )
    app = create_app(
        platform.api_context(),
        list(routers),
        ui=API in roles,
        people=people,
        ui_services=ui_services,
    )
    return Assembly(app, collector, alerting, engine)
