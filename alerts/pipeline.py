"""The notification pipeline of one flushed group, in Alertmanager's stage order.

1. Time mute: inside the route's mute intervals (or outside its active ones) nothing is sent and
   the group keeps its alerts, so the resolved ones go out once the interval is over.
2. Mute (inhibition, silences, maintenance, through one `Muter`): muted firing alerts are dropped,
   but a resolved alert that had been notified as firing is kept even if muted now, so that
   external tickets close (Alertmanager drops it).
3. Dedup against the notification log (`needs_update`, repeat_interval).
4. `Sink.deliver`, then the notification log, an event and the metrics.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from alerts.dispatch import Flush
from alerts.events import EventLog
from alerts.model import fingerprint_hex
from alerts.mute import Muter
from alerts.nflog import NotificationLog, needs_update
from alerts.notify import Delivery, Notification, Sink
from alerts.selfmetrics import AlertingMetrics


@dataclass(frozen=True)
class Outcome:
    """What the pipeline did with a flush; `done` lets the group drop the resolved alerts sent."""

    done: bool
    notification: Notification | None = None
    deliveries: tuple[Delivery, ...] = ()
    reason: str = ""  # why nothing was sent: "time-muted", "all muted", "up to date"


@dataclass
class Pipeline:
    """Runs flushed groups through time mute, mute, dedup and the sink."""

    sink: Sink
    nflog: NotificationLog
    events: EventLog
    metrics: AlertingMetrics
    external_url: str = ""
    # Fingerprints whose first delivery was measured (vigie_alert_delivery_seconds).
    _measured: set[int] = field(default_factory=set)

    async def process(
        self, flush: Flush, muter: Muter, time_muter: Muter, send_resolved: bool
    ) -> Outcome:
        """Notify the group's receiver if needed; never raises for a failing sink."""
        at, receiver = flush.at, flush.receiver
        if time_muter.mutes(flush.group_labels, at):
            return Outcome(done=False, reason="time-muted")
        entry = self.nflog.get(flush.group_key, receiver)
        told_firing = entry.firing if entry is not None else frozenset()
        kept = [
            s
            for s in flush.alerts
            if not muter.mutes(s.alert.labels, at)
            or (s.alert.resolved_at(at) and s.fingerprint in told_firing)
        ]
        if not kept:
            return Outcome(done=True, reason="all muted")
        firing = {s.fingerprint for s in kept if not s.alert.resolved_at(at)}
        resolved = {s.fingerprint for s in kept if s.alert.resolved_at(at)}
        repeat = flush.route.opts.repeat_interval
        if not needs_update(entry, firing, resolved, send_resolved, repeat, at):
            return Outcome(done=True, reason="up to date")
        notification = Notification(
            receiver=receiver,
            group_key=flush.group_key,
            group_labels=dict(flush.group_labels),
            alerts=tuple(s.alert for s in kept),
            at=at,
            external_url=self.external_url,
        )
        deliveries = await self._deliver(notification)
        ok = all(d.ok for d in deliveries)
        # Store writes run on a worker thread: the event loop also serves OTLP intake.
        if ok:
            await asyncio.to_thread(self.nflog.log, flush.group_key, receiver, firing, resolved)
            self._measure(notification, at)
        self.metrics.notifications.labels(receiver, "success" if ok else "failure").inc()
        await asyncio.to_thread(
            self.events.record,
            "notification",
            target=flush.group_key,
            receiver=receiver,
            labels=flush.group_labels,
            details=_summary(notification, deliveries, ok),
        )
        return Outcome(done=ok, notification=notification, deliveries=tuple(deliveries))

    async def _deliver(self, notification: Notification) -> list[Delivery]:
        try:
            return list(await self.sink.deliver(notification))
        except Exception as exc:  # a sink bug must not stop the pipeline: it is a failed delivery
            return [Delivery(integration="sink", ok=False, detail=f"{type(exc).__name__}: {exc}")]

    def _measure(self, notification: Notification, at: datetime) -> None:
        for alert in notification.firing:
            if alert.fingerprint not in self._measured:
                self._measured.add(alert.fingerprint)
                seconds = max(0.0, (at - alert.starts_at).total_seconds())
                self.metrics.delivery_seconds.observe(seconds)
        for alert in notification.resolved:
            self._measured.discard(alert.fingerprint)


def _summary(
    notification: Notification, deliveries: list[Delivery], ok: bool
) -> Mapping[str, object]:
    return {
        "result": "success" if ok else "failure",
        "status": notification.status,
        "firing": sorted(fingerprint_hex(a.labels) for a in notification.firing),
        "resolved": sorted(fingerprint_hex(a.labels) for a in notification.resolved),
        "deliveries": [
            {"integration": d.integration, "ok": d.ok, "attempts": d.attempts, "detail": d.detail}
            for d in deliveries
        ],
    }
