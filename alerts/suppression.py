"""What suppresses an alert at an instant: inhibition, silences and maintenance, as one `Muter`.

`Mute.status` is Alertmanager's alert status (`silencedBy`, `inhibitedBy`) plus the maintenance
windows muting the alert; `send_resolved` says whether a receiver wants resolved notifications.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from alerts.config import AlertingConfig
from alerts.config.notifiers import AlertmanagerForwardSpec, EmailSpec, SmsSpec, WebhookSpec
from alerts.inhibit import Inhibitor
from alerts.maintenance_store import MaintenanceMuter
from alerts.model import Alert
from alerts.mute import AnyMuter
from alerts.silence import SilenceMatcher


@dataclass(frozen=True)
class AlertStatus:
    """Alertmanager's alert status, plus the maintenance windows muting it (`muted_by`)."""

    state: str  # "active" or "suppressed"
    silenced_by: tuple[str, ...] = ()
    inhibited_by: tuple[str, ...] = ()
    muted_by: tuple[str, ...] = ()


@dataclass(frozen=True)
class Mute:
    """The muters at one instant: inhibition, silences and maintenance, and their union."""

    inhibitor: Inhibitor
    silences: SilenceMatcher
    maintenance: MaintenanceMuter

    @property
    def any(self) -> AnyMuter:
        return AnyMuter(self.inhibitor, self.silences, self.maintenance)

    def status(self, alert: Alert, now: datetime) -> AlertStatus:
        silenced = tuple(self.silences.silenced_by(alert.labels, now))
        inhibited = tuple(f"{fp:016x}" for fp in self.inhibitor.inhibited_by(alert.labels, now))
        muted = tuple(self.maintenance.muted_by(alert.labels, now))
        state = "suppressed" if silenced or inhibited or muted else "active"
        return AlertStatus(state, silenced, inhibited, muted)


def send_resolved(config: AlertingConfig, receiver: str) -> bool:
    """Whether a receiver wants resolved notifications (an integration-less one, on-call, does)."""
    spec = config.receivers.get(receiver)
    if spec is None:
        return True
    configs: list[WebhookSpec | EmailSpec | SmsSpec | AlertmanagerForwardSpec] = [
        *(spec.webhook_configs or []),
        *(spec.email_configs or []),
        *(spec.sms_configs or []),
        *(spec.alertmanager_configs or []),
    ]
    return not configs or any(c.send_resolved for c in configs)
