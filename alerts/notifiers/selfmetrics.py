"""The notifiers' own Prometheus metrics (part of the alerting system's SLO, O2)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram

# Bounds include 120 s: O2 wants pages delivered within 2 minutes.
DELIVERY_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0)


def kind(integration: str) -> str:
    """The integration type of a name such as `email[1]` (a bounded label value)."""
    return integration.partition("[")[0]


class NotifierMetrics:
    """Counters and a histogram of deliveries and attempts, registered on `registry`."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.notifications = Counter(
            "vigie_notifications",
            "Notifications handed to an integration, by final result (delivered or failed).",
            ["integration", "result"],
            registry=registry,
        )
        self.attempts = Counter(
            "vigie_notification_attempts",
            "Delivery attempts, by result (ok, retryable or permanent failure).",
            ["integration", "result"],
            registry=registry,
        )
        self.seconds = Histogram(
            "vigie_notification_seconds",
            "Time to deliver a notification through an integration, retries included.",
            ["integration"],
            buckets=DELIVERY_BUCKETS,
            registry=registry,
        )

    def attempt(self, integration: str, ok: bool, retryable: bool) -> None:
        """Count one attempt."""
        result = "ok" if ok else ("retryable" if retryable else "permanent")
        self.attempts.labels(kind(integration), result).inc()

    def delivery(self, integration: str, ok: bool, seconds: float) -> None:
        """Count one finished delivery and its duration."""
        self.notifications.labels(kind(integration), "delivered" if ok else "failed").inc()
        self.seconds.labels(kind(integration)).observe(seconds)
