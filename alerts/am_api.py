"""The Alertmanager-compatible API (v2: alerts, groups, silences, status) and the reload route.

Prometheus posts to `POST /api/v2/alerts` exactly as to Alertmanager. Bad input is a 400 with
Alertmanager's message, never a 500. People are identified by the `X-Vigie-User` header until
accounts exist; every change they make is audited with their address.

Privacy: alerts are not telemetry and are never refused for their text. With a `redact`
function (the composition root passes collector.redaction.redact), every label value,
annotation, silence comment, creator and matcher value is redacted before it is kept, so a
phone number or NIR pasted by someone never reaches the store.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import UTC
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from alerts.am_wire import (
    PostableSilence,
    WireError,
    gettable_alert,
    gettable_silence,
    go_time,
    matches_filter,
    parse_alerts,
    read_json,
    silence_order,
    validation_message,
)
from alerts.errors import MatcherError, SilenceError
from alerts.maintenance_api import create_maintenance_router
from alerts.matchers import Matcher, compile_anchored, parse_matchers
from alerts.model import Alert
from alerts.scope import RequestScope, Unscoped, alert_samu, silence_samu
from alerts.service import AlertingService
from alerts.silence import Silence
from alerts.silences import SilenceExpired, SilenceNotFound, matcher_from_wire
from store.audit import actor_of
from store.clock import Clock

VERSION = "0.1.0"


def _filters(values: list[str]) -> list[Matcher]:
    found: list[Matcher] = []
    try:
        for value in values:
            found.extend(parse_matchers(value))
    except MatcherError as exc:
        raise HTTPException(400, f"bad filter: {exc}") from None
    return found


def _redact_alerts(body: bytes, redact: Callable[[str], str]) -> bytes:
    """The posted alerts with label values and annotations redacted (bad JSON left as is)."""
    try:
        document = json.loads(body or b"null")
    except (ValueError, UnicodeDecodeError):
        return body  # parse_alerts answers the 400
    if not isinstance(document, list):
        return body
    for alert in document:
        if isinstance(alert, dict):
            for part in ("labels", "annotations"):
                values = alert.get(part)
                if isinstance(values, dict):
                    alert[part] = {
                        k: redact(v) if isinstance(v, str) else v for k, v in values.items()
                    }
    return json.dumps(document).encode()


async def _capped_body(request: Request, max_bytes: int) -> bytes:
    """The body, or its first `max_bytes + 1` bytes: enough to refuse it as too large without
    holding the rest in memory."""
    chunks, size = [], 0
    async for chunk in request.stream():
        chunks.append(chunk)
        size += len(chunk)
        if size > max_bytes:
            break
    return b"".join(chunks)


def create_am_router(
    service: AlertingService,
    clock: Clock,
    redact: Callable[[str], str] | None = None,
    scope: RequestScope | None = None,
) -> APIRouter:
    """The `/api/v2` Alertmanager routes, the reload route and the maintenance routes.

    With a `scope`, a caller sees and changes only the alerts and silences of their SAMU: lists
    are filtered, and a silence that could match another SAMU is refused with the reason.
    """
    router = APIRouter(tags=["alerts"])
    scrub = redact or (lambda text: text)
    rights = scope or Unscoped()
    registry = tuple(service.regions)

    def refusal(request: Request, samu: set[str]) -> str | None:
        return rights.refusal(request, samu)

    def silence_refusal(request: Request, matchers: Sequence[Matcher]) -> str | None:
        found = refusal(request, silence_samu(matchers, registry))
        return None if found is None else f"the silence's matchers could match {found}"

    def alert_views(
        request: Request,
        active: bool,
        silenced: bool,
        inhibited: bool,
        filters: list[Matcher],
        receiver: str,
    ) -> list[tuple[Alert, dict[str, Any]]]:
        now = clock.now()
        wanted = compile_anchored(receiver) if receiver else None
        mute = service.mute()
        out = []
        for stored in service.alerts.all():
            alert = stored.alert
            if alert.resolved_at(now) or not matches_filter(filters, alert.labels):
                continue
            if refusal(request, alert_samu(alert.labels)) is not None:
                continue
            receivers = service.receivers(alert.labels)
            if wanted is not None and not any(wanted.search(r) for r in receivers):
                continue
            st = mute.status(alert, now)
            if (st.state == "active" and not active) or (st.silenced_by and not silenced):
                continue
            if st.inhibited_by and not inhibited:
                continue
            status = {
                "state": st.state,
                "silencedBy": list(st.silenced_by),
                "inhibitedBy": list(st.inhibited_by),
                "mutedBy": list(st.muted_by),
            }
            out.append((alert, gettable_alert(alert, stored.updated_at, receivers, status)))
        return out

    @router.post("/api/v2/alerts", summary="Receive alerts (Prometheus, the SLO engine)")
    async def post_alerts(request: Request) -> Response:
        try:
            body = await request.body()
            if redact is not None:
                body = _redact_alerts(body, redact)
            alerts, errors = parse_alerts(body, clock.now())
        except WireError as exc:
            service.metrics.received.labels("invalid").inc()
            return JSONResponse(str(exc), status_code=400)
        for alert in alerts:  # a scoped source posts for its SAMU only: all or nothing
            found = refusal(request, alert_samu(alert.labels))
            if found is not None:
                return JSONResponse(f"alert {dict(alert.labels)}: {found}", status_code=403)
        service.metrics.received.labels("invalid").inc(len(errors))
        if alerts:
            await run_in_threadpool(service.put, alerts)
        if errors:
            return JSONResponse("; ".join(errors), status_code=400)
        return Response(status_code=200)

    @router.get("/api/v2/alerts", summary="Alerts held, with their status and receivers")
    def get_alerts(
        request: Request,
        active: bool = True,
        silenced: bool = True,
        inhibited: bool = True,
        unprocessed: bool = True,
        filter: Annotated[list[str] | None, Query()] = None,
        receiver: str = "",
    ) -> list[dict[str, Any]]:
        try:
            views = alert_views(
                request, active, silenced, inhibited, _filters(filter or []), receiver
            )
        except MatcherError as exc:
            raise HTTPException(400, f"bad receiver filter: {exc}") from None
        return [view for _, view in views]

    @router.get("/api/v2/alerts/groups", summary="Aggregation groups and their alerts")
    def get_groups(
        request: Request,
        active: bool = True,
        silenced: bool = True,
        inhibited: bool = True,
        filter: Annotated[list[str] | None, Query()] = None,
        receiver: str = "",
    ) -> list[dict[str, Any]]:
        try:
            views = alert_views(
                request, active, silenced, inhibited, _filters(filter or []), receiver
            )
            wanted = compile_anchored(receiver) if receiver else None
        except MatcherError as exc:
            raise HTTPException(400, f"bad receiver filter: {exc}") from None
        by_fp = {a.fingerprint: view for a, view in views}
        out = []
        for group in service.groups():
            name = group.route.opts.receiver
            if wanted is not None and not wanted.search(name):
                continue
            members = [by_fp[fp] for fp in sorted(group.alerts) if fp in by_fp]
            if members:
                labels = dict(group.labels)
                out.append({"labels": labels, "receiver": {"name": name}, "alerts": members})
        return out

    @router.get("/api/v2/silences", summary="Silences, active first")
    def get_silences(
        request: Request,
        filter: Annotated[list[str] | None, Query()] = None,
    ) -> list[dict[str, Any]]:
        wanted = _filters(filter or [])
        now = clock.now()
        out = []
        for record in service.silences.all():
            equal = {m.name: m.value for m in record.silence.matchers}
            mine = silence_refusal(request, record.silence.matchers) is None
            if mine and matches_filter(wanted, equal):
                out.append(gettable_silence(record, now))
        return sorted(out, key=silence_order)

    @router.post("/api/v2/silences", summary="Create or update a silence")
    async def post_silence(request: Request) -> Response:
        user, source = actor_of(request)
        try:
            posted = PostableSilence.model_validate(read_json(await request.body()))
            matchers = tuple(
                matcher_from_wire(m.name, scrub(m.value), m.is_regex, m.is_equal)
                for m in posted.matchers
            )
        except ValidationError as exc:
            return JSONResponse(validation_message(exc), status_code=400)
        except (WireError, MatcherError) as exc:
            return JSONResponse(str(exc), status_code=400)
        found = silence_refusal(request, matchers)
        if found is None and posted.id:  # an update changes a silence that must be theirs too
            try:
                found = silence_refusal(request, service.silences.get(posted.id).silence.matchers)
            except SilenceNotFound:
                found = None  # answered below as Alertmanager does
        if found is not None:
            return JSONResponse(found, status_code=403)
        start, end = posted.starts_at, posted.ends_at
        if start.tzinfo is None or end.tzinfo is None:
            return JSONResponse("startsAt and endsAt need a time zone", status_code=400)
        if end <= start:
            msg = "Failed to create silence: start time must be before end time"
            return JSONResponse(msg, status_code=400)
        if end < clock.now():
            return JSONResponse("Failed to create silence: end time can't be in the past", 400)
        start, end = start.astimezone(UTC), end.astimezone(UTC)
        silence = Silence(
            posted.id, matchers, start, end, scrub(posted.created_by), scrub(posted.comment)
        )
        try:
            record = await run_in_threadpool(
                lambda: service.silences.upsert(
                    silence, actor=user, source=source, expire_on_resolve=posted.expire_on_resolve
                )
            )
        except SilenceNotFound as exc:
            return JSONResponse(str(exc), status_code=404)
        except SilenceError as exc:
            return JSONResponse(f"invalid silence: {exc}", status_code=400)
        return JSONResponse({"silenceID": record.silence.id})

    @router.get("/api/v2/silence/{silence_id}", summary="One silence")
    def get_silence(silence_id: str, request: Request) -> dict[str, Any]:
        try:
            record = service.silences.get(silence_id)
        except SilenceNotFound as exc:
            raise HTTPException(404, str(exc)) from None
        found = silence_refusal(request, record.silence.matchers)
        if found is not None:
            raise HTTPException(403, found)
        return gettable_silence(record, clock.now())

    @router.delete("/api/v2/silence/{silence_id}", summary="Expire a silence")
    def delete_silence(silence_id: str, request: Request) -> Response:
        user, source = actor_of(request)
        try:
            found = silence_refusal(request, service.silences.get(silence_id).silence.matchers)
            if found is not None:
                raise HTTPException(403, found)
            service.silences.expire(silence_id, actor=user, source=source)
        except SilenceNotFound as exc:
            raise HTTPException(404, str(exc)) from None
        except SilenceExpired as exc:
            raise HTTPException(400, str(exc)) from None
        return Response(status_code=200)

    @router.get("/api/v2/status", summary="Alertmanager status: cluster, version, config")
    def get_status() -> dict[str, Any]:
        return {
            "cluster": {"name": "vigie15", "status": "ready", "peers": []},
            "versionInfo": {
                "version": VERSION,
                "revision": "",
                "branch": "",
                "buildUser": "",
                "buildDate": "",
                "goVersion": "python",
            },
            # Vigie adds where the configuration in force came from and its SHA-256.
            "config": {
                "original": service.config_yaml(),
                "source": service.source.name,
                "sha256": service.source.sha256,
            },
            "uptime": go_time(service.started_at),
        }

    @router.post("/api/v1/alerting/reload", summary="Reload the routing configuration")
    async def reload(request: Request) -> JSONResponse:
        """Re-read the configuration file, or apply the YAML body; validated first."""
        user, source = actor_of(request)
        raw = await _capped_body(request, service.limits.max_bytes)
        body = raw.decode("utf-8", "replace")
        if body.strip():
            result = await run_in_threadpool(
                lambda: service.reload_text(body, actor=user, source=source)
            )
        else:
            result = await run_in_threadpool(lambda: service.reload_file(actor=user, source=source))
        if not result.ok:
            detail = "configuration rejected; the previous one stays"
            problems = list(result.problems)
            return JSONResponse(
                {"status": "error", "detail": detail, "problems": problems},
                status_code=413 if result.limit else 400,
            )
        return JSONResponse({"status": "success"})

    router.include_router(create_maintenance_router(service, clock, redact, rights))
    return router
