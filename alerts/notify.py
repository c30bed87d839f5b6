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
