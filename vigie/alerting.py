"""Wiring of the alerting role: pipeline, notifiers, on-call and heartbeats, in one process."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter

from alerts.am_api import create_am_router
from alerts.config import AlertingConfig, load_config
from alerts.config_limits import ConfigLimits
from alerts.notifiers.attempts import AttemptLog
from alerts.notifiers.contacts import Channels, ContactNotifier
from alerts.notifiers.registry import NotifierContext
from alerts.notifiers.runner import Runner
from alerts.notifiers.selfmetrics import NotifierMetrics
from alerts.notifiers.sms import Gateway
from alerts.notifiers.smtp import SmtpSettings
from alerts.notifiers.templates import Templates
from alerts.notifiers.transport import HttpOptions
from alerts.oncall.api import create_oncall_router
from alerts.oncall.config import load_oncall
from alerts.oncall.heartbeat import Heartbeats
from alerts.oncall.model import OnCallConfig
from alerts.oncall.pages import create_link_router
from alerts.oncall.service import OnCallService
from alerts.receivers import ConfigSink, ReceiverForwarder
from alerts.service import AlertingService
from collector.redaction import redact
from people.local_files import SECRET_FILE, private_file
from vigie.platform import Platform
from vigie.scope import PrincipalScope

log = logging.getLogger("vigie.alerting")
ONCALL_TICK_S = 10.0


def _gateway(url: str) -> Gateway | None:
    return Gateway(url, HttpOptions()) if url else None


def _channels(platform: Platform) -> Channels:
    s = platform.settings
    smtp = (
        SmtpSettings(
            host=s.smtp_host,
            port=s.smtp_port,
            username=s.smtp_username,
            password=s.smtp_password.get_secret_value(),
            require_tls=s.smtp_require_tls,
        )
        if s.smtp_host
        else None
    )
    return Channels(
        smtp=smtp,
        mail_from=s.smtp_from,
        sms=_gateway(s.sms_gateway_url.get_secret_value()),
        voice=_gateway(s.voice_gateway_url.get_secret_value()),
    )


def load_alerting_files(platform: Platform) -> tuple[AlertingConfig, OnCallConfig]:
    """Both files, validated together (receivers may name escalation policies)."""
    oncall = load_oncall(platform.settings.oncall_file, platform.registry)
    file = platform.settings.alerting_file
    config = load_config(file, oncall.policies, config_limits(platform))
    return config, oncall


def config_limits(platform: Platform) -> ConfigLimits:
    s = platform.settings
    return ConfigLimits(max_bytes=s.max_config_bytes, max_routes=s.max_routes)


@dataclass
class AlertingRuntime:
    service: AlertingService
    oncall: OnCallService
    heartbeats: Heartbeats
    runner: Runner
    routers: list[APIRouter]
    tasks: list[asyncio.Task[Any]] = field(default_factory=list)
    stop: asyncio.Event = field(default_factory=asyncio.Event)

    def reload(self, actor: str = "SIGHUP") -> None:
        result = self.service.reload_file(actor=actor, source="signal")
        if not result.ok:
            log.warning("alerting config not reloaded: %s", "; ".join(result.problems))

    async def _oncall_loop(self) -> None:
        while not self.stop.is_set():
            try:
                await self.oncall.tick()
                await self.heartbeats.tick()
            except Exception:  # one bad tick must not stop paging
                log.exception("on-call tick failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stop.wait(), ONCALL_TICK_S)

    def start(self) -> None:
        self.tasks = [
            asyncio.create_task(self.service.run(self.stop)),
            asyncio.create_task(self._oncall_loop()),
        ]

    async def close(self) -> None:
        self.stop.set()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        self.runner.close()


def build_alerting(platform: Platform) -> AlertingRuntime:
    """Everything alerting needs, loaded from the store (state survives restarts).

    In order: the configuration files, the notifier runner, the escalation forwarder, on-call
    (escalations forward through it), the sink (receivers' and on-call's integrations), then the
    alerting service, which tells the forwarder and the sink of every reload.
    """
    s = platform.settings
    config, oncall_config = load_alerting_files(platform)
    secret = private_file(s.secret_file or s.data_dir / SECRET_FILE, 32).encode()
    runner = Runner(
        recorder=AttemptLog(platform.store),
        metrics=NotifierMetrics(platform.metrics),
        clock=platform.clock,
    )
    templates = Templates(config.templates)
    contacts = ContactNotifier(_channels(platform), templates, platform.registry, runner)
    ctx = NotifierContext(templates=templates, registry=platform.registry)
    forwarder = ReceiverForwarder(config, ctx, runner)
    oncall = OnCallService(
        platform.store,
        platform.clock,
        oncall_config,
        contacts,
        audit=platform.audit,
        registry=platform.registry,
        link_secret=secret,
        external_url=s.public_url,
        forwarder=forwarder,
        metrics=platform.metrics,
    )
    sink = ConfigSink(config, ctx, runner, oncall)
    service = AlertingService(
        platform.store,
        config,
        sink,
        platform.clock,
        registry=platform.metrics,
        audit=platform.audit,
        regions={samu.id: samu.region for samu in platform.registry},
        config_text=s.alerting_file.read_text(encoding="utf-8"),
        external_url=s.public_url,
        on_reload=(forwarder.use, sink.use),
        limits=config_limits(platform),
    )
    oncall.load()
    heartbeats = Heartbeats(
        platform.store, platform.clock, oncall_config.heartbeats, secret, on_alert=service.put
    )
    heartbeats.load()
    routers = [
        create_am_router(service, platform.clock, redact, PrincipalScope()),
        create_oncall_router(oncall, heartbeats, redact, PrincipalScope()),
        create_link_router(oncall),
    ]
    return AlertingRuntime(service, oncall, heartbeats, runner, routers)
