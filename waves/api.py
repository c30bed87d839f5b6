"""Migration waves over HTTP: list, plan (a YAML or CSV body, audited), cancel, and compare.

A person scoped to some SAMU sees only the rows of their SAMU: a wave lists only their moves,
a comparison only their SAMU, and a wave without any of them is not found (404). Changing a
wave (planning, cancelling) needs every SAMU of it in the caller's scope. The caller's scope
is asked of `scope` (the platform's authorisation rule, passed in by the composition root);
without one, every caller sees everything.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from typing import Any, Literal, Protocol

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from starlette.concurrency import run_in_threadpool

from store.audit import actor_of
from waves.errors import PlanError, WaveNotFound
from waves.history import StoredWave
from waves.measures import Method
from waves.render import comparison_csv, comparison_dict, comparison_text
from waves.service import WaveService

_MAX_PLAN = 1 << 20  # a plan of a hundred waves is a few tens of kB


class RequestScope(Protocol):
    """The caller's right to things of these SAMU: None when allowed, else why not."""

    def refusal(self, request: Request, samu_ids: Collection[str]) -> str | None: ...


class _Everyone:
    def refusal(self, request: Request, samu_ids: Collection[str]) -> str | None:
        return None


def create_waves_router(service: WaveService, scope: RequestScope | None = None) -> APIRouter:
    """Routes under /api/v1/waves over one WaveService."""
    router = APIRouter(prefix="/api/v1/waves", tags=["migration waves"])
    rights = scope or _Everyone()

    def mine(request: Request, samu_ids: Collection[str]) -> list[str]:
        return [s for s in samu_ids if rights.refusal(request, [s]) is None]

    def visible(request: Request, stored: StoredWave) -> dict[str, Any] | None:
        own = set(mine(request, stored.wave.samu_ids))
        if not own:
            return None
        moves = tuple(m for m in stored.wave.moves if m.samu_id in own)
        return replace(stored, wave=replace(stored.wave, moves=moves)).to_dict()

    def find(request: Request, wave_id: str) -> StoredWave:
        try:
            stored = service.get(wave_id)
        except WaveNotFound as exc:
            raise HTTPException(404, str(exc)) from None
        if not mine(request, stored.wave.samu_ids):
            raise HTTPException(404, f"no migration wave {wave_id!r}")
        return stored

    @router.get("", summary="Migration waves, their SAMU and nights")
    def list_waves(request: Request) -> list[dict[str, Any]]:
        return [v for w in service.waves() if (v := visible(request, w)) is not None]

    @router.post("", status_code=201, summary="Plan waves from a YAML or CSV plan (the body)")
    async def plan(request: Request, name: str = Query("plan.yaml")) -> JSONResponse:
        """`name` says the format (`plan.csv` for CSV); the nights become maintenance windows."""
        body = await request.body()
        if len(body) > _MAX_PLAN:
            raise HTTPException(413, f"a plan is at most {_MAX_PLAN} bytes")
        try:
            found = service.read(body.decode("utf-8"), name)
        except UnicodeDecodeError:
            return JSONResponse({"detail": "a plan is UTF-8 text"}, status_code=400)
        except PlanError as exc:
            return JSONResponse({"detail": str(exc), "problems": exc.problems}, status_code=400)
        for wave in found.waves:
            refused = rights.refusal(request, wave.samu_ids)
            if refused is not None:
                raise HTTPException(403, f"wave {wave.id}: {refused}")
        user, source = actor_of(request)
        try:
            done = await run_in_threadpool(lambda: service.plan(found, actor=user, source=source))
        except PlanError as exc:
            return JSONResponse({"detail": str(exc), "problems": exc.problems}, status_code=400)
        body_out = {
            "waves": [{"id": w.id, "outcome": outcome} for w, outcome in done],
            "warnings": list(found.warnings),
        }
        return JSONResponse(body_out, status_code=201)

    @router.get("/{wave_id}", summary="One wave and its history")
    def get_wave(wave_id: str, request: Request) -> dict[str, Any]:
        stored = find(request, wave_id)
        shown = visible(request, stored)
        assert shown is not None
        events = [
            {
                "at": e.at.isoformat(),
                "kind": e.kind,
                "actor": e.actor,
                "maintenance_id": e.maintenance_id,
            }
            for e in service.book.events(wave_id)
        ]
        return {**shown, "history": events}

    @router.delete("/{wave_id}", summary="Cancel a wave (and its maintenance window)")
    def cancel(wave_id: str, request: Request) -> dict[str, Any]:
        stored = find(request, wave_id)
        refused = rights.refusal(request, stored.wave.samu_ids)
        if refused is not None:
            raise HTTPException(403, f"wave {wave_id}: {refused}")
        user, source = actor_of(request)
        return service.book.cancel(wave_id, actor=user, source=source).to_dict()

    @router.get("/{wave_id}/compare", summary="Each SAMU's figures before vs after the night")
    def compare(
        wave_id: str,
        request: Request,
        days: int = Query(Method.days, ge=1, le=34),
        unit: Literal["hour", "day"] = Query(Method.unit),
        format: Literal["json", "csv", "text"] = Query("json"),
    ) -> Response:
        stored = find(request, wave_id)
        found = service.compare(stored.wave.id, days, unit).only(
            mine(request, stored.wave.samu_ids)
        )
        if format == "csv":
            headers = {"Content-Disposition": f'attachment; filename="vague-{wave_id}.csv"'}
            return Response(
                comparison_csv(found), media_type="text/csv; charset=utf-8", headers=headers
            )
        if format == "text":
            return PlainTextResponse(comparison_text(found))
        return JSONResponse(comparison_dict(found))

    return router
