"""The sink and the escalation forwarder deliver with the configuration in force: the one they
were built with, then each one the alerting service reloads (its `on_reload` hooks)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from alerts.config import load_config
from alerts.model import Alert
from alerts.notifiers.registry import NotifierContext
from alerts.notifiers.retry import FakeSleeper
from alerts.notifiers.runner import Runner
from alerts.notify import Notification
from alerts.receivers import ConfigSink, ReceiverForwarder
from alerts.service import AlertingService
from store.client import Store
from store.clock import FakeClock

DATA = Path(__file__).parent / "data" / "alerting"
NOW = datetime(2026, 3, 10, 10, 0, tzinfo=UTC)
LABELS = {"alertname": "CallSetupFailing", "samu": "fr.health.samu075", "severity": "page"}


def _notification(receiver: str) -> Notification:
    alert = Alert(LABELS, NOW, NOW + timedelta(hours=1))
    return Notification(receiver, "{}:{}", {"samu": "fr.health.samu075"}, (alert,), NOW)


def test_a_reload_reaches_the_sink_and_the_forwarder_through_the_service(store: Store) -> None:
    hosts: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        hosts.append(request.url.host)
        return httpx.Response(200)

    clock = FakeClock(NOW)
    config = load_config(DATA / "pipeline.yml")
    ctx = NotifierContext(transport=httpx.MockTransport(handler))
    runner = Runner(clock=clock, sleeper=FakeSleeper(clock))
    forwarder = ReceiverForwarder(config, ctx, runner)
    sink = ConfigSink(config, ctx, runner)
    service = AlertingService(
        store, config, sink, clock, watchdog_interval=None, on_reload=(forwarder.use, sink.use)
    )

    async def scenario() -> list[list[bool]]:
        oks = [[d.ok for d in await sink.deliver(_notification("noc"))]]
        oks.append([d.ok for d in await forwarder.forward("noc", _notification("noc"))])
        assert service.reload_file(DATA / "other_receiver.yml").ok
        oks.append([d.ok for d in await sink.deliver(_notification("astreinte"))])
        oks.append([d.ok for d in await forwarder.forward("astreinte", _notification("x"))])
        oks.append([d.ok for d in await sink.deliver(_notification("noc"))])
        return oks

    oks = asyncio.run(scenario())
    assert oks == [[True], [True], [True], [True], [False]]  # noc left the configuration
    assert hosts == [
        "noc.vigie15.sante.local",
        "noc.vigie15.sante.local",
        "astreinte.vigie15.sante.local",
        "astreinte.vigie15.sante.local",
    ]


def test_a_rejected_reload_changes_nothing_for_the_sink(store: Store) -> None:
    clock = FakeClock(NOW)
    config = load_config(DATA / "pipeline.yml")
    seen: list[object] = []
    service = AlertingService(
        store,
        config,
        ConfigSink(config, NotifierContext(), Runner(clock=clock)),
        clock,
        watchdog_interval=None,
        on_reload=(seen.append,),
    )
    assert not service.reload_file(DATA / "bad_undefined_receiver.yml").ok
    assert seen == []
    assert service.reload_file(DATA / "other_receiver.yml").ok
    assert seen == [service.config]
