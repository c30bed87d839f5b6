"""What the dispatcher hands to receivers: a notification for one alert group, and the result.

The contract between the pipeline (dispatch, mute, notification log), the integrations
(webhook, e-mail, SMS gateway, Alertmanager forwarding) and on-call escalation.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, Protocol

from alerts.model import Alert

Status = Literal["firing", "resolved"]


@dataclass(frozen=True)
class Notification:
    """One flush of one aggregation group to one receiver (Alertmanager's webhook payload)."""

    receiver: str
    group_key: str
    group_labels: Mapping[str, str]
    alerts: tuple[Alert, ...]  # firing and resolved, as of `at`
    at: datetime
    external_url: str = ""
    truncated_alerts: int = 0

    @property
    def firing(self) -> tuple[Alert, ...]:
        return tuple(a for a in self.alerts if not a.resolved_at(self.at))

    @property
    def resolved(self) -> tuple[Alert, ...]:
        return tuple(a for a in self.alerts if a.resolved_at(self.at))

    @property
    def status(self) -> Status:
        return "firing" if self.firing else "resolved"

    @property
    def common_labels(self) -> dict[str, str]:
        return _common([a.labels for a in self.alerts])

    @property
    def common_annotations(self) -> dict[str, str]:
        return _common([a.annotations for a in self.alerts])


def _common(sets: Sequence[Mapping[str, str]]) -> dict[str, str]:
    if not sets:
        return {}
    first = dict(sets[0])
    return {k: v for k, v in first.items() if all(s.get(k) == v for s in sets[1:])}


@dataclass(frozen=True)
class Delivery:
    """What one integration did with a notification."""

    integration: str  # e.g. "webhook[0]", "email[1]"
    ok: bool
    retryable: bool = False
    detail: str = ""
    attempts: int = 1


class Integration(Protocol):
    """One configured way to reach a receiver (one entry of *_configs)."""

    name: str
    send_resolved: bool

    async def send(self, notification: Notification) -> Delivery: ...


class Sink(Protocol):
    """Where flushed groups go: the receiver's integrations and/or on-call escalation."""

    async def deliver(self, notification: Notification) -> list[Delivery]: ...


@dataclass
class RecordingSink:
    """A sink that remembers what it was given (tests, dry runs)."""

    notifications: list[Notification] = field(default_factory=list)

    async def deliver(self, notification: Notification) -> list[Delivery]:
        self.notifications.append(notification)
        return [Delivery(integration="recording", ok=True)]


# --- On-call: messages to one person through one contact method (alerts.oncall) ---------------

ContactKind = Literal["email", "sms", "voice", "webhook"]
MessageKind = Literal["page", "entraide", "resolved"]


@dataclass(frozen=True)
class ContactMethod:
    """One way to reach a person: e-mail, SMS or voice call (E.164 number), or a webhook URL."""

    person_id: str
    name: str  # e.g. "mobile"; notification rules refer to it
    kind: ContactKind
    address: str


@dataclass(frozen=True)
class PersonMessage:
    """What an on-call person is told: the incident, where it hurts, and signed action links."""

    kind: MessageKind
    incident_id: str
    title: str
    summary: str
    severity: str
    samu: tuple[str, ...]
    person_id: str
    person_name: str
    at: datetime
    ack_url: str = ""
    resolve_url: str = ""
    component: str = ""
    dashboard_url: str = ""


class ContactSender(Protocol):
    """Delivers a message to a person through one contact method (SMTP, SMS, voice, webhook)."""

    async def send(self, contact: ContactMethod, message: PersonMessage) -> Delivery: ...


@dataclass
class RecordingContactSender:
    """A contact sender that remembers what it was given; `fail` lists kinds that fail."""

    sent: list[tuple[ContactMethod, PersonMessage]] = field(default_factory=list)
    fail: set[str] = field(default_factory=set)

    async def send(self, contact: ContactMethod, message: PersonMessage) -> Delivery:
        self.sent.append((contact, message))
        ok = contact.kind not in self.fail
        return Delivery(integration=f"{contact.kind}:{contact.name}", ok=ok, retryable=not ok)
