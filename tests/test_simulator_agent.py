"""The live agents: real OTel SDK instruments, the shared export loop, and the tally it keeps."""

from __future__ import annotations

import socket
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pytest
from opentelemetry.exporter.otlp.proto.common.metrics_encoder import encode_metrics
from opentelemetry.sdk.metrics.export import (
    AggregationTemporality,
    MetricExporter,
    MetricExportResult,
    MetricsData,
)

from collector.conventions import ANSWER_BOUNDS, METRICS, SETUP_BOUNDS
from collector.simulator.agent import SamuAgent
from collector.simulator.errors import CollectorUnreachable
from collector.simulator.fleet import Fleet, FleetConfig
from collector.simulator.runner import Simulation, SimulationOptions, check_reachable, select_samu
from collector.simulator.scenario_spec import parse_scenario
from collector.simulator.scenarios import Timeline
from collector.simulator.tally import Tally
from store.clock import FakeClock
from store.registry import Samu, load_registry
from tests.test_simulator_backfill import decode_counts

START = datetime(2025, 3, 4, 14, tzinfo=UTC)
S075, S092 = "fr.health.samu075", "fr.health.samu092"


def samu(samu_id: str, backup: str, daily: int = 20_000) -> Samu:
    return Samu(
        samu_id, samu_id, (samu_id[-2:],), "test", "Europe/Paris", 48.0, 2.0, backup, daily, 0, 0
    )


SAMUS = [samu(S075, S092), samu(S092, S075, 900)]


class Capture(MetricExporter):
    """An exporter that keeps what it is given, failing while `fail` is set."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[MetricsData] = []
        self.fail = False

    def export(
        self, metrics_data: MetricsData, timeout_millis: float = 10_000, **kwargs: Any
    ) -> MetricExportResult:
        if self.fail:
            return MetricExportResult.FAILURE
        self.sent.append(metrics_data)
        return MetricExportResult.SUCCESS

    def force_flush(self, timeout_millis: float = 10_000) -> bool:
        return True

    def shutdown(self, timeout_millis: float = 30_000, **kwargs: Any) -> None:
        return None


def bodies(sent: Sequence[MetricsData]) -> list[bytes]:
    return [encode_metrics(data).SerializeToString() for data in sent]


def test_an_agent_reports_every_instrument_with_the_conventions_attributes_and_bounds() -> None:
    fleet = Fleet(SAMUS, Timeline([], 0.0), FleetConfig(seed=1))
    agent = SamuAgent(S075, "test-075")
    agent.record(fleet.step(np.array([START.timestamp()]), 600.0)[S075])
    resource_metrics, pending = agent.collect()
    assert resource_metrics is not None
    assert dict(resource_metrics.resource.attributes) == {
        "samu.id": S075,
        "service.name": "vigie-sim-agent",
        "service.instance.id": "test-075",
    }
    metrics = {m.name: m for m in resource_metrics.scope_metrics[0].metrics}
    assert set(metrics) == set(METRICS)
    for name, metric in metrics.items():
        spec = METRICS[name]
        for point in metric.data.data_points:
            attributes = dict(point.attributes or {})
            assert set(attributes) <= set(spec.attributes), name
            assert all(spec.attributes[k].accepts(str(v)) for k, v in attributes.items()), name
        if spec.kind != "gauge":
            assert metric.data.aggregation_temporality == AggregationTemporality.CUMULATIVE
    setup_bounds = metrics["samu.call.setup.duration"].data.data_points[0].explicit_bounds
    answer_bounds = metrics["samu.call.answer.duration"].data.data_points[0].explicit_bounds
    assert tuple(setup_bounds) == SETUP_BOUNDS and tuple(answer_bounds) == ANSWER_BOUNDS
    outcomes = {
        dict(p.attributes or {})["outcome"] for p in metrics["samu.call.setups"].data.data_points
    }
    assert {"success", "caller_cancelled"} <= outcomes
    assert sum(pending.sums.values()) > 0
    agent.shutdown()


def simulation(options: SimulationOptions, clock: FakeClock, exporter: Capture) -> Simulation:
    return Simulation(SAMUS, options, clock, exporter)


def test_the_tally_equals_what_the_exports_carry_even_across_a_failed_export() -> None:
    clock, exporter = FakeClock(START), Capture()
    sim = simulation(SimulationOptions(speed=60.0, seed=2), clock, exporter)
    for step in range(12):
        clock.advance(timedelta(seconds=10))
        sim.advance()
        exporter.fail = step == 5
        assert sim.export() is (step != 5)
    sim.shutdown()
    counts, _ = decode_counts(bodies(exporter.sent))
    assert counts == sim.tally.snapshot()
    assert sim.stats.exports_failed == 1
    # 2 minutes of wall time at speed 60 = 2 model hours of a busy Paris afternoon
    assert sim.tally.total(samu_id=S075, metric="samu.call.setups") > 1000


def test_speed_compresses_model_time() -> None:
    clock = FakeClock(START)
    sim = simulation(SimulationOptions(speed=30.0), clock, Capture())
    clock.advance(timedelta(seconds=10))
    assert sim.model_now() - START.timestamp() == 300.0
    assert sim.advance() == 5  # a 5-minute step is cut into one-minute slots
    sim.shutdown()


def test_a_scripted_outage_shows_in_the_live_tally() -> None:
    clock, exporter = FakeClock(START), Capture()
    options = SimulationOptions(scenarios=(parse_scenario("outage:075@+0m/10m"),), speed=10.0)
    sim = simulation(options, clock, exporter)
    for _ in range(6):
        clock.advance(timedelta(seconds=10))
        sim.advance()
        sim.export()
    sim.shutdown()
    assert sim.tally.total(samu_id=S075, metric="samu.call.setups", outcome="success") == 0
    assert sim.tally.total(samu_id=S075, metric="samu.probe.calls", outcome="failure") == 10
    assert sim.tally.total(samu_id=S092, metric="samu.call.setups", outcome="success") > 0
    assert sim.stats.labels == ("outage:fr.health.samu075",)


def test_samu_selection_uses_the_real_registry() -> None:
    registry = load_registry()
    assert len(select_samu(registry, SimulationOptions())) == len(registry)
    assert len(select_samu(registry, SimulationOptions(count=10))) == 10
    chosen = select_samu(registry, SimulationOptions(samu_ids=("fr.health.samu974",)))
    assert [s.timezone for s in chosen] == ["Indian/Reunion"]


def test_an_unreachable_collector_is_reported_before_starting() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(CollectorUnreachable, match=f"no collector at http://127.0.0.1:{port}"):
        check_reachable(f"http://127.0.0.1:{port}", timeout_s=1.0)


def test_a_bounded_tally_forgets_minutes_past_its_retention() -> None:
    tally = Tally(retention_minutes=2)
    series = ("samu.probe.calls", (("outcome", "success"),))
    for minute in range(0, 600, 60):
        tally.add_sum(minute, S075, series, 1)
    assert sorted(k[0] for k in tally.snapshot()) == [480, 540]
