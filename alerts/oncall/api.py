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
from alerts.scope import RequestScope, Unscoped, incident_samu
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
    scope: RequestScope | None = None,
) -> APIRouter:
    """Routes under /api/v1: incidents, on-call now/schedules/iCal, heartbeat check-ins.

    `redact` (collector.redaction.redact) cleans an incident's free-text cause before it is kept.
    With a `scope`, a caller lists, reads and changes only the incidents of their SAMU, and sees
    the schedules that serve one of their SAMU.
    """
    router = APIRouter(prefix="/api/v1", tags=["on-call"])
    config = service.config
    rights = scope or Unscoped()

    def refusal(request: Request, incident: Incident) -> str | None:
        return rights.refusal(request, incident_samu(incident.samu))

    def mine(request: Request, incident_id: str) -> Incident:
        """The incident, if the caller may touch it (404 unknown, 403 another SAMU's)."""
        try:
            incident = service.get(incident_id)
        except IncidentNotFound as exc:
            raise HTTPException(404, str(exc)) from None
        found = refusal(request, incident)
        if found is not None:
            raise HTTPException(403, f"incident {incident_id}: {found}")
        return incident

    def serves_theirs(request: Request, schedule_id: str) -> bool:
        """Whether the schedule is informed for one of the caller's SAMU (or it is national)."""
        if isinstance(rights, Unscoped):
            return True
        entraide = config.entraide
        samus = list(service.registry) if service.registry is not None else []
        served = [s.id for s in samus if entraide.schedule_for(s.id, s.region) == schedule_id]
        return any(rights.refusal(request, {samu}) is None for samu in served)

    @router.get("/incidents")
    def list_incidents(
        request: Request,
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
        return [incident_out(i) for i in found if refusal(request, i) is None]

    @router.get("/incidents/{incident_id}")
    def get_incident(incident_id: str, request: Request) -> dict[str, Any]:
        return incident_out(mine(request, incident_id))

    @router.patch("/incidents/{incident_id}")
    def edit_incident(
        incident_id: str,
        body: IncidentEdit,
        request: Request,
        x_vigie_user: Annotated[str | None, Header()] = None,
    ) -> dict[str, Any]:
        actor, source = _actor(x_vigie_user, request)
        mine(request, incident_id)
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
        mine(request, incident_id)
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
    def on_call_now(request: Request) -> list[dict[str, Any]]:
        now = service.clock.now()
        return [
            schedule_out(sid, now, 1) for sid in config.schedules if serves_theirs(request, sid)
        ]

    @router.get("/oncall/schedules")
    def schedules(
        request: Request, n: Annotated[int, Query(ge=1, le=50)] = 5
    ) -> list[dict[str, Any]]:
        now = service.clock.now()
        return [
            schedule_out(sid, now, n) for sid in config.schedules if serves_theirs(request, sid)
        ]

    @router.get("/oncall/schedules/{schedule_id}/ical")
    def schedule_ical(request: Request, schedule_id: str, person: str | None = None) -> Response:
        schedule = config.schedules.get(schedule_id)
        if schedule is None:
            raise HTTPException(404, f"no schedule {schedule_id!r}")
        if not serves_theirs(request, schedule_id):
            raise HTTPException(403, f"schedule {schedule_id!r} serves none of your SAMU")
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
