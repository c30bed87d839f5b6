"""The collector role wired together: the batching writer, OTLP/HTTP app and OTLP/gRPC server."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Container
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import grpc
from fastapi import APIRouter, FastAPI
from prometheus_client import CollectorRegistry

from collector.agent_auth import AgentAuth, AgentTokens, AuthMode
from collector.export import ExportService
from collector.grpc_server import create_grpc_server
from collector.health import HealthRecorder
from collector.http import create_otlp_router
from collector.journal import InsertJournal
from collector.limits import Limits, LimitSettings
from collector.selfmetrics import SelfMetrics
from collector.writer import BatchWriter
from store.audit import AuditLog
from store.client import Store
from store.clock import Clock


class CollectorSettings(LimitSettings, Protocol):
    """The settings the collector role reads (vigie.settings.Settings has them)."""

    @property
    def host(self) -> str: ...

    @property
    def otlp_grpc_port(self) -> int: ...

    @property
    def write_queue_points(self) -> int: ...

    @property
    def batch_max_points(self) -> int: ...

    @property
    def write_queue_max_age_ms(self) -> int: ...

    @property
    def batch_max_delay_ms(self) -> int: ...

    @property
    def agent_auth(self) -> str: ...

    @property
    def data_dir(self) -> Path: ...


@dataclass
class CollectorRuntime:
    """A started collector; `close()` stops intake and flushes every accepted point."""

    http_app: FastAPI
    router: APIRouter
    grpc_server: grpc.aio.Server
    writer: BatchWriter
    metrics: SelfMetrics
    limits: Limits
    tokens: AgentTokens
    auth: AgentAuth | None  # None when VIGIE_AGENT_AUTH=off
    health: HealthRecorder
    heartbeat: asyncio.Task[None]

    async def close(self, grace_s: float = 5.0) -> None:
        await self.grpc_server.stop(grace_s)
        await self.writer.close()
        self.heartbeat.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self.heartbeat
        await self.health.close()  # the last, partial minute: this instance was up in it


def create_otlp_app(router_app_title: str = "Vigie 15 OTLP receiver") -> FastAPI:
    return FastAPI(title=router_app_title, docs_url=None, redoc_url=None, openapi_url=None)


async def start_collector(
    store: Store,
    known_samu: Container[str],
    settings: CollectorSettings,
    clock: Clock,
    registry: CollectorRegistry,
) -> CollectorRuntime:
    """Load the delta state, then start the gRPC server; the caller serves `http_app`."""
    metrics = SelfMetrics(registry)
    limits = Limits.from_settings(settings, clock)
    writer = BatchWriter(
        store,
        metrics,
        clock,
        max_queue_points=settings.write_queue_points,
        max_queue_age_s=settings.write_queue_max_age_ms / 1000,
        batch_max_points=settings.batch_max_points,
        batch_max_delay_s=settings.batch_max_delay_ms / 1000,
        journal=InsertJournal(settings.data_dir / "collector" / "insert-journal"),
    )
    await writer.start()
    audit = AuditLog(store, clock)
    tokens = AgentTokens(store, clock, audit, known_samu)
    auth = None
    if settings.agent_auth == AuthMode.REQUIRED:
        auth = AgentAuth(tokens, audit, clock, registry)
        await asyncio.to_thread(auth.refresh)
    app = create_otlp_app()
    health = HealthRecorder(store, clock, writer.queue_age_s)
    service = ExportService(
        writer, known_samu, limits, metrics, clock, auth, health, writer.check_backlog
    )
    router = create_otlp_router(service)
    app.include_router(router)
    address = f"{settings.host}:{settings.otlp_grpc_port}"
    server = create_grpc_server(service, address)
    await server.start()
    heartbeat = asyncio.create_task(health.run(), name="vigie-collector-heartbeat")
    return CollectorRuntime(
        app, router, server, writer, metrics, limits, tokens, auth, health, heartbeat
    )
