"""The webhook notifier: Alertmanager's webhook JSON body (version 4), POSTed to a URL."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any

from alerts.model import Alert, fingerprint_hex
from alerts.notifiers.retry import DeliveryFailed, failed
from alerts.notifiers.transport import HttpOptions, post_json
from alerts.notify import Delivery, Notification

GO_ZERO_TIME = "0001-01-01T00:00:00Z"  # Go's zero time.Time, as Alertmanager prints an unset end


def go_time(at: datetime | None) -> str:
    """An instant as Go's RFC 3339 (nanosecond, trailing zeros trimmed) JSON form, in UTC."""
    if at is None:
        return GO_ZERO_TIME
    at = at.astimezone(UTC)
    text = at.strftime("%Y-%m-%dT%H:%M:%S")
    if at.microsecond:
        text += "." + f"{at.microsecond:06d}".rstrip("0")
    return text + "Z"


def truncate(notification: Notification, max_alerts: int) -> Notification:
    """Keep the first `max_alerts` alerts (0 = all), counting the rest as truncated."""
    if not max_alerts or len(notification.alerts) <= max_alerts:
        return notification
    dropped = len(notification.alerts) - max_alerts
    return dataclasses.replace(
        notification,
        alerts=notification.alerts[:max_alerts],
        truncated_alerts=notification.truncated_alerts + dropped,
    )


def alert_json(alert: Alert, at: datetime) -> dict[str, Any]:
    """One alert of the webhook body."""
    return {
        "status": "resolved" if alert.resolved_at(at) else "firing",
        "labels": dict(alert.labels),
        "annotations": dict(alert.annotations),
        "startsAt": go_time(alert.starts_at),
        "endsAt": go_time(alert.ends_at),
        "generatorURL": alert.generator_url,
        "fingerprint": fingerprint_hex(alert.labels),
    }


def webhook_body(notification: Notification, max_alerts: int = 0) -> dict[str, Any]:
    """The body Alertmanager's webhook notifier sends, for one notification."""
    kept = truncate(notification, max_alerts)
    return {
        "receiver": kept.receiver,
        "status": kept.status,
        "alerts": [alert_json(a, kept.at) for a in kept.alerts],
        "groupLabels": dict(kept.group_labels),
        "commonLabels": kept.common_labels,
        "commonAnnotations": kept.common_annotations,
        "externalURL": kept.external_url,
        "version": "4",
        "groupKey": kept.group_key,
        "truncatedAlerts": kept.truncated_alerts,
    }


@dataclasses.dataclass
class WebhookIntegration:
    """POSTs Alertmanager's webhook body to one URL."""

    name: str
    url: str
    options: HttpOptions
    send_resolved: bool = True
    max_alerts: int = 0

    async def send(self, notification: Notification) -> Delivery:
        """Deliver once; a failed delivery says whether it is worth retrying."""
        body = webhook_body(notification, self.max_alerts)
        try:
            detail = await post_json(self.url, body, self.options)
        except DeliveryFailed as exc:
            return failed(self.name, exc)
        return Delivery(integration=self.name, ok=True, detail=detail)
