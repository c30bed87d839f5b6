"""Pre-encoded OTLP/HTTP protobuf bodies that look like SAMU agents' cumulative exports.

Every SAMU exports the series of collector.conventions (19 series: setups by outcome, two
histograms, abandonment, probes, reachability, component health, network latency). A *stream*
is one sender instance (`service.instance.id`), so its series are distinct from another
stream's; each body of a stream is one export interval later than the previous one, so no point
is a duplicate when a stream's bodies are delivered in order.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import (
    ExportMetricsServiceRequest,
)
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue
from opentelemetry.proto.metrics.v1.metrics_pb2 import (
    AggregationTemporality,
    Gauge,
    Histogram,
    HistogramDataPoint,
    Metric,
    NumberDataPoint,
    ResourceMetrics,
    ScopeMetrics,
    Sum,
)
from opentelemetry.proto.resource.v1.resource_pb2 import Resource

from collector.conventions import ANSWER_BOUNDS, COMPONENTS, SETUP_BOUNDS

S = 1_000_000_000
CUMULATIVE = AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE
SETUP_OUTCOMES = ("success", "failed", "rejected", "timeout", "caller_cancelled")
# Counters: (metric, rollup attribute, its values, component or "").
COUNTERS: tuple[tuple[str, str, tuple[str, ...], str], ...] = (
    ("samu.call.setups", "outcome", SETUP_OUTCOMES, "telephony"),
    ("samu.call.abandoned", "outcome", ("under_15s", "over_15s"), ""),
    ("samu.probe.calls", "outcome", ("success", "failure"), "telephony"),
    ("samu.reachability.checks", "outcome", ("ok", "fail"), "network"),
)
HISTOGRAMS = (
    ("samu.call.setup.duration", SETUP_BOUNDS),
    ("samu.call.answer.duration", ANSWER_BOUNDS),
)
SERIES_PER_SAMU = sum(len(c[2]) for c in COUNTERS) + len(HISTOGRAMS) + len(COMPONENTS) + 1


@dataclass(frozen=True)
class Body:
    """One pre-encoded export request: its bytes and how many data points it carries."""

    data: bytes
    points: int
    setups: int  # the stream's cumulative samu.call.setups total once this body is counted


def _kv(key: str, value: str) -> KeyValue:
    return KeyValue(key=key, value=AnyValue(string_value=value))


class _SamuSeries:
    """The cumulative counters of one SAMU seen by one stream, advanced one interval at a time."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.counts: dict[tuple[str, str], int] = {}
        self.buckets: dict[str, list[int]] = {name: [0] * (len(b) + 1) for name, b in HISTOGRAMS}
        self.sums: dict[str, float] = {name: 0.0 for name, _ in HISTOGRAMS}

    def setups(self) -> int:
        return sum(n for (metric, _), n in self.counts.items() if metric == "samu.call.setups")

    def advance(self) -> None:
        for metric, _, values, _ in COUNTERS:
            for value in values:
                key = (metric, value)
                self.counts[key] = self.counts.get(key, 0) + self.rng.randint(0, 3)
        for name, bounds in HISTOGRAMS:
            for _ in range(self.rng.randint(0, 4)):
                index = self.rng.randrange(len(bounds) + 1)
                self.buckets[name][index] += 1
                self.sums[name] += bounds[min(index, len(bounds) - 1)] * 0.8


def _resource_metrics(
    samu: str, stream: str, series: _SamuSeries, start_ns: int, time_ns: int
) -> ResourceMetrics:
    metrics: list[Metric] = []
    for metric, key, values, component in COUNTERS:
        points = []
        for value in values:
            attrs = [_kv(key, value)] + ([_kv("component", component)] if component else [])
            points.append(
                NumberDataPoint(
                    attributes=attrs,
                    start_time_unix_nano=start_ns,
                    time_unix_nano=time_ns,
                    as_int=series.counts[(metric, value)],
                )
            )
        metrics.append(
            Metric(
                name=metric,
                sum=Sum(data_points=points, aggregation_temporality=CUMULATIVE, is_monotonic=True),
            )
        )
    for name, bounds in HISTOGRAMS:
        buckets = series.buckets[name]
        point = HistogramDataPoint(
            start_time_unix_nano=start_ns,
            time_unix_nano=time_ns,
            count=sum(buckets),
            sum=series.sums[name],
            bucket_counts=buckets,
            explicit_bounds=bounds,
        )
        metrics.append(
            Metric(
                name=name,
                histogram=Histogram(data_points=[point], aggregation_temporality=CUMULATIVE),
            )
        )
    health = [
        NumberDataPoint(attributes=[_kv("component", c)], time_unix_nano=time_ns, as_int=1)
        for c in sorted(COMPONENTS)
    ]
    metrics.append(Metric(name="samu.component.up", gauge=Gauge(data_points=health)))
    latency = NumberDataPoint(
        attributes=[_kv("component", "network")],
        time_unix_nano=time_ns,
        as_double=series.rng.uniform(0.004, 0.03),
    )
    metrics.append(Metric(name="samu.network.latency", gauge=Gauge(data_points=[latency])))
    resource = Resource(
        attributes=[
            _kv("samu.id", samu),
            _kv("service.name", "vigie-bench"),
            _kv("service.instance.id", stream),
        ]
    )
    return ResourceMetrics(resource=resource, scope_metrics=[ScopeMetrics(metrics=metrics)])


@dataclass(frozen=True)
class Stream:
    """The bodies of one sender instance, in the order they must be delivered."""

    bodies: list[Body]

    @property
    def points(self) -> int:
        return sum(b.points for b in self.bodies)


def make_stream(
    samu_ids: Sequence[str],
    stream: str,
    count: int,
    start_ns: int,
    interval_ns: int,
    seed: int = 15,
) -> Stream:
    """`count` successive exports of every series of `samu_ids` by one sender instance."""
    rng = random.Random(f"{seed}:{stream}")
    series = {samu: _SamuSeries(rng) for samu in samu_ids}
    bodies: list[Body] = []
    for n in range(count):
        time_ns = start_ns + (n + 1) * interval_ns + rng.randrange(1000)
        request = ExportMetricsServiceRequest()
        for samu in samu_ids:
            series[samu].advance()
            request.resource_metrics.append(
                _resource_metrics(samu, stream, series[samu], start_ns, time_ns)
            )
        setups = sum(s.setups() for s in series.values())
        bodies.append(Body(request.SerializeToString(), len(samu_ids) * SERIES_PER_SAMU, setups))
    return Stream(bodies)
