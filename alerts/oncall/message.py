"""What an incident is about, read from an alert group's labels and annotations."""

from __future__ import annotations

from typing import Any

from alerts.notify import Notification


def _one(values: list[str]) -> str:
    unique = sorted({v for v in values if v})
    return ", ".join(unique)


def describe(notification: Notification, policy: str) -> dict[str, Any]:
    """The incident fields for a firing group: SAMU, component, severity, title, summary."""
    alerts = notification.firing or notification.alerts
    labels = [a.labels for a in alerts]
    common = notification.common_annotations
    alertname = _one([x.get("alertname", "") for x in labels])
    severities = {x.get("severity", "") for x in labels}
    samu = sorted({x["samu"] for x in labels if x.get("samu")})
    title = common.get("summary") or f"{alertname or 'alerte'} — {', '.join(samu) or 'national'}"
    return {
        "group_key": notification.group_key,
        "receiver": notification.receiver,
        "policy": policy,
        "title": title,
        "summary": common.get("description", ""),
        "alertname": alertname,
        "severity": "page" if "page" in severities else _one(list(severities)),
        "samu": samu,
        "component": _one([x.get("component", "") for x in labels]),
        "alerts": [
            {
                "labels": dict(a.labels),
                "annotations": dict(a.annotations),
                "starts_at": a.starts_at.isoformat(),
            }
            for a in alerts
        ],
    }
