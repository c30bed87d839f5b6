"""The SLO REST API (router factory) and the status service the CLI shares with it.

GET  /api/v1/slos                      every SLO and guard with its objective and window
GET  /api/v1/slos/{id}/status          per SAMU: SLI, budget, burns, state (?samu=, ?window=)
GET  /api/v1/slos/national             national and regional composites, how many SAMU burn
POST /api/v1/slos/reload               reload specs and policy (validated first; 422 if not)
`window` is empty (the SLO's own window) or a calendar period: `2026-10`, `2026-Q4`, `2026`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request

from alerts.maintenance import MaintenanceWindow
from slo import figures
from slo.errors import SloError, SpecError
from slo.evaluate import SloStatus
from slo.loader import LoadResult
from slo.model import SLO
from slo.rollup import burning
from slo.windows import CalendarWindow, format_duration
from store.audit import AuditLog, actor_of
from store.client import Store
from store.clock import Clock
from store.registry import Registry

STATUS_WINDOWS = ("1h", "6h", "3d")


def status_dict(st: SloStatus) -> dict[str, Any]:
    """One status as JSON-ready plain values (no data: null SLI, budget and burns)."""
    b = st.budget
    return {
        "slo": st.slo,
        "samu": st.samu,
        "objective": st.objective,
        "window_start": st.window_start.isoformat(),
        "at": st.at.isoformat(),
        "sli": st.sli,
        "good": b.good,
        "valid": b.valid,
        "budget_remaining": b.remaining,
        "budget_remaining_events": b.remaining_events,
        "budget_remaining_minutes": b.remaining_minutes,
        "burns": {format_duration(w): s.burn_rate for w, s in sorted(st.burns.items())},
        "state": st.state,
        "time_to_exhaustion_s": None if st.exhaustion is None else st.exhaustion.total_seconds(),
        "conditions": [c.pair for c in st.conditions],
        "components": {c: {"good": t.good, "bad": t.bad} for c, t in st.components.items()},
        "window_end": None if st.window_end is None else st.window_end.isoformat(),
        "minutes": None if st.minutes is None else dataclasses.asdict(st.minutes),
    }


def slo_dict(slo: SLO) -> dict[str, Any]:
    window = slo.window
    text = (
        f"{window.unit} ({window.timezone})"
        if isinstance(window, CalendarWindow)
        else format_duration(window.duration)
    )
    return {
        "id": slo.id,
        "name": slo.name,
        "class": slo.slo_class,
        "objective_percent": round(slo.objective * 100, 6),
        "sli": type(slo.sli).__name__,
        "budgeting": type(slo.budgeting).__name__,
        "window": text,
        "scope": slo.scope,
        "alerting": slo.alerting.enabled,
        "source": slo.source,
    }


def compute_status(
    store: Store,
    registry: Registry,
    slos: Sequence[SLO],
    now: datetime,
    samu: str | None = None,
    window: str | None = None,
    maintenance: Sequence[MaintenanceWindow] = (),
) -> list[SloStatus]:
    """Statuses of `slos` at `now` (one SAMU or all), over their window or a calendar period."""
    labels = {
        s.id: {**s.to_dict(), "overseas": s.overseas}
        for s in registry
        if samu is None or s.id == samu
    }
    window_of = figures.periods(slos, window) if window else None
    regions = {s.id: s.region for s in registry}
    return figures.statuses(store, slos, labels, now, window_of, maintenance, regions)


def create_slo_router(
    store: Store,
    registry: Registry,
    clock: Clock,
    specs: Callable[[], LoadResult],
    reload: Callable[[], LoadResult] | None = None,
    maintenance: Callable[[], list[MaintenanceWindow]] | None = None,
    audit: AuditLog | None = None,
) -> APIRouter:
    """The /api/v1/slos routes; `specs` returns the running specs (e.g. `lambda: engine.specs`)."""
    router = APIRouter(prefix="/api/v1/slos", tags=["slo"])

    def find(slo_id: str) -> SLO:
        for slo in specs().slos:
            if slo.id == slo_id:
                return slo
        raise HTTPException(404, f"unknown SLO {slo_id!r}")

    @router.get("")
    def list_slos() -> dict[str, Any]:
        loaded = specs()
        return {
            "slos": [slo_dict(s) for s in loaded.slos],
            "guards": [{"id": g.id, "name": g.name, "severity": g.severity} for g in loaded.guards],
        }

    @router.get("/national")
    def national() -> dict[str, Any]:
        loaded = [s for s in specs().slos]
        now = clock.now()
        regions = {s.id: s.region for s in registry}
        labels = {s.id: {**s.to_dict(), "overseas": s.overseas} for s in registry}
        found = figures.evaluation(store, loaded, labels, now, None, _mw(maintenance), regions)
        statuses, comps = found.statuses, found.composites
        direct = [st for st in statuses if st.samu not in regions]
        return {
            "at": now.isoformat(),
            "composites": [status_dict(st) for st in [*direct, *comps]],
            "burning": [vars(v) for v in burning(statuses, regions)],
        }

    @router.get("/{slo_id}/status")
    def status(
        slo_id: str,
        samu: Annotated[str | None, Query()] = None,
        window: Annotated[str | None, Query(pattern=r"^\d{4}(-\d{2}|-Q[1-4])?$")] = None,
    ) -> dict[str, Any]:
        slo = find(slo_id)
        if samu is not None and samu not in registry:
            raise HTTPException(404, f"unknown SAMU {samu!r}")
        try:
            rows = compute_status(
                store, registry, [slo], clock.now(), samu, window, _mw(maintenance)
            )
        except SloError as exc:
            raise HTTPException(422, str(exc)) from exc
        return {"slo": slo_dict(slo), "status": [status_dict(st) for st in rows]}

    @router.post("/reload")
    def do_reload(request: Request) -> dict[str, Any]:
        if reload is None:
            raise HTTPException(503, "no engine runs in this process: nothing to reload")
        actor, source = actor_of(request)
        try:
            loaded = reload()
        except (SpecError, SloError) as exc:
            if audit is not None:
                audit.record(
                    actor, "slo.reload.rejected", source=source, details={"error": str(exc)[:500]}
                )
            if isinstance(exc, SpecError):
                raise HTTPException(422, [str(i) for i in exc.issues]) from exc
            raise HTTPException(422, str(exc)) from exc
        if audit is not None:
            audit.record(actor, "slo.reload", source=source, details={"slos": len(loaded.slos)})
        return {"slos": [s.id for s in loaded.slos], "guards": [g.id for g in loaded.guards]}

    return router


def _mw(source: Callable[[], list[MaintenanceWindow]] | None) -> list[MaintenanceWindow]:
    return source() if source is not None else []
