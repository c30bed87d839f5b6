"""The receiver sink: a notification delivered through every integration of one receiver.

Integrations run concurrently. An integration with `send_resolved: false` gets only the firing
alerts, and nothing when none fire (as Alertmanager). Retryable failures are retried with
backoff; every attempt becomes an event row and a metric; the returned deliveries carry the
final outcome, so the pipeline knows what failed.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Sequence

from alerts.notifiers.runner import Runner, Subject
from alerts.notify import Delivery, Integration, Notification

SKIPPED = "skipped: only resolved alerts and send_resolved is false"


def only_firing(notification: Notification) -> Notification:
    """The notification without its resolved alerts."""
    return dataclasses.replace(notification, alerts=notification.firing)


def subject_of(notification: Notification, receiver: str) -> Subject:
    """How the attempt log describes a notification to a receiver."""
    samu = sorted({a.labels["samu"] for a in notification.alerts if "samu" in a.labels})
    return Subject(
        receiver=receiver,
        group_key=notification.group_key,
        status=notification.status,
        at=notification.at,
        alerts=len(notification.alerts),
        samu_ids=tuple(samu),
    )


class ReceiverSink:
    """Delivers notifications to one receiver's integrations (the `Sink` of alerts.notify)."""

    def __init__(
        self, receiver: str, integrations: Sequence[Integration], runner: Runner | None = None
    ) -> None:
        self.receiver = receiver
        self.integrations = tuple(integrations)
        self._runner = runner or Runner()

    async def deliver(self, notification: Notification) -> list[Delivery]:
        """Deliver through every integration at once; one final `Delivery` per integration."""
        return list(
            await asyncio.gather(*(self._through(i, notification) for i in self.integrations))
        )

    async def _through(self, integration: Integration, notification: Notification) -> Delivery:
        if not integration.send_resolved:
            notification = only_firing(notification)
            if not notification.alerts:
                return Delivery(integration=integration.name, ok=True, detail=SKIPPED, attempts=0)
        return await self._runner.run(
            integration.name,
            subject_of(notification, self.receiver),
            lambda: integration.send(notification),
        )
