"""Forwarding to another Alertmanager: the group's alerts POSTed to its `/api/v2/alerts`.

Every URL of an HA pair receives the alerts (Alertmanager peers dedupe); the delivery succeeds
when any of them accepts. Start and end times are preserved, so a resolution sent here (an end
in the past) resolves the alert there too. A firing alert without an end is sent without one:
the other Alertmanager then applies its own `resolve_timeout`.
"""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Any

from alerts.model import Alert
from alerts.notifiers.retry import DeliveryFailed, failed
from alerts.notifiers.transport import HttpOptions, post_json
from alerts.notifiers.webhook import go_time
from alerts.notify import Delivery, Notification

API_PATH = "/api/v2/alerts"


def alerts_url(base: str) -> str:
    """The alerts endpoint of an Alertmanager given by its base URL (or the endpoint itself)."""
    base = base.rstrip("/")
    return base if base.endswith(API_PATH) else base + API_PATH


def postable_alert(alert: Alert) -> dict[str, Any]:
    """One alert as Alertmanager's API v2 `postableAlert`."""
    body: dict[str, Any] = {
        "labels": dict(alert.labels),
        "annotations": dict(alert.annotations),
        "startsAt": go_time(alert.starts_at),
    }
    if alert.ends_at is not None:
        body["endsAt"] = go_time(alert.ends_at)
    if alert.generator_url:
        body["generatorURL"] = alert.generator_url
    return body


@dataclasses.dataclass
class AlertmanagerForward:
    """Forwards each notification's alerts to the Alertmanager(s) of one `alertmanager_configs`."""

    name: str
    urls: tuple[str, ...]
    options: HttpOptions
    send_resolved: bool = True

    async def send(self, notification: Notification) -> Delivery:
        """POST to every URL at once; ok when at least one accepted."""
        body = [postable_alert(a) for a in notification.alerts]
        results = await asyncio.gather(
            *(post_json(alerts_url(url), body, self.options) for url in self.urls),
            return_exceptions=True,
        )
        accepted = [r for r in results if isinstance(r, str)]
        problems = [r for r in results if isinstance(r, DeliveryFailed)]
        for other in results:
            if isinstance(other, BaseException) and not isinstance(other, DeliveryFailed):
                raise other
        if accepted:
            detail = f"{len(accepted)}/{len(self.urls)} Alertmanager(s) accepted"
            if problems:
                detail += f"; {problems[0].detail}"
            return Delivery(integration=self.name, ok=True, detail=detail)
        retryable = any(p.retryable for p in problems)
        details = "; ".join(p.detail for p in problems)
        return failed(self.name, DeliveryFailed(f"no Alertmanager accepted: {details}", retryable))
