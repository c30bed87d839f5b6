"""What a message says about a notification: the template context, built from labels only.

Values come from the alerts' labels and annotations and from the SAMU registry (name, time
zone); nothing else reaches a message. Times show in Europe/Paris, plus the SAMU's local time
for overseas SAMU.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from alerts.model import Alert, fingerprint_hex
from alerts.notify import Notification
from store.registry import METROPOLITAN_ZONE, Registry

PARIS = ZoneInfo(METROPOLITAN_ZONE)
_FORMATS = {"fr": "%d/%m/%Y %H:%M", "en": "%Y-%m-%d %H:%M"}


def number(value: str, lang: str, digits: int = 1) -> str:
    """A decimal number in the language's style ("14.4" → "14,4" in French); text stays as is."""
    try:
        parsed = float(value)
    except ValueError:
        return value
    text = f"{parsed:.{digits}f}"
    return text.replace(".", ",") if lang == "fr" else text


def budget(value: str, lang: str) -> str:
    """The budget left, as a percentage: "0.42" → "42 %" (fr) or "42%" (en); "42%" unchanged."""
    if not value or value.endswith("%"):
        return value
    try:
        fraction = float(value)
    except ValueError:
        return value
    shown = number(str(fraction * 100), lang, 0 if abs(fraction) >= 0.1 else 1)
    return f"{shown}\u202f%" if lang == "fr" else f"{shown}%"


def local_time(at: datetime, zone: ZoneInfo, lang: str) -> str:
    """An instant in a zone, in the language's date style."""
    return at.astimezone(zone).strftime(_FORMATS.get(lang, _FORMATS["fr"]))


def dashboard_url(alert: Alert, external_url: str) -> str:
    """The `dashboard_url` annotation, or the SAMU's page under the external URL."""
    if alert.annotations.get("dashboard_url"):
        return alert.annotations["dashboard_url"]
    base = external_url.rstrip("/")
    samu = alert.labels.get("samu", "")
    if base and samu:
        return f"{base}/samu/{samu}"
    return base


def alert_context(
    alert: Alert, at: datetime, registry: Registry | None, external_url: str, lang: str
) -> dict[str, Any]:
    """The template view of one alert."""
    labels, notes = alert.labels, alert.annotations
    samu = registry.get(labels.get("samu", "")) if registry is not None else None
    zone = samu.zone if samu is not None else PARIS
    overseas = zone.key != METROPOLITAN_ZONE

    def when(instant: datetime | None) -> dict[str, str]:
        if instant is None:
            return {"paris": "", "local": ""}
        local = local_time(instant, zone, lang) if overseas else ""
        return {"paris": local_time(instant, PARIS, lang), "local": local}

    resolved = alert.resolved_at(at)
    return {
        "status": "resolved" if resolved else "firing",
        "labels": dict(labels),
        "annotations": dict(notes),
        "alertname": labels.get("alertname", ""),
        "severity": labels.get("severity", ""),
        "samu_id": labels.get("samu", ""),
        "samu_name": samu.name if samu is not None else labels.get("samu", ""),
        "samu_zone": zone.key if overseas else "",
        "slo": labels.get("slo", ""),
        "component": labels.get("component", ""),
        "window": labels.get("window", ""),
        "summary": notes.get("summary", ""),
        "description": notes.get("description", ""),
        "burn_rate": number(notes.get("burn_rate", ""), lang),
        "budget_remaining": budget(notes.get("budget_remaining", ""), lang),
        "runbook_url": notes.get("runbook_url", ""),
        "dashboard_url": dashboard_url(alert, external_url),
        "ack_url": notes.get("ack_url", ""),
        "starts": when(alert.starts_at),
        "ends": when(alert.ends_at if resolved else None),
        "fingerprint": fingerprint_hex(labels),
    }


def message_context(
    notification: Notification,
    registry: Registry | None = None,
    lang: str = "fr",
    ack_url: str = "",
) -> dict[str, Any]:
    """The context every template receives for one notification."""
    alerts = [
        alert_context(a, notification.at, registry, notification.external_url, lang)
        for a in notification.alerts
    ]
    common: Mapping[str, str] = notification.common_annotations
    names = list(dict.fromkeys(a["samu_name"] for a in alerts if a["samu_name"]))
    firing = [a for a in alerts if a["status"] == "firing"]
    return {
        "lang": lang,
        "receiver": notification.receiver,
        "status": notification.status,
        "group_key": notification.group_key,
        "group_labels": dict(notification.group_labels),
        "common_labels": notification.common_labels,
        "common_annotations": dict(common),
        "external_url": notification.external_url,
        "truncated_alerts": notification.truncated_alerts,
        "alerts": alerts,
        "firing": firing,
        "resolved": [a for a in alerts if a["status"] == "resolved"],
        "samu_names": names,
        "first": (firing or alerts or [{}])[0],  # the alert that names the message
        "ack_url": ack_url or common.get("ack_url", ""),
        "sent_at": local_time(notification.at, PARIS, lang),
    }
