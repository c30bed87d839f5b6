"""The incident: one per alert group while it fires, with a timeline, folded from its events."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, Literal

from alerts.oncall.events import Event

State = Literal["triggered", "acknowledged", "resolved"]


@dataclass(frozen=True)
class TimelineEntry:
    """One line of an incident's timeline: what happened, when, by or to whom."""

    at: datetime
    kind: str
    actor: str
    text: str
    ok: bool = True


@dataclass(frozen=True)
class Incident:
    """An incident as the on-call staff and the monthly report see it."""

    id: str
    group_key: str
    receiver: str
    policy: str
    title: str
    summary: str
    alertname: str  # the detection source
    severity: str
    samu: tuple[str, ...]
    component: str
    state: State
    opened_at: datetime
    acked_at: datetime | None = None
    acked_by: str = ""
    resolved_at: datetime | None = None
    resolved_by: str = ""
    first_delivery_at: datetime | None = None
    cause: str = ""
    postmortem_url: str = ""
    entraide: tuple[str, ...] = ()  # backup SAMU already informed
    alerts: tuple[dict[str, Any], ...] = ()  # labels/annotations/starts_at of the group
    timeline: tuple[TimelineEntry, ...] = ()

    @property
    def time_to_deliver(self) -> timedelta | None:
        """From opening to the first successful contact delivery (O2)."""
        return None if self.first_delivery_at is None else self.first_delivery_at - self.opened_at

    @property
    def time_to_ack(self) -> timedelta | None:
        """From opening to the (first) acknowledgement (O2)."""
        return None if self.acked_at is None else self.acked_at - self.opened_at

    @property
    def open(self) -> bool:
        """Whether the incident is not resolved."""
        return self.state != "resolved"


_FIELDS = ("group_key", "receiver", "policy", "title", "summary", "alertname", "severity")


def _described(detail: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {k: str(detail.get(k, "")) for k in _FIELDS}
    out["samu"] = tuple(detail.get("samu", ()))
    out["component"] = str(detail.get("component", ""))
    out["alerts"] = tuple(detail.get("alerts", ()))
    return out


def _text(event: Event) -> str:
    d = event.detail
    if event.kind == "opened":
        return f"déclenché : {d.get('title', '')}"
    if event.kind == "updated":
        return f"mis à jour : SAMU {', '.join(d.get('samu', ())) or '—'}"
    if event.kind == "step":
        verb = "notifié" if event.step == 0 and event.loop == 0 else "escaladé vers"
        who = ", ".join(d.get("persons", ())) or "personne"
        return f"{verb} l'étape {event.step + 1} (tour {event.loop + 1}) : {who}"
    if event.kind == "contact":
        result = "remis" if event.ok else f"échec ({d.get('detail', '')})"
        return f"{event.person} via {event.contact} : {result}"
    if event.kind == "forward":
        return f"transmis au récepteur {event.contact} : {'remis' if event.ok else 'échec'}"
    if event.kind == "entraide":
        who = ", ".join(d.get("persons", ())) or "personne d'astreinte"
        return f"entraide : {d.get('backup', '')} informé ({who}) pour {d.get('samu', '')}"
    if event.kind == "edited":
        return "modifié : " + ", ".join(sorted(d))
    labels = {"acked": "pris en compte", "unacked": "remis en alerte", "resolved": "résolu"}
    return labels.get(event.kind, event.kind)


def apply(incident: Incident | None, event: Event) -> Incident:
    """The incident after `event` (the first event must be `opened`)."""
    entry = TimelineEntry(event.at, event.kind, event.actor or event.person, _text(event), event.ok)
    if incident is None:
        if event.kind != "opened":
            raise ValueError(f"incident {event.incident_id}: first event is {event.kind}")
        described = _described(dict(event.detail))
        return Incident(
            id=event.incident_id,
            state="triggered",
            opened_at=event.at,
            timeline=(entry,),
            **described,
        )
    out = replace(incident, timeline=(*incident.timeline, entry))
    d = event.detail
    if event.kind == "updated":
        return replace(out, **_described({**_current(incident), **d}))
    if event.kind == "contact" and event.ok and incident.first_delivery_at is None:
        return replace(out, first_delivery_at=event.at)
    if event.kind == "acked":
        first = incident.acked_at or event.at
        return replace(out, state="acknowledged", acked_at=first, acked_by=event.actor)
    if event.kind == "unacked":
        return replace(out, state="triggered")
    if event.kind == "resolved":
        return replace(out, state="resolved", resolved_at=event.at, resolved_by=event.actor)
    if event.kind == "entraide":
        return replace(out, entraide=(*incident.entraide, str(d.get("samu", ""))))
    if event.kind == "edited":
        return replace(
            out,
            cause=str(d.get("cause", incident.cause)),
            postmortem_url=str(d.get("postmortem_url", incident.postmortem_url)),
        )
    return out


def _current(incident: Incident) -> dict[str, Any]:
    out: dict[str, Any] = {k: getattr(incident, k) for k in _FIELDS}
    out.update(samu=incident.samu, component=incident.component, alerts=incident.alerts)
    return out
