"""Core REST endpoints: health, SAMU registry, ingest status, per-minute counts, audit log."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from pydantic import BaseModel

from people.authz import visible
from store.clock import in_store_range, utc
from store.counts import CountsReader
from store.errors import StoreError
from store.migrations import status as migration_status
from store.registry import Registry
from vigie.access import principal_of
from vigie.api.deps import ApiContext
from vigie.schema import all_migrations


class SamuOut(BaseModel):
    id: str
    name: str
    departments: list[str]
    region: str
    timezone: str
    lat: float
    lon: float
    backup_id: str
    daily_calls: int


class CountOut(BaseModel):
    minute: datetime
    metric: str
    component: str
    outcome: str
    le: float | None
    value: float


def _samu_out(ctx: ApiContext, samu_id: str) -> SamuOut:
    samu = ctx.registry.get(samu_id)
    if samu is None:
        raise HTTPException(404, f"unknown SAMU id {samu_id!r}")
    return SamuOut(
        id=samu.id,
        name=samu.name,
        departments=list(samu.departments),
        region=samu.region,
        timezone=samu.timezone,
        lat=samu.lat,
        lon=samu.lon,
        backup_id=samu.backup_id,
        daily_calls=samu.daily_calls,
    )


def ingest_report(counts: CountsReader, registry: Registry, since: datetime) -> dict[str, Any]:
    """Points per SAMU since `since`, last minute with data, worst lag, silent SAMU and
    rejections: the answer of /api/v1/ingest/status and of `vigie ingest status` alike."""
    rows = counts.ingest(since.replace(second=0, microsecond=0))
    seen = {r.samu_id for r in rows}
    return {
        "since": since.isoformat(),
        "samu": [
            {
                "samu_id": r.samu_id,
                "points": r.points,
                "last_minute": r.last_minute.isoformat() if r.last_minute else None,
                "max_lag_s": r.max_lag_s,
            }
            for r in rows
        ],
        "silent": sorted(s.id for s in registry if s.id not in seen),
        "rejections": [r.__dict__ for r in counts.rejections(since)],
        "agents": [
            {
                "agent": a.agent,
                "samu_id": a.samu_id,
                "accepted": a.accepted,
                "rejected": a.rejected,
                "last_rejection": a.last_rejection,
                "last_rejection_at": _iso(a.last_rejection_at),
                "last_seen": _iso(a.last_seen),
            }
            for a in counts.agents(since)
        ],
    }


def _iso(at: datetime | None) -> str | None:
    return None if at is None else at.isoformat()


def create_core_router(ctx: ApiContext) -> APIRouter:
    router = APIRouter(prefix="/api/v1")

    @router.get("/health/live", tags=["platform"])
    def live() -> dict[str, str]:
        """The process answers (liveness); the store is not asked, so an outage of ClickHouse
        makes every role unready (/api/v1/health) without restarting it."""
        return {"status": "ok"}

    @router.get("/health", tags=["platform"])
    def health() -> dict[str, Any]:
        """Readiness: the process answers and the store is reachable (503 otherwise)."""
        ok = ctx.store.ping()
        if not ok:
            raise HTTPException(503, "store unavailable")
        return {"status": "ok", "store": ctx.store.dsn.redacted, "database": ctx.store.database}

    @router.get("/migrations", tags=["platform"])
    def migrations() -> list[dict[str, Any]]:
        """Schema migrations and whether each is applied."""
        return [
            {"version": v, "name": n, "applied": a}
            for v, n, a in migration_status(ctx.store, all_migrations())
        ]

    @router.get("/samu", tags=["samu"])
    def samu_list(request: Request, region: str | None = None) -> list[SamuOut]:
        """The SAMU registry (reference data), optionally for one region; a SAMU manager's own."""
        found = [s for s in ctx.registry if region is None or s.region == region]
        mine = visible(principal_of(request), found, lambda s: [s.id])
        return [_samu_out(ctx, s.id) for s in mine]

    @router.get("/samu/{samu_id}", tags=["samu"])
    def samu_one(samu_id: str) -> SamuOut:
        return _samu_out(ctx, samu_id)

    @router.get("/samu/{samu_id}/counts", tags=["samu"])
    def samu_counts(
        samu_id: str,
        start: Annotated[datetime, Query(alias="from", description="UTC instant, inclusive")],
        end: Annotated[datetime, Query(alias="to", description="UTC instant, exclusive")],
        metric: str | None = None,
    ) -> list[CountOut]:
        """Exact per-minute counts of one SAMU (at most 7 days per request)."""
        _samu_out(ctx, samu_id)
        start, end = utc(start), utc(end)
        if not (in_store_range(start) and in_store_range(end)):
            raise HTTPException(422, "'from' and 'to' must be between 1900 and 2299")
        if not start < end or end - start > timedelta(days=7):
            raise HTTPException(422, "'from' must be before 'to', at most 7 days apart")
        rows = ctx.counts.per_minute(start, end, samu_id, metric)
        return [
            CountOut(
                minute=r.minute,
                metric=r.metric,
                component=r.component,
                outcome=r.outcome,
                le=None if r.le == float("inf") else r.le,
                value=r.value,
            )
            for r in rows
        ]

    @router.get("/ingest/status", tags=["ingest"])
    def ingest_status(request: Request, minutes: int = Query(15, ge=1, le=1440)) -> dict[str, Any]:
        """Per SAMU: points received recently, last minute with data, worst lag; silent SAMU
        (a SAMU manager's SAMU only)."""
        since = ctx.clock.now() - timedelta(minutes=minutes)
        try:
            report = ingest_report(ctx.counts, ctx.registry, since)
        except StoreError as exc:
            raise HTTPException(503, f"store unavailable: {exc}") from exc
        who = principal_of(request)
        for key in ("samu", "rejections"):
            report[key] = visible(who, report[key], lambda row: [row["samu_id"]])
        report["silent"] = visible(who, report["silent"], lambda samu_id: [samu_id])
        return report

    @router.get("/audit", tags=["audit"])
    def audit(
        since: datetime | None = None,
        action: str | None = None,
        actor: str | None = None,
        limit: int = Query(100, ge=1, le=10_000),
    ) -> list[dict[str, Any]]:
        """Audit events, newest first."""
        if since is not None and not in_store_range(since):
            raise HTTPException(422, "since must be between 1900 and 2299")
        events = ctx.audit.query(utc(since) if since else None, action, actor, limit)
        return [e.__dict__ for e in events]

    return router
