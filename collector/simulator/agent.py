"""One simulated SAMU agent: a real OpenTelemetry SDK MeterProvider fed by the traffic model.

The agent does not export by itself: its pull reader is collected by the runner's one export
loop, which sends every agent's ResourceMetrics in a few OTLP requests instead of running 100
exporter threads. Temporality is cumulative (the SDK default). What the agent recorded since
the last successful export is kept as `Pending`, so the tally can file it under the minute the
collector will see (the collection timestamp of the points that carried it).
"""

from __future__ import annotations

import threading
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from opentelemetry.sdk.metrics import AlwaysOffExemplarFilter, MeterProvider
from opentelemetry.sdk.metrics.export import MetricReader, MetricsData, ResourceMetrics
from opentelemetry.sdk.resources import Resource

from collector.conventions import ANSWER_BOUNDS, METRICS, SETUP_BOUNDS
from collector.simulator.fleet import (
    ANSWER_SERIES,
    COMPONENT_UP,
    LATENCY,
    SETUP_SERIES,
    SamuBatch,
)
from collector.simulator.tally import SeriesId, Tally

SERVICE_NAME = "vigie-sim-agent"
SCOPE = "vigie15.simulator"
_COUNTERS = (
    "samu.call.setups",
    "samu.call.abandoned",
    "samu.probe.calls",
    "samu.reachability.checks",
    "samu.entraide.transfers",
)


class PullReader(MetricReader):
    """A reader that collects only when asked (by the runner's shared export loop)."""

    def __init__(self) -> None:
        super().__init__()
        self._data: MetricsData | None = None

    def pull(self) -> MetricsData | None:
        """Collect now and return what the SDK produced."""
        self.collect()
        data, self._data = self._data, None
        return data

    def _receive_metrics(
        self, metrics_data: MetricsData, timeout_millis: float = 10_000, **kwargs: Any
    ) -> None:
        self._data = metrics_data

    def shutdown(self, timeout_millis: float = 30_000, **kwargs: Any) -> None:
        """Nothing to release."""


@dataclass
class Pending:
    """Increments recorded but not yet delivered to the collector."""

    sums: defaultdict[SeriesId, int] = field(default_factory=lambda: defaultdict(int))
    hists: dict[SeriesId, np.ndarray[Any, np.dtype[np.int64]]] = field(default_factory=dict)

    def merge(self, other: Pending) -> None:
        """Add another pending set into this one (after a failed export)."""
        for series, value in other.sums.items():
            self.sums[series] += value
        for series, counts in other.hists.items():
            self.hists[series] = self.hists[series] + counts if series in self.hists else counts

    def commit(self, tally: Tally, minute: int, samu_id: str) -> None:
        """File every increment under `minute` in the tally."""
        for series, value in self.sums.items():
            tally.add_sum(minute, samu_id, series, value)
        for series, counts in self.hists.items():
            tally.add_histogram(minute, samu_id, series, [int(c) for c in counts])


class SamuAgent:
    """The instruments of one SAMU, on its own MeterProvider with Resource{samu.id, …}."""

    def __init__(self, samu_id: str, instance_id: str) -> None:
        self.samu_id = samu_id
        self.reader = PullReader()
        resource = Resource(
            {
                "samu.id": samu_id,
                "service.name": SERVICE_NAME,
                "service.instance.id": instance_id,
            }
        )
        self.provider = MeterProvider(
            metric_readers=[self.reader],
            resource=resource,
            shutdown_on_exit=False,
            exemplar_filter=AlwaysOffExemplarFilter(),
        )
        meter = self.provider.get_meter(SCOPE)
        self._counters = {
            name: meter.create_counter(name, METRICS[name].unit, METRICS[name].description)
            for name in _COUNTERS
        }
        self._setup = meter.create_histogram(
            SETUP_SERIES[0],
            "s",
            METRICS[SETUP_SERIES[0]].description,
            explicit_bucket_boundaries_advisory=SETUP_BOUNDS,
        )
        self._answer = meter.create_histogram(
            ANSWER_SERIES[0],
            "s",
            METRICS[ANSWER_SERIES[0]].description,
            explicit_bucket_boundaries_advisory=ANSWER_BOUNDS,
        )
        self._gauges = {
            name: meter.create_gauge(name, METRICS[name].unit, METRICS[name].description)
            for name in (COMPONENT_UP, LATENCY)
        }
        self._lock = threading.Lock()
        self._pending = Pending()

    def record(self, batch: SamuBatch) -> None:
        """Feed one model step into the instruments (gauges take the last slot's value)."""
        with self._lock:
            for (name, attributes), values in batch.sums.items():
                total = int(values.sum())
                if total:
                    self._counters[name].add(total, dict(attributes))
                    self._pending.sums[(name, attributes)] += total
            for value in batch.delays[0].tolist():
                self._setup.record(value)
            for value in batch.waits[0].tolist():
                self._answer.record(value)
            for series, (counts, _sums) in batch.hists.items():
                total_counts = counts.sum(axis=0)
                if total_counts.any():
                    self._pending.merge(Pending(hists={series: total_counts}))
            for (name, attributes), gauge_values in batch.gauges.items():
                if len(gauge_values):
                    self._gauges[name].set(float(gauge_values[-1]), dict(attributes))

    def collect(self) -> tuple[ResourceMetrics | None, Pending]:
        """Collect the SDK's cumulative state and take the increments it newly carries."""
        with self._lock:
            data = self.reader.pull()
            pending, self._pending = self._pending, Pending()
        if data is None or not data.resource_metrics:
            return None, pending
        return data.resource_metrics[0], pending

    def restore(self, pending: Pending) -> None:
        """Put back increments whose export failed; the next export's cumulative carries them."""
        with self._lock:
            pending.merge(self._pending)
            self._pending = pending

    def shutdown(self) -> None:
        """Release the MeterProvider."""
        self.provider.shutdown()


def collection_minute(resource_metrics: ResourceMetrics) -> int | None:
    """The minute (epoch seconds) of the collection timestamp the points carry."""
    for scope in resource_metrics.scope_metrics:
        for metric in scope.metrics:
            for point in metric.data.data_points:
                return int(point.time_unix_nano // 60_000_000_000 * 60)
    return None
