"""From configuration to notifiers: the integrations and the sink of each receiver."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx

from alerts.config import AlertingConfig
from alerts.config.notifiers import ReceiverSpec
from alerts.notifiers.amforward import AlertmanagerForward
from alerts.notifiers.email import EmailIntegration
from alerts.notifiers.retry import NotifierError
from alerts.notifiers.runner import Runner
from alerts.notifiers.sink import ReceiverSink
from alerts.notifiers.sms import SMS_LIMIT, BodyShape, Gateway, SmsIntegration
from alerts.notifiers.smtp import SmtpSettings
from alerts.notifiers.templates import Templates
from alerts.notifiers.transport import HttpOptions, http_options
from alerts.notifiers.webhook import WebhookIntegration
from alerts.notify import Integration
from store.registry import Registry


@dataclass(frozen=True)
class NotifierContext:
    """What building integrations needs beyond the receiver's own configuration."""

    templates: Templates = field(default_factory=Templates)
    registry: Registry | None = None  # SAMU names and time zones for messages
    transport: httpx.AsyncBaseTransport | None = None  # injected HTTP transport (tests)
    sms_limit: int = SMS_LIMIT
    sms_shape: BodyShape = field(default_factory=BodyShape)


def _http(
    config: Mapping[str, Any] | None, timeout: timedelta | None, ctx: NotifierContext
) -> HttpOptions:
    options = http_options(config, timeout)
    if ctx.transport is None:
        return options
    return HttpOptions(**{**options.__dict__, "transport": ctx.transport})


def build_integrations(receiver: ReceiverSpec, ctx: NotifierContext) -> list[Integration]:
    """The integrations of one receiver, named `webhook[0]`, `email[0]`, `sms[0]`, …"""
    found: list[Integration] = []
    for index, hook in enumerate(receiver.webhook_configs or []):
        url = hook.url
        if url is None:
            try:
                url = Path(str(hook.url_file)).read_text(encoding="utf-8").strip()
            except OSError as exc:
                raise NotifierError(f"{receiver.name}: webhook url_file: {exc}") from exc
        found.append(
            WebhookIntegration(
                name=f"webhook[{index}]",
                url=url,
                options=_http(hook.http_config, hook.timeout, ctx),
                send_resolved=hook.send_resolved,
                max_alerts=hook.max_alerts,
            )
        )
    for index, mail in enumerate(receiver.email_configs or []):
        found.append(
            EmailIntegration(
                name=f"email[{index}]",
                spec=mail,
                settings=SmtpSettings.from_spec(mail),
                templates=ctx.templates,
                registry=ctx.registry,
                send_resolved=mail.send_resolved,
            )
        )
    for index, sms in enumerate(receiver.sms_configs or []):
        gateway = Gateway(sms.url, _http(sms.http_config, sms.timeout, ctx), ctx.sms_shape)
        found.append(
            SmsIntegration(
                name=f"sms[{index}]",
                spec=sms,
                gateway=gateway,
                templates=ctx.templates,
                registry=ctx.registry,
                send_resolved=sms.send_resolved,
                limit=ctx.sms_limit,
            )
        )
    for index, forward in enumerate(receiver.alertmanager_configs or []):
        found.append(
            AlertmanagerForward(
                name=f"alertmanager[{index}]",
                urls=tuple(forward.urls),
                options=_http(forward.http_config, forward.timeout, ctx),
                send_resolved=forward.send_resolved,
            )
        )
    return found


def build_sinks(
    config: AlertingConfig, ctx: NotifierContext, runner: Runner | None = None
) -> dict[str, ReceiverSink]:
    """A sink for every receiver of a configuration, by receiver name, sharing one runner."""
    runner = runner or Runner()
    return {
        name: ReceiverSink(name, build_integrations(spec, ctx), runner)
        for name, spec in config.receivers.items()
    }
