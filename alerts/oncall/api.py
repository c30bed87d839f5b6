"""REST API of on-call: incidents and their actions, who is on call, iCal, heartbeats."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, HTTPException, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel

from alerts.oncall import ical
from alerts.oncall.errors import IncidentNotFound, InvalidTransition, UnknownMonitor
from alerts.oncall.heartbeat import Heartbeats
from alerts.oncall.incidents import Incident
from alerts.oncall.schedule import next_shifts, person_shifts, timeline, who_is_on_call
from alerts.oncall.service import OnCallService
from store.clock import in_store_range

_RECENT = timedelta(days=30)
_ICAL_PAST = timedelta(days=7)
_ICAL_AHEAD = timedelta(days=60)


class IncidentEdit(BaseModel):
    """Fields on-call staff may edit."""

    cause: str | None = None
    postmortem_url: str | None = None


def incident_out(incident: Incident) -> dict[str, Any]:
    """The JSON shape of an incident (durations in seconds)."""
    delivered, acked = incident.time_to_deliver, incident.time_to_ack
    return {
        "id": incident.id,
        "state": incident.state,
        "title": incident.title,
        "summary": incident.summary,
        "alertname": incident.alertname,
        "severity": incident.severity,
        "samu": list(incident.samu),
        "component": incident.component,
        "receiver": incident.receiver,
        "escalation_policy": incident.policy,
        "opened_at": incident.opened_at,
        "acked_at": incident.acked_at,
        "acked_by": incident.acked_by,
        "resolved_at": incident.resolved_at,
        "resolved_by": incident.resolved_by,
        "time_to_delivery_s": None if delivered is None else delivered.total_seconds(),
        "time_to_ack_s": None if acked is None else acked.total_seconds(),
        "cause": incident.cause,
        "postmortem_url": incident.postmortem_url,
        "entraide": list(incident.entraide),
        "timeline": [
            {"at": e.at, "kind": e.kind, "actor": e.actor, "text": e.text, "ok": e.ok}
            for e in incident.timeline
        ],
    }


def _actor(user: str | None, request: Request) -> tuple[str, str]:
    ip = request.client.host if request.client else ""
    return (user or "anonymous"), f"api {ip}".strip()


def create_oncall_router(
    service: OnCallService,
    heartbeats: Heartbeats | None = None,
    redact: Callable[[str], str] | None = None,
) -> APIRouter:
    """Routes under /api/v1: incidents, on-call now/schedules/iCal, heartbeat check-ins.

    `redact` (collector.redaction.redact) cleans an incident's free-text cause before it is kept.
    """
    router = APIRouter(prefix="/api/v1", tags=["on-call"])
    config = service.config

    @router.get("/incidents")
    def list_incidents(
        state: Literal["open", "triggered", "acknowledged", "resolved"] | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> list[dict[str, Any]]:
        now = service.clock.now()
        for name, value in (("since", since), ("until", until)):
            if value is not None and not in_store_range(value):
                raise HTTPException(422, f"{name} must be between 1900 and 2299")
        if state in ("open", "triggered", "acknowledged") and since is None and until is None:
            found = service.open_incidents()
        else:
            start, end = since or now - _RECENT, until or now + timedelta(seconds=1)
            found = service.incidents_between(start, end)
        if state == "open":
            found = [i for i in found if i.open]
        elif state is not None:
            found = [i for i in found if i.state == state]
        return [incident_out(i) for i in found]

    @router.get("/incidents/{incident_id}")
    def get_incident(incident_id: str) -> dict[str, Any]:
        try:
            return incident_out(service.get(incident_id))
        except IncidentNotFound as exc:
            raise HTTPException(404, str(exc)) from None

    @router.patch("/incidents/{incident_id}")
    def edit_incident(
        incident_id: str,
        body: IncidentEdit,
        request: Request,
        x_vigie_user: Annotated[str | None, Header()] = None,
    ) -> dict[str, Any]:
        actor, source = _actor(x_vigie_user, request)
        try:
            fields = body.model_dump()
            if redact is not None and fields.get("cause"):
                fields["cause"] = redact(fields["cause"])
            incident = service.edit(incident_id, actor, source, **fields)
        except IncidentNotFound as exc:
            raise HTTPException(404, str(exc)) from None
        return incident_out(incident)

    @router.post("/incidents/{incident_id}/{action}")
    async def act(
        incident_id: str,
        action: Literal["ack", "resolve", "unack"],
        request: Request,
        x_vigie_user: Annotated[str | None, Header()] = None,
    ) -> dict[str, Any]:
        actor, source = _actor(x_vigie_user, request)
        try:
            return incident_out(await service.act(incident_id, action, actor, source))
        except IncidentNotFound as exc:
            raise HTTPException(404, str(exc)) from None
        except InvalidTransition as exc:
            raise HTTPException(409, str(exc)) from None

    def schedule_out(schedule_id: str, now: datetime, n: int) -> dict[str, Any]:
        schedule = config.schedules[schedule_id]
        people = who_is_on_call(config, schedule, now)
        return {
            "id": schedule.id,
            "name": schedule.name,
            "time_zone": schedule.time_zone,
            "on_call": [{"id": p.id, "name": p.name} for p in people],
            "next": [
                {"start": s.start, "end": s.end, "people": list(s.people)}
                for s in next_shifts(config, schedule, now, n)
            ],
        }

    @router.get("/oncall/now")
    def on_call_now() -> list[dict[str, Any]]:
        now = service.clock.now()
        return [schedule_out(sid, now, 1) for sid in config.schedules]

    @router.get("/oncall/schedules")
    def schedules(n: Annotated[int, Query(ge=1, le=50)] = 5) -> list[dict[str, Any]]:
        now = service.clock.now()
        return [schedule_out(sid, now, n) for sid in config.schedules]

    @router.get("/oncall/schedules/{schedule_id}/ical")
    def schedule_ical(schedule_id: str, person: str | None = None) -> Response:
        schedule = config.schedules.get(schedule_id)
        if schedule is None:
            raise HTTPException(404, f"no schedule {schedule_id!r}")
        if person is not None and person not in config.people:
            raise HTTPException(404, f"no person {person!r}")
        now = service.clock.now()
        start = now.replace(hour=0, minute=0, second=0, microsecond=0) - _ICAL_PAST
        # A UID is stable for every shift but the first, which the window start cuts.
        shifts = timeline(config, schedule, start, start + _ICAL_AHEAD)
        if person is not None:
            shifts = person_shifts(shifts, person)
        names = {p.id: p.name for p in config.people.values()}
        text = ical.calendar(schedule.id, schedule.name, shifts, names, now)
        return Response(text, media_type="text/calendar; charset=utf-8")

    @router.post("/heartbeat/{token}")
    async def heartbeat(token: str, request: Request) -> dict[str, str]:
        if heartbeats is None:
            raise HTTPException(404, "no heartbeat monitors")
        try:
            name = await heartbeats.checkin(token, request.client.host if request.client else "")
        except UnknownMonitor as exc:
            raise HTTPException(404, str(exc)) from None
        return {"monitor": name, "status": "ok"}

    @router.get("/oncall/heartbeats")
    def heartbeat_status() -> list[dict[str, Any]]:
        return [vars(s) for s in heartbeats.status()] if heartbeats else []

    return router
