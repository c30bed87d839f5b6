"""The `oncall` integration: a receiver's `oncall_configs` hand alert groups to on-call."""

from __future__ import annotations

from dataclasses import dataclass

from alerts.config.notifiers import ReceiverSpec
from alerts.notify import Delivery, Notification
from alerts.oncall.service import OnCallService


@dataclass
class OnCallIntegration:
    """Opens, updates and resolves the incident of each alert group sent to the receiver."""

    name: str
    send_resolved: bool
    policy: str
    service: OnCallService

    async def send(self, notification: Notification) -> Delivery:
        """Open or update the group's incident (firing) or resolve it (resolved)."""
        if notification.status == "resolved" and not self.send_resolved:
            return Delivery(self.name, ok=True, detail="resolved notifications are not sent")
        incident = await self.service.handle(notification, self.policy)
        return Delivery(self.name, ok=True, detail=incident.id if incident else "no incident")


def oncall_integrations(receiver: ReceiverSpec, service: OnCallService) -> list[OnCallIntegration]:
    """One integration per entry of the receiver's `oncall_configs`."""
    return [
        OnCallIntegration(f"oncall[{i}]", spec.send_resolved, spec.escalation_policy, service)
        for i, spec in enumerate(receiver.oncall_configs or [])
    ]
