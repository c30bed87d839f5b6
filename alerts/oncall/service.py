"""The on-call service: incidents from alert groups, escalation on a clock, ack/resolve/unack.

State lives in ClickHouse as appended events; open incidents are folded in memory and
reloaded by `load()` after a restart, which continues escalations without paging again.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from prometheus_client import CollectorRegistry

from alerts.notify import ContactSender, Notification
from alerts.oncall import escalation, incidents, links
from alerts.oncall.errors import IncidentNotFound, InvalidTransition
from alerts.oncall.eventlog import EventLog
from alerts.oncall.events import Event, EventKind
from alerts.oncall.incidents import Incident
from alerts.oncall.message import describe
from alerts.oncall.metrics import OnCallMetrics
from alerts.oncall.model import OnCallConfig
from alerts.oncall.pager import Live, Pager, ReceiverForwarder
from store.audit import AuditLog
from store.client import Store
from store.clock import Clock
from store.registry import Registry

_ALLOWED = {
    "ack": ("triggered",),
    "unack": ("acknowledged",),
    "resolve": ("triggered", "acknowledged"),
}
_KIND: Mapping[str, EventKind] = {"ack": "acked", "unack": "unacked", "resolve": "resolved"}


class OnCallService:
    """Incidents, escalation and acknowledgement for one on-call configuration."""

    def __init__(
        self,
        store: Store,
        clock: Clock,
        config: OnCallConfig,
        sender: ContactSender,
        *,
        audit: AuditLog | None = None,
        registry: Registry | None = None,
        link_secret: bytes = b"",
        external_url: str = "http://localhost:8000",
        link_ttl: timedelta = timedelta(hours=24),
        forwarder: ReceiverForwarder | None = None,
        metrics: CollectorRegistry | None = None,
    ) -> None:
        self.config = config
        self.clock = clock
        self.registry = registry
        self.link_secret = link_secret
        self._log = EventLog(store)
        self._audit = audit or AuditLog(store, clock)
        self._external_url = external_url.rstrip("/")
        self._link_ttl = link_ttl
        self.metrics = OnCallMetrics(metrics or CollectorRegistry())
        self._pager = Pager(config, sender, self.link, self.metrics, self._record, forwarder)
        self._open: dict[str, Live] = {}
        self._by_group: dict[str, str] = {}

    # --- state -------------------------------------------------------------------------------

    def _record(self, live: Live, kind: EventKind, at: datetime, **fields: Any) -> Event:
        event = Event(live.incident.id, live.seq, at, kind, **fields)
        self._log.append([event])
        live.seq += 1
        live.incident = incidents.apply(live.incident, event)
        live.escalation = escalation.apply(live.escalation, event)
        if not live.incident.open:
            self._open.pop(live.incident.id, None)
            self._by_group.pop(live.incident.group_key, None)
        return event

    def _fold(self, events: list[Event]) -> Live:
        incident: Incident | None = None
        state = escalation.EscalationState()
        for event in events:
            incident = incidents.apply(incident, event)
            state = escalation.apply(state, event)
        assert incident is not None
        return Live(incident, state, len(events))

    def load(self) -> int:
        """Reload every open incident from the store (after a restart); returns how many."""
        self._open.clear()
        self._by_group.clear()
        for incident_id, events in self._log.events(self._log.open_ids()).items():
            if events and events[0].kind == "opened":
                live = self._fold(events)
                self._open[incident_id] = live
                self._by_group[live.incident.group_key] = incident_id
        return len(self._open)

    # --- alert groups --------------------------------------------------------------------------

    async def handle(self, notification: Notification, policy: str) -> Incident | None:
        """Open, update or resolve the incident of an alert group; page at once when opened."""
        now = self.clock.now()
        incident_id = self._by_group.get(notification.group_key)
        live = self._open.get(incident_id) if incident_id else None
        if notification.status == "resolved":
            if live is not None:
                self._record(live, "resolved", now, actor="alertmanager", source="alerts")
                return live.incident
            return None
        detail = describe(notification, policy)
        if live is None:
            new = Event(f"inc-{uuid.uuid4().hex[:12]}", 0, now, "opened", detail=detail)
            self._log.append([new])
            live = Live(
                incidents.apply(None, new), escalation.apply(escalation.EscalationState(), new), 1
            )
            self._open[new.incident_id] = live
            self._by_group[notification.group_key] = new.incident_id
        elif _changed(live.incident, detail):
            self._record(live, "updated", now, detail=detail)
        await self._pager.entraide(live, now, self.registry)
        await self._pager.run(live, now)
        return live.incident

    async def tick(self, now: datetime | None = None) -> None:
        """Run every escalation step and contact attempt due at `now` (default: the clock)."""
        at = now or self.clock.now()
        for live in list(self._open.values()):
            await self._pager.run(live, at)

    def next_wakeup(self) -> datetime | None:
        """When `tick` next has something to do (None when nothing is pending)."""
        times = [
            escalation.next_wakeup(
                self.config.policies[x.incident.policy], x.escalation, self.config.people
            )
            for x in self._open.values()
            if x.incident.policy in self.config.policies
        ]
        return min((t for t in times if t is not None), default=None)

    # --- people acting -------------------------------------------------------------------------

    async def act(self, incident_id: str, action: str, actor: str, source: str) -> Incident:
        """Acknowledge, unacknowledge or resolve an open incident, audited."""
        live = self._open.get(incident_id)
        current = live.incident if live else self.get(incident_id)
        if action not in _ALLOWED:
            raise InvalidTransition(f"unknown action {action!r}")
        if live is None or current.state not in _ALLOWED[action]:
            raise InvalidTransition(f"cannot {action} incident {incident_id} ({current.state})")
        now = self.clock.now()
        self._record(live, _KIND[action], now, actor=actor, source=source)
        self._audit.record(actor, f"incident.{action}", incident_id, source)
        if action == "ack" and live.incident.acked_at == now:
            self.metrics.ack.observe((now - live.incident.opened_at).total_seconds())
        if action == "unack":
            await self._pager.run(live, now)
        return live.incident

    def edit(self, incident_id: str, actor: str, source: str, **changes: str | None) -> Incident:
        """Change the cause or the post-mortem link of an incident (open or resolved)."""
        fields = {k: v for k, v in changes.items() if v is not None}
        if set(fields) - {"cause", "postmortem_url"}:
            raise InvalidTransition(
                f"cannot edit {sorted(set(fields) - {'cause', 'postmortem_url'})}"
            )
        live = self._open.get(incident_id)
        if live is None:
            events = self._log.events([incident_id])[incident_id]
            if not events:
                raise IncidentNotFound(f"no incident {incident_id!r}")
            live = self._fold(events)
        self._record(live, "edited", self.clock.now(), actor=actor, source=source, detail=fields)
        self._audit.record(actor, "incident.edit", incident_id, source, fields)
        return live.incident

    # --- reading --------------------------------------------------------------------------------

    def get(self, incident_id: str) -> Incident:
        """One incident, open or resolved."""
        if incident_id in self._open:
            return self._open[incident_id].incident
        events = self._log.events([incident_id])[incident_id]
        if not events:
            raise IncidentNotFound(f"no incident {incident_id!r}")
        return self._fold(events).incident

    def incidents_between(self, start: datetime, end: datetime, state: str = "") -> list[Incident]:
        """Incidents open at some time in [start, end), by opening time (the monthly report)."""
        found = self._log.events(self._log.ids_between(start, end, state))
        out = [self._fold(events).incident for events in found.values() if events]
        return sorted(out, key=lambda i: i.opened_at)

    def open_incidents(self) -> list[Incident]:
        """Incidents not resolved, oldest first."""
        return sorted((x.incident for x in self._open.values()), key=lambda i: i.opened_at)

    def link(self, incident_id: str, action: str, person: str) -> str:
        """The signed URL that lets `person` do `action` on an incident from a message."""
        if not self.link_secret:
            return ""
        claims = links.LinkClaims(incident_id, action, person, self.clock.now() + self._link_ttl)  # type: ignore[arg-type]
        return f"{self._external_url}/api/v1/ack/{links.sign(self.link_secret, claims)}"


def _changed(incident: Incident, detail: Mapping[str, Any]) -> bool:
    return (
        tuple(detail["samu"]) != incident.samu
        or detail["severity"] != incident.severity
        or detail["title"] != incident.title
        or detail["component"] != incident.component
    )
