"""The alerting system's own SLO (O2): time to first delivery and to acknowledgement."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram

# Bounds include the O2 threshold (2 min) exactly, so "within 2 min" is an exact bucket count.
O2_BOUNDS = (5.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0)


class OnCallMetrics:
    """Prometheus series of on-call delivery; every metric is registered on `registry`."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.delivery = Histogram(
            "vigie_oncall_time_to_delivery_seconds",
            "Time from an incident opening to its first successful contact delivery.",
            buckets=O2_BOUNDS,
            registry=registry,
        )
        self.ack = Histogram(
            "vigie_oncall_time_to_ack_seconds",
            "Time from an incident opening to its first acknowledgement.",
            buckets=O2_BOUNDS,
            registry=registry,
        )
        self.attempts = Counter(
            "vigie_oncall_contact_attempts",
            "Attempts to reach an on-call person, by contact kind and outcome.",
            ["kind", "outcome"],
            registry=registry,
        )
        self.steps = Counter(
            "vigie_oncall_escalation_steps",
            "Escalation steps run (step 1 included).",
            registry=registry,
        )
