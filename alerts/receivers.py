"""The one Sink of the pipeline: each receiver's notifier integrations plus its on-call ones.

Integrations are rebuilt when the configuration changes (a reload), so a reload takes effect
at the next flush without restarting anything.
"""

from __future__ import annotations

from collections.abc import Callable

from alerts.config import AlertingConfig
from alerts.notifiers.registry import NotifierContext, build_integrations
from alerts.notifiers.runner import Runner
from alerts.notifiers.sink import ReceiverSink
from alerts.notify import Delivery, Notification
from alerts.oncall.integration import oncall_integrations
from alerts.oncall.service import OnCallService


class ConfigSink:
    """Delivers a notification to the integrations of its receiver in the current config."""

    def __init__(
        self,
        current: Callable[[], AlertingConfig],
        ctx: NotifierContext,
        runner: Runner,
        oncall: OnCallService | None = None,
    ) -> None:
        self._current = current
        self._ctx = ctx
        self._runner = runner
        self._oncall = oncall
        self._built_for: AlertingConfig | None = None
        self._sinks: dict[str, ReceiverSink] = {}

    def _sink(self, receiver: str) -> ReceiverSink | None:
        config = self._current()
        if config is not self._built_for:
            self._sinks = {}
            for name, spec in config.receivers.items():
                integrations = [*build_integrations(spec, self._ctx)]
                if self._oncall is not None:
                    integrations += oncall_integrations(spec, self._oncall)
                self._sinks[name] = ReceiverSink(name, integrations, self._runner)
            self._built_for = config
        return self._sinks.get(receiver)

    def attach_oncall(self, oncall: OnCallService) -> None:
        """On-call integrations exist once the service does (it forwards through this sink)."""
        self._oncall = oncall
        self._built_for = None

    async def forward(self, receiver: str, notification: Notification) -> list[Delivery]:
        """An escalation step that targets a receiver: its notifier integrations only (no
        on-call, so an escalation cannot loop back into escalation)."""
        spec = self._current().receivers.get(receiver)
        if spec is None:
            return [Delivery("none", ok=False, detail=f"unknown receiver {receiver!r}")]
        sink = ReceiverSink(receiver, build_integrations(spec, self._ctx), self._runner)
        return await sink.deliver(notification)

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
