"""Runs what is due for one incident: escalation steps, contact attempts, entraide messages.

Each action is recorded as an event *as it happens*, so a restart continues from the last
recorded step and contact instead of paging again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from alerts.model import Alert
from alerts.notify import ContactMethod, ContactSender, Delivery, Notification, PersonMessage
from alerts.oncall.escalation import ContactDue, EscalationState, due_contacts, next_step
from alerts.oncall.events import Event, EventKind
from alerts.oncall.incidents import Incident
from alerts.oncall.metrics import OnCallMetrics
from alerts.oncall.model import OnCallConfig, Step
from alerts.oncall.schedule import on_call_ids
from store.registry import Registry


class ReceiverForwarder(Protocol):
    """Sends an incident's alert group to another receiver (an escalation step's target)."""

    async def forward(self, receiver: str, notification: Notification) -> list[Delivery]: ...


@dataclass
class Live:
    """An open incident held in memory: its folded state and its next event number."""

    incident: Incident
    escalation: EscalationState
    seq: int


class Record(Protocol):
    def __call__(self, live: Live, kind: EventKind, at: datetime, **fields: Any) -> Event: ...


LinkMaker = Callable[[str, str, str], str]  # (incident id, action, person) → URL


def notification_of(incident: Incident, receiver: str, at: datetime) -> Notification:
    """The incident's alert group as a notification, for forwarding to another receiver."""
    alerts = tuple(
        Alert(
            labels=a.get("labels", {}),
            annotations=a.get("annotations", {}),
            starts_at=datetime.fromisoformat(a["starts_at"]),
        )
        for a in incident.alerts
    )
    labels = {"alertname": incident.alertname} if incident.alertname else {}
    return Notification(receiver, incident.group_key, labels, alerts, at)


class Pager:
    """Executes due escalation work for incidents, through the contact sender."""

    def __init__(
        self,
        config: OnCallConfig,
        sender: ContactSender,
        links: LinkMaker,
        metrics: OnCallMetrics,
        record: Record,
        forwarder: ReceiverForwarder | None = None,
    ) -> None:
        self.config = config
        self._sender = sender
        self._links = links
        self._metrics = metrics
        self._record = record
        self._forwarder = forwarder

    def _targets(self, step: Step, now: datetime) -> tuple[list[str], list[str]]:
        persons: list[str] = []
        receivers: list[str] = []
        for target in step.targets:
            if target.kind == "receiver":
                receivers.append(target.name)
                continue
            ids: tuple[str, ...] = (target.name,)
            if target.kind == "schedule":
                ids = on_call_ids(self.config, self.config.schedules[target.name], now)
            persons.extend(i for i in ids if i not in persons)
        return persons, receivers

    async def run(self, live: Live, now: datetime) -> None:
        """Run every step and contact attempt due at `now` for one incident."""
        policy = self.config.policies.get(live.incident.policy)
        while policy is not None and (due := next_step(policy, live.escalation, now)):
            persons, receivers = self._targets(policy.steps[due.step], now)
            detail = {"persons": persons, "receivers": receivers, "due": due.due.isoformat()}
            self._record(
                live,
                "step",
                now,
                step=due.step,
                loop=due.loop,
                epoch=live.escalation.epoch,
                detail=detail,
            )
            self._metrics.steps.inc()
            for receiver in receivers:
                await self._forward(live, receiver, now)
        for contact in due_contacts(live.escalation, self.config.people, now):
            if not live.escalation.active:
                break  # acknowledged or resolved while we were sending
            await self._contact(live, contact, now)

    async def _forward(self, live: Live, receiver: str, now: datetime) -> None:
        if self._forwarder is None:
            deliveries = [Delivery(receiver, ok=False, detail="no receiver forwarder configured")]
        else:
            notification = notification_of(live.incident, receiver, now)
            deliveries = await self._forwarder.forward(receiver, notification)
        ok = bool(deliveries) and all(d.ok for d in deliveries)
        detail = {"detail": "; ".join(d.detail for d in deliveries if d.detail)}
        self._record(live, "forward", now, contact=receiver, ok=ok, detail=detail)

    def message(
        self, incident: Incident, person_id: str, kind: str, now: datetime
    ) -> PersonMessage:
        """The message telling a person about an incident, with their signed links."""
        person = self.config.people[person_id]
        return PersonMessage(
            kind=kind,  # type: ignore[arg-type]
            incident_id=incident.id,
            title=incident.title,
            summary=incident.summary,
            severity=incident.severity,
            samu=incident.samu,
            person_id=person.id,
            person_name=person.name,
            at=now,
            ack_url=self._links(incident.id, "ack", person.id) if kind == "page" else "",
            resolve_url=self._links(incident.id, "resolve", person.id) if kind == "page" else "",
            component=incident.component,
        )

    async def _send(self, method: ContactMethod, message: PersonMessage) -> Delivery:
        try:
            delivery = await self._sender.send(method, message)
        except Exception as exc:  # a broken sender must not stop the escalation of others
            delivery = Delivery(f"{method.kind}:{method.name}", ok=False, detail=repr(exc))
        self._metrics.attempts.labels(method.kind, "ok" if delivery.ok else "failed").inc()
        return delivery

    async def _contact(self, live: Live, due: ContactDue, now: datetime) -> None:
        person = self.config.people[due.person]
        rule = person.rules()[due.rule]
        method = person.method(rule.contact)
        detail: dict[str, Any] = {"page": due.page_key, "rule": due.rule}
        if method is None:  # only for hand-built configs: the loader checks rule names
            self._record(live, "contact", now, person=person.id, ok=False, detail=detail)
            return
        delivery = await self._send(method, self.message(live.incident, person.id, "page", now))
        first = live.incident.first_delivery_at is None and delivery.ok
        detail.update(kind=method.kind, detail=delivery.detail)
        self._record(
            live,
            "contact",
            now,
            person=person.id,
            contact=method.name,
            ok=delivery.ok,
            epoch=live.escalation.epoch,
            detail=detail,
        )
        if first:
            self._metrics.delivery.observe((now - live.incident.opened_at).total_seconds())

    async def entraide(self, live: Live, now: datetime, registry: Registry | None) -> None:
        """Inform the on-call of each paging SAMU's backup once: expect overflow calls."""
        if live.incident.severity != "page" or registry is None:
            return
        for samu_id in live.incident.samu:
            samu = registry.get(samu_id)
            if samu is None or samu_id in live.incident.entraide:
                continue
            backup = registry.backup_of(samu_id)
            schedule_id = self.config.entraide.schedule_for(backup.id, backup.region)
            schedule = self.config.schedules.get(schedule_id)
            persons = on_call_ids(self.config, schedule, now) if schedule else ()
            deliveries = []
            for person_id in persons:
                person = self.config.people[person_id]
                for rule in person.rules():
                    method = person.method(rule.contact)
                    if rule.delay or method is None:
                        continue  # an information, not a page: immediate methods only
                    message = self.message(live.incident, person_id, "entraide", now)
                    delivery = await self._send(method, message)
                    deliveries.append(
                        {"person": person_id, "contact": method.name, "ok": delivery.ok}
                    )
            detail = {
                "samu": samu_id,
                "backup": backup.id,
                "schedule": schedule_id,
                "persons": list(persons),
                "deliveries": deliveries,
            }
            ok = all(d["ok"] for d in deliveries) and bool(deliveries)
            self._record(live, "entraide", now, ok=ok, detail=detail)
