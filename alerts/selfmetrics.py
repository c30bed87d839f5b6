"""The alerting system's own SLO metrics: alerts in, notifications out, time to delivery.

Labels take only bounded values: states, results, and receiver names from the configuration.
"""

from __future__ import annotations

from collections.abc import Iterable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

# Bounds on the O2 objective (delivered within 2 min), plus the group_wait-sized steps before it.
DELIVERY_BUCKETS = (1.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0)
STATES = ("active", "suppressed")
RESULTS = ("success", "failure")


class AlertingMetrics:
    """Counters, gauges and the delivery histogram of the pipeline, on a given registry."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.received = Counter(
            "vigie_alerts_received",
            "Alerts received (API posts, the SLO engine, the watchdog), valid or not.",
            ["status"],
            registry=registry,
        )
        self.active = Gauge(
            "vigie_alerts_active",
            "Firing alerts held: active, or suppressed (silence, inhibition, maintenance).",
            ["state"],
            registry=registry,
        )
        self.notifications = Counter(
            "vigie_alert_notifications",
            "Notifications handed to a receiver, by result (success when every integration did).",
            ["receiver", "result"],
            registry=registry,
        )
        self.delivery_seconds = Histogram(
            "vigie_alert_delivery_seconds",
            "Time from an alert's start (startsAt) to the first successful notification of it.",
            buckets=DELIVERY_BUCKETS,
            registry=registry,
        )
        self.reloads = Counter(
            "vigie_alerting_config_reloads",
            "Configuration reloads, by result (a failed reload keeps the previous configuration).",
            ["result"],
            registry=registry,
        )
        self.refused = Counter(
            "vigie_alerting_config_refused",
            "Configurations refused before parsing by a limit (max_config_bytes, max_routes).",
            ["limit"],
            registry=registry,
        )
        self.last_tick = Gauge(
            "vigie_alerting_last_tick_timestamp_seconds",
            "When the dispatcher last ran (a stalled pipeline shows as an old timestamp).",
            registry=registry,
        )
        for state in STATES:
            self.active.labels(state).set(0)

    def known_receivers(self, names: Iterable[str]) -> None:
        """Pre-create the series of every configured receiver, so rates start at zero."""
        for name in names:
            for result in RESULTS:
                self.notifications.labels(name, result)
