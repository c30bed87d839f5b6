"""The collector's own Prometheus metrics (OpenMetrics names, no outside value as a label)."""

from __future__ import annotations

from collections.abc import Iterable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from collector.model import Rejection
from collector.reasons import REASONS

MAX_AGENTS = 500  # distinct agent labels; beyond, 'other'
# Reasons whose samu_id is the sender's text, not a registry id.
_OUTSIDE_SAMU = frozenset({"unknown_samu", "missing_samu_id"})

_LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class SelfMetrics:
    """Counters and histograms of the receiver and the write path, on a given registry."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.requests = Counter(
            "vigie_collector_requests",
            "OTLP export requests by transport (http, grpc), signal and answer code.",
            ["transport", "signal", "code"],
            registry=registry,
        )
        self.points_received = Counter(
            "vigie_collector_points_received",
            "Data points (metrics) or spans (traces) received, accepted or not.",
            ["signal"],
            registry=registry,
        )
        self.points_accepted = Counter(
            "vigie_ingest_points_accepted",
            "Data points (metrics) or spans (traces) accepted, by agent (its token id, or "
            "'instance:<service.instance.id>' without agent authentication) and SAMU.",
            ["agent", "samu"],
            registry=registry,
        )
        self.points_rejected = Counter(
            "vigie_ingest_points_rejected",
            "Data points or spans refused, by agent, SAMU and reason (a closed set, see "
            "collector.reasons; an unknown SAMU id is counted as samu='unknown').",
            ["agent", "samu", "reason"],
            registry=registry,
        )
        self._agents: set[str] = set()
        self.request_seconds = Histogram(
            "vigie_collector_request_seconds",
            "Time to answer an OTLP export request, decoding and durable write included.",
            ["transport", "signal"],
            buckets=_LATENCY_BUCKETS,
            registry=registry,
        )
        self.write_seconds = Histogram(
            "vigie_collector_write_seconds",
            "Time of one batch insert into the store.",
            buckets=_LATENCY_BUCKETS,
            registry=registry,
        )
        self.queue_points = Gauge(
            "vigie_collector_queue_points",
            "Points accepted and waiting to be written to the store.",
            registry=registry,
        )
        self.points_written = Counter(
            "vigie_collector_points_written",
            "Data points written to the store (after cumulative to delta conversion).",
            registry=registry,
        )
        self.duplicates = Counter(
            "vigie_collector_duplicates",
            "Data points dropped as duplicate deliveries (client retries).",
            registry=registry,
        )

    def intake(
        self, agent: str, accepted: Iterable[tuple[str, int]], rejections: Iterable[Rejection]
    ) -> None:
        """Count what one export brought. Labels stay bounded: SAMU ids of the registry (an
        unknown one is 'unknown'), the closed set of reasons ('other' beyond it), and at most
        MAX_AGENTS agents ('other' beyond)."""
        label = self._agent(agent)
        for samu, n in accepted:
            self.points_accepted.labels(label, samu).inc(n)
        for r in rejections:
            samu = "unknown" if r.reason in _OUTSIDE_SAMU else (r.samu_id or "none")
            reason = r.reason if r.reason in REASONS else "other"
            self.points_rejected.labels(label, samu, reason).inc(r.count)

    def _agent(self, agent: str) -> str:
        if agent in self._agents:
            return agent
        if len(self._agents) >= MAX_AGENTS:
            return "other"
        self._agents.add(agent)
        return agent

    # The write path's view (collector.writer.WriterMetrics).
    def set_queue(self, points: int) -> None:
        self.queue_points.set(points)

    def observe_write(self, seconds: float, points: int) -> None:
        self.write_seconds.observe(seconds)
        self.points_written.inc(points)

    def count_duplicates(self, n: int) -> None:
        self.duplicates.inc(n)
