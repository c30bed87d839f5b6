"""The ASGI applications: the main HTTP port (UI, /api, /docs, /metrics) and the OTLP port."""

from __future__ import annotations

from a2wsgi import WSGIMiddleware
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from dashboards.app import UiServices, create_ui, platform_services
from people.service import PeopleService
from store.errors import StoreUnavailable
from vigie.access_gate import install_access
from vigie.api.auth import create_auth_router
from vigie.api.core import create_core_router
from vigie.api.deps import ApiContext
from vigie.api.users import create_users_router


def create_app(
    ctx: ApiContext,
    extra_routers: list[object] | None = None,
    ui: bool = True,
    people: PeopleService | None = None,
    ui_services: UiServices | None = None,
) -> FastAPI:
    """The main app: REST API under /api (OpenAPI at /docs), /metrics, and the UI at /."""
    app = FastAPI(
        title="Vigie 15",
        description="Observability and SLOs for the SAMU emergency call system (the 15).",
        version="0.1.0",
    )

    @app.exception_handler(StoreUnavailable)
    async def store_unavailable(_: Request, exc: StoreUnavailable) -> JSONResponse:
        return JSONResponse(
            {"detail": f"store unavailable: {exc}"}, status_code=503, headers={"Retry-After": "5"}
        )

    app.include_router(create_core_router(ctx))
    for router in extra_routers or []:
        app.include_router(router)  # type: ignore[arg-type]

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> Response:
        return Response(status_code=204)

    @app.get("/metrics", include_in_schema=False)
    def metrics() -> Response:
        return Response(generate_latest(ctx.metrics), media_type=CONTENT_TYPE_LATEST)

    if people is not None:
        app.include_router(create_auth_router(people))
        app.include_router(create_users_router(people))
    if ui:
        services = ui_services or platform_services(ctx.store, ctx.registry, ctx.clock)
        app.mount("/", WSGIMiddleware(create_ui(services).server))  # type: ignore[arg-type]
    if people is not None:
        install_access(app, people)  # last: it sees every route
    return app
