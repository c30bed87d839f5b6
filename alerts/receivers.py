"""The pipeline's one Sink (a receiver's notifier and on-call integrations) and the escalation
forwarder (its notifier integrations only).

Both take the configuration they start with and are told of each reload (`use`, called by
`AlertingService.reload` through its `on_reload` hooks); integrations are rebuilt when the
configuration changes, so a reload takes effect at the next flush without restarting anything.
"""

from __future__ import annotations

from alerts.config import AlertingConfig
from alerts.notifiers.registry import NotifierContext, build_integrations
from alerts.notifiers.runner import Runner
from alerts.notifiers.sink import ReceiverSink
from alerts.notify import Delivery, Notification
from alerts.oncall.integration import oncall_integrations
from alerts.oncall.service import OnCallService


class ReceiverForwarder:
    """Escalation steps that target a receiver: its notifier integrations only (no on-call, so an
    escalation cannot loop back into escalation). On-call forwards through this."""

    def __init__(self, config: AlertingConfig, ctx: NotifierContext, runner: Runner) -> None:
        self._config = config
        self._ctx = ctx
        self._runner = runner

    def use(self, config: AlertingConfig) -> None:
        """Forward with this configuration's receivers from now on (a reload)."""
        self._config = config

    async def forward(self, receiver: str, notification: Notification) -> list[Delivery]:
        spec = self._config.receivers.get(receiver)
        if spec is None:
            return [Delivery("none", ok=False, detail=f"unknown receiver {receiver!r}")]
        sink = ReceiverSink(receiver, build_integrations(spec, self._ctx), self._runner)
        return await sink.deliver(notification)


class ConfigSink:
    """Delivers a notification to the integrations of its receiver in the current config."""

    def __init__(
        self,
        config: AlertingConfig,
        ctx: NotifierContext,
        runner: Runner,
        oncall: OnCallService | None = None,
    ) -> None:
        self._config = config
        self._ctx = ctx
        self._runner = runner
        self._oncall = oncall
        self._built_for: AlertingConfig | None = None
        self._sinks: dict[str, ReceiverSink] = {}

    def use(self, config: AlertingConfig) -> None:
        """Deliver with this configuration's receivers from the next flush on (a reload)."""
        self._config = config

    def _sink(self, receiver: str) -> ReceiverSink | None:
        config = self._config
        if config is not self._built_for:
            self._sinks = {}
            for name, spec in config.receivers.items():
                integrations = [*build_integrations(spec, self._ctx)]
                if self._oncall is not None:
                    integrations += oncall_integrations(spec, self._oncall)
                self._sinks[name] = ReceiverSink(name, integrations, self._runner)
            self._built_for = config
        return self._sinks.get(receiver)

    async def deliver(self, notification: Notification) -> list[Delivery]:
        sink = self._sink(notification.receiver)
        if sink is None:
            return [
                Delivery(
                    integration="none",
                    ok=False,
                    detail=f"receiver {notification.receiver!r} is not in the configuration",
                )
            ]
        return await sink.deliver(notification)
