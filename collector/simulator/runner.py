"""Live simulation: ~100 SAMU agents in one process, one model loop and one export loop.

Speed: model time runs `speed`× faster than the wall clock from the start instant
(model = start + speed × (wall − start)); scenario offsets are in model time. The SDK stamps
points with the wall clock, so at speed N each wall minute in the store holds N model minutes of
calls (N× the per-minute counts) and a model day lasts 24/N wall hours. Speed 1 is real time.
"""

from __future__ import annotations

import logging
import math
import socket
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import urlsplit

import numpy as np
from opentelemetry.sdk.metrics.export import MetricExporter, MetricExportResult, MetricsData

from collector.simulator.agent import SamuAgent, collection_minute
from collector.simulator.errors import CollectorUnreachable, SimulatorError
from collector.simulator.fleet import SETUPS, Fleet, FleetConfig
from collector.simulator.scenario_spec import check_live, check_targets
from collector.simulator.scenarios import MaintenanceMark, Scenario, Timeline
from collector.simulator.tally import Tally
from collector.simulator.traffic import SamuInfo
from store.clock import Clock, SystemClock
from store.registry import Registry

log = logging.getLogger(__name__)
Protocol = Literal["http", "grpc"]
MAX_SLOT_S = 60.0  # a long model step is cut into slots of at most a minute


@dataclass(frozen=True)
class SimulationOptions:
    """What to simulate and how fast; defaults are the platform's (`vigie up --simulate`)."""

    protocol: Protocol = "http"
    samu_ids: tuple[str, ...] = ()  # empty: the first `count` SAMU of the registry, or all
    count: int | None = None
    speed: float = 1.0
    seed: int = 0
    export_interval_s: float = 10.0
    tick_s: float = 1.0  # wall seconds between model steps
    probe_interval_s: float = 60.0
    heartbeat_interval_s: float = 10.0
    scenarios: tuple[Scenario, ...] = ()
    surge: float = 1.0
    duration_s: float | None = None  # wall seconds; None runs until stopped
    agents_per_request: int = 25
    timeout_s: float = 10.0
    # Agent token sent as `Authorization: Bearer …` (collector.agent_auth); never shown.
    auth_token: str = field(default="", repr=False)


@dataclass
class SimulationStats:
    """Counters a progress line shows."""

    steps: int = 0
    exports_ok: int = 0
    exports_failed: int = 0
    last_error: str = ""
    model_time: float = 0.0
    calls: int = 0  # call setups drawn so far (all outcomes)
    labels: tuple[str, ...] = field(default_factory=tuple)


def select_samu(registry: Registry, options: SimulationOptions) -> list[SamuInfo]:
    """The SAMU to simulate: the named ones, the first `count`, or all."""
    if options.samu_ids:
        return [registry.require(i) for i in options.samu_ids]
    samus: list[SamuInfo] = list(registry)
    return samus[: options.count] if options.count is not None else samus


def make_exporter(
    endpoint: str, protocol: Protocol, timeout_s: float = 10.0, token: str = ""
) -> MetricExporter:
    """The real OTLP metric exporter (HTTP protobuf with gzip, or gRPC) for an endpoint.

    A `token` is sent as `authorization: Bearer <token>` (HTTP header or gRPC metadata).
    """
    headers = {"authorization": f"Bearer {token}"} if token else None
    if protocol == "grpc":
        from opentelemetry.exporter.otlp.proto.grpc.metric_exporter import (
            OTLPMetricExporter as GrpcExporter,
        )

        parts = urlsplit(endpoint if "://" in endpoint else f"http://{endpoint}")
        return GrpcExporter(
            endpoint=parts.netloc, insecure=True, timeout=timeout_s, headers=headers
        )
    from opentelemetry.exporter.otlp.proto.http import Compression
    from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter

    url = f"{endpoint.rstrip('/')}/v1/metrics"
    return OTLPMetricExporter(
        endpoint=url, timeout=timeout_s, compression=Compression.Gzip, headers=headers
    )


def check_reachable(endpoint: str, timeout_s: float = 2.0) -> None:
    """Raise CollectorUnreachable unless something accepts TCP connections at the endpoint."""
    parts = urlsplit(endpoint if "://" in endpoint else f"http://{endpoint}")
    host, port = parts.hostname or "127.0.0.1", parts.port or 4318
    try:
        with socket.create_connection((host, port), timeout=timeout_s):
            return
    except OSError as exc:
        raise CollectorUnreachable(
            f"no collector at {endpoint} ({exc.strerror or exc}); start one with `vigie up`"
        ) from exc


class Simulation:
    """The fleet, its agents and the two loops' bodies; steppable by tests with a FakeClock."""

    def __init__(
        self,
        samus: Sequence[SamuInfo],
        options: SimulationOptions,
        clock: Clock,
        exporter: MetricExporter | None,
        tally: Tally | None = None,
    ) -> None:
        if options.speed <= 0:
            raise SimulatorError("speed must be positive")
        ids = [s.id for s in samus]
        check_targets(options.scenarios, ids)
        check_live(options.scenarios)
        self.options, self.clock, self.exporter = options, clock, exporter
        self.tally = tally or Tally()
        self.stats = SimulationStats()
        self.start = clock.now().timestamp()
        self.timeline = Timeline(options.scenarios, self.start, ids)
        config = FleetConfig(
            seed=options.seed,
            surge=options.surge,
            probe_interval_s=options.probe_interval_s,
            heartbeat_interval_s=options.heartbeat_interval_s,
        )
        self.fleet = Fleet(samus, self.timeline, config)
        instance = f"sim-{options.seed}-{int(self.start)}"
        self.agents = {s.id: SamuAgent(s.id, f"{instance}-{s.id[-3:]}") for s in samus}
        self._model_t = self.start
        self._step_lock = threading.Lock()

    def model_now(self) -> float:
        """The model's current instant (epoch seconds)."""
        return self.start + self.options.speed * (self.clock.now().timestamp() - self.start)

    def advance(self) -> int:
        """Step the model up to now and record into the agents; the number of slots stepped."""
        with self._step_lock:
            until = self.model_now()
            span = until - self._model_t
            if span <= 0:
                return 0
            n = max(1, math.ceil(span / MAX_SLOT_S))
            slot_s = span / n
            starts = self._model_t + slot_s * np.arange(n, dtype=np.float64)
            batches = self.fleet.step(starts, slot_s)
            for samu_id, batch in batches.items():
                self.agents[samu_id].record(batch)
                self.stats.calls += sum(
                    int(v.sum()) for (name, _), v in batch.sums.items() if name == SETUPS
                )
            self._model_t = until
            self.stats.steps += 1
            self.stats.model_time = until
            self.stats.labels = tuple(sorted({x for b in batches.values() for x in b.labels}))
            return n

    def export(self) -> bool:
        """Collect every agent and send them in a few OTLP requests; True if all succeeded."""
        collected = [(agent, *agent.collect()) for agent in self.agents.values()]
        size = max(1, self.options.agents_per_request)
        ok = True
        for i in range(0, len(collected), size):
            chunk = collected[i : i + size]
            resources = [rm for _, rm, _ in chunk if rm is not None]
            sent = self._send(MetricsData(resource_metrics=resources)) if resources else True
            for agent, rm, pending in chunk:
                minute = collection_minute(rm) if rm is not None else None
                if sent and minute is not None:
                    pending.commit(self.tally, minute, agent.samu_id)
                else:
                    agent.restore(pending)
            ok = ok and sent
        return ok

    def _send(self, data: MetricsData) -> bool:
        if self.exporter is None:
            return True
        try:
            result = self.exporter.export(data, timeout_millis=self.options.timeout_s * 1000)
        except Exception as exc:  # the exporter should not raise; never kill the loop if it does
            log.warning("simulator export raised: %s", exc)
            result = MetricExportResult.FAILURE
        if result is MetricExportResult.SUCCESS:
            self.stats.exports_ok += 1
            return True
        self.stats.exports_failed += 1
        self.stats.last_error = "export failed (collector unreachable or refused)"
        return False

    def maintenance(self) -> list[MaintenanceMark]:
        """The planned maintenance windows the scenarios play (model time)."""
        return self.timeline.maintenance()

    def shutdown(self) -> None:
        """Release every agent and the exporter."""
        for agent in self.agents.values():
            agent.shutdown()
        if self.exporter is not None:
            self.exporter.shutdown()


class SimulationHandle:
    """A simulation running in background threads; `stop()` flushes and joins them."""

    def __init__(self, simulation: Simulation) -> None:
        self.simulation = simulation
        self._stop = threading.Event()
        opts = simulation.options
        self._threads = [
            threading.Thread(
                target=self._loop,
                args=(opts.tick_s, simulation.advance),
                name="vigie-sim-model",
                daemon=True,
            ),
            threading.Thread(
                target=self._loop,
                args=(opts.export_interval_s, simulation.export),
                name="vigie-sim-export",
                daemon=True,
            ),
        ]
        for thread in self._threads:
            thread.start()
        if opts.duration_s is not None:
            timer = threading.Timer(opts.duration_s, self._stop.set)
            timer.daemon = True
            timer.start()

    @property
    def tally(self) -> Tally:
        return self.simulation.tally

    @property
    def stats(self) -> SimulationStats:
        return self.simulation.stats

    def running(self) -> bool:
        """False once stopped or past the requested duration."""
        return not self._stop.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the simulation is asked to stop (or the timeout passes)."""
        return self._stop.wait(timeout)

    def _loop(self, interval: float, body: Callable[[], object]) -> None:
        while not self._stop.wait(interval):
            try:
                body()
            except Exception:  # a bug in one step must not silently end the simulation
                log.exception("simulator loop step failed")

    def stop(self) -> None:
        """Stop the loops, step and export a last time, release the SDK objects."""
        self._stop.set()
        for thread in self._threads:
            thread.join()
        self.simulation.advance()
        self.simulation.export()
        self.simulation.shutdown()


def start_simulation(
    endpoint: str,
    registry: Registry,
    options: SimulationOptions | None = None,
    clock: Clock | None = None,
    exporter: MetricExporter | None = None,
    tally: Tally | None = None,
) -> SimulationHandle:
    """Start simulated SAMU traffic toward a collector in background threads (for `vigie up`).

    Without a `tally`, the ground truth keeps only the last 30 minutes (bounded memory).
    """
    options = options or SimulationOptions()
    clock = clock or SystemClock()
    exporter = exporter or make_exporter(
        endpoint, options.protocol, options.timeout_s, options.auth_token
    )
    tally = tally or Tally(retention_minutes=30)
    simulation = Simulation(select_samu(registry, options), options, clock, exporter, tally)
    return SimulationHandle(simulation)
