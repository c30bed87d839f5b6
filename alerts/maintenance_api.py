"""Maintenance windows over HTTP: list, plan (approved, audited) and cancel.

A window mutes the alerts of the SAMU it covers while one of its occurrences is active, and the
SLO engine excludes it from budgets; the monthly report lists it with who approved it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from starlette.concurrency import run_in_threadpool

from alerts.am_wire import read_json, validation_message
from alerts.errors import AlertsError
from alerts.maintenance import MaintenanceWindow
from alerts.maintenance_store import MaintenanceNotFound
from alerts.scope import RequestScope, Unscoped, window_samu
from alerts.service import AlertingService
from store.audit import actor_of
from store.clock import Clock
from store.durations import DurationError, parse_duration

_HORIZON = timedelta(days=400)  # how far ahead the next occurrence is looked for


class MaintenanceIn(BaseModel):
    """A maintenance window as planned by a person (strict: unknown fields are errors)."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1)
    samu_ids: list[str] = Field(default_factory=list)
    regions: list[str] = Field(default_factory=list)
    starts_at: datetime
    duration: str | None = None  # a Prometheus duration such as "2h30m"
    ends_at: datetime | None = None
    rrule: str = ""
    timezone: str = "Europe/Paris"
    approved_by: str = Field(min_length=1)
    reason: str = ""

    @model_validator(mode="after")
    def _one_end(self) -> MaintenanceIn:
        if (self.duration is None) == (self.ends_at is None):
            raise ValueError("give exactly one of duration or ends_at")
        for name, value in (("starts_at", self.starts_at), ("ends_at", self.ends_at)):
            if value is not None and value.tzinfo is None:
                raise ValueError(f"{name} needs a time zone (e.g. 2026-03-10T22:00:00+01:00)")
        return self

    def length(self) -> timedelta:
        if self.duration is not None:
            return parse_duration(self.duration)
        assert self.ends_at is not None
        return self.ends_at - self.starts_at


def window_json(window: MaintenanceWindow, now: datetime) -> dict[str, Any]:
    """A window with its state now and its next occurrence."""
    upcoming = window.occurrences(now, now + _HORIZON)
    return {
        "id": window.id,
        "title": window.title,
        "samu_ids": list(window.samu_ids),
        "regions": list(window.regions),
        "starts_at": window.starts_at.isoformat(),
        "duration_s": window.duration.total_seconds(),
        "rrule": window.rrule,
        "timezone": window.timezone,
        "approved_by": window.approved_by,
        "created_by": window.created_by,
        "reason": window.reason,
        "cancelled": window.cancelled,
        "active": window.active_at(now),
        "next": [upcoming[0][0].isoformat(), upcoming[0][1].isoformat()] if upcoming else None,
    }


def _check_scope(service: AlertingService, spec: MaintenanceIn) -> None:
    if not service.regions:
        return  # no registry given: scope not checked
    unknown = [s for s in spec.samu_ids if s not in service.regions]
    regions = set(service.regions.values())
    unknown += [f"region {r}" for r in spec.regions if r not in regions]
    if unknown:
        raise HTTPException(400, f"unknown SAMU or region: {', '.join(unknown)}")


def create_maintenance_router(
    service: AlertingService,
    clock: Clock,
    redact: Callable[[str], str] | None = None,
    scope: RequestScope | None = None,
) -> APIRouter:
    """`/api/v1/maintenance`: list, create, cancel; `redact` cleans the free-text fields. With a
    `scope`, a caller lists and changes only the windows whose SAMU are all theirs."""
    router = APIRouter(prefix="/api/v1/maintenance", tags=["maintenance"])
    scrub = redact or (lambda text: text)
    rights = scope or Unscoped()

    def refusal(request: Request, window: MaintenanceWindow) -> str | None:
        return rights.refusal(request, window_samu(window, service.regions))

    @router.get("", summary="Maintenance windows, cancelled ones flagged")
    def list_windows(request: Request) -> list[dict[str, Any]]:
        now = clock.now()
        mine = [w for w in service.maintenance.list() if refusal(request, w) is None]
        return [window_json(w, now) for w in mine]

    @router.post("", status_code=201, summary="Plan a maintenance window")
    async def create(request: Request) -> JSONResponse:
        user, source = actor_of(request)
        try:
            spec = MaintenanceIn.model_validate(read_json(await request.body()))
            _check_scope(service, spec)
            window = MaintenanceWindow(
                id="",
                title=scrub(spec.title),
                starts_at=spec.starts_at.astimezone(UTC),
                duration=spec.length(),
                approved_by=scrub(spec.approved_by),
                created_by=user,
                samu_ids=tuple(spec.samu_ids),
                regions=tuple(spec.regions),
                rrule=spec.rrule,
                timezone=spec.timezone,
                reason=scrub(spec.reason),
            )
        except ValidationError as exc:
            return JSONResponse({"detail": validation_message(exc)}, status_code=400)
        except (AlertsError, DurationError) as exc:
            return JSONResponse({"detail": str(exc)}, status_code=400)
        found = refusal(request, window)
        if found is not None:
            return JSONResponse({"detail": f"the window would mute {found}"}, status_code=403)
        saved = await run_in_threadpool(lambda: service.maintenance.create(window, source=source))
        return JSONResponse(window_json(saved, clock.now()), status_code=201)

    @router.delete("/{window_id}", summary="Cancel a maintenance window")
    def cancel(window_id: str, request: Request) -> dict[str, Any]:
        user, source = actor_of(request)
        known = {w.id: w for w in service.maintenance.list()}.get(window_id)
        found = None if known is None else refusal(request, known)
        if found is not None:
            raise HTTPException(403, found)
        try:
            window = service.maintenance.cancel(window_id, actor=user, source=source)
        except MaintenanceNotFound as exc:
            raise HTTPException(404, str(exc)) from None
        return window_json(window, clock.now())

    return router
