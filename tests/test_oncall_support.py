"""Factories shared by the on-call tests: the known-good configuration and Paris instants."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from prometheus_client import CollectorRegistry

from alerts.model import Alert
from alerts.notify import Notification, RecordingContactSender
from alerts.oncall.config import load_oncall
from alerts.oncall.model import OnCallConfig
from alerts.oncall.service import OnCallService
from store.client import Store
from store.clock import FakeClock
from store.registry import load_registry

DATA = Path(__file__).parent / "data" / "oncall"
PARIS = ZoneInfo("Europe/Paris")


def paris(text: str) -> datetime:
    """A Europe/Paris wall-clock time (`2024-03-31 08:00`) as a UTC instant."""
    return datetime.fromisoformat(text).replace(tzinfo=PARIS).astimezone(UTC)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def good_config() -> OnCallConfig:
    return load_oncall(DATA / "oncall.yaml", load_registry())


# --- service factories ------------------------------------------------------------------------


T = TypeVar("T")
SECRET = b"test-secret-not-for-production"
REGISTRY = load_registry()


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


def service(
    store: Store,
    clock: FakeClock,
    sender: RecordingContactSender | None = None,
    metrics: CollectorRegistry | None = None,
    **kwargs: Any,
) -> OnCallService:
    return OnCallService(
        store,
        clock,
        good_config(),
        sender if sender is not None else RecordingContactSender(),
        registry=REGISTRY,
        link_secret=SECRET,
        external_url="https://vigie.example",
        metrics=metrics,
        **kwargs,
    )


def notification(
    at: datetime,
    group_key: str = '{}:{alertname="SLOBurnRate"}',
    samu: tuple[str, ...] = ("fr.health.samu075",),
    severity: str = "page",
    resolved: bool = False,
) -> Notification:
    alerts = tuple(
        Alert(
            labels={
                "alertname": "SLOBurnRate",
                "severity": severity,
                "samu": s,
                "component": "sip-trunk",
                "slo": "S1",
            },
            starts_at=at - timedelta(minutes=1),
            ends_at=at if resolved else None,
            annotations={"summary": "Échecs d'établissement d'appel", "description": "burn 14.4"},
        )
        for s in samu
    )
    return Notification("oncall-noc", group_key, {"alertname": "SLOBurnRate"}, alerts, at)


def sent(sender: RecordingContactSender) -> list[tuple[str, str, datetime]]:
    """(person, contact method, time) of every page sent (entraide messages left out)."""
    return [(c.person_id, c.name, m.at) for c, m in sender.sent if m.kind == "page"]
