"""Every simulated SAMU stepped over the same window of time slots, entraide linking them.

A step turns expected rates, scenario conditions and each SAMU's own random stream into per-slot
increments of every series the agent reports (counters, histograms) plus gauge values. Live
agents step one slot per tick; the backfill steps hours of one-minute slots at once.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from collector.conventions import ANSWER_BOUNDS, SETUP_BOUNDS
from collector.simulator.calls import (
    ABANDONED,
    ANSWERED,
    TRANSFERRED,
    CallParams,
    FloatArray,
    IntArray,
    SlotPlan,
    draw_calls,
    histogram,
    per_slot,
    scheduled,
)
from collector.simulator.condition import WATCHED_COMPONENTS, Condition
from collector.simulator.scenarios import Timeline
from collector.simulator.tally import SeriesId, attrs
from collector.simulator.traffic import (
    DayTypes,
    SamuInfo,
    expected_calls,
    local_time,
    samu_rng,
)

SETUPS = "samu.call.setups"
SETUP_DURATION = "samu.call.setup.duration"
ANSWER_DURATION = "samu.call.answer.duration"
ABANDONED_CALLS = "samu.call.abandoned"
PROBES = "samu.probe.calls"
CHECKS = "samu.reachability.checks"
ENTRAIDE = "samu.entraide.transfers"
COMPONENT_UP = "samu.component.up"
LATENCY = "samu.network.latency"
SETUP_SERIES: SeriesId = (SETUP_DURATION, ())
ANSWER_SERIES: SeriesId = (ANSWER_DURATION, ())


@dataclass(frozen=True)
class FleetConfig:
    """Model settings shared by every SAMU of a simulation."""

    seed: int = 0
    surge: float = 1.0  # global arrival multiplier (epidemic 1.3–1.6, COVID 3)
    probe_interval_s: float = 60.0
    heartbeat_interval_s: float = 10.0
    days: DayTypes = field(default_factory=DayTypes)
    calls: CallParams = field(default_factory=CallParams)


@dataclass(eq=False)
class SamuBatch:
    """One SAMU over a window of slots: per-slot increments per series, and gauge values."""

    samu_id: str
    starts: FloatArray  # slot i covers [starts[i], starts[i] + slot_s)
    slot_s: float
    sums: dict[SeriesId, IntArray] = field(default_factory=dict)
    hists: dict[SeriesId, tuple[IntArray, FloatArray]] = field(default_factory=dict)
    gauges: dict[SeriesId, FloatArray] = field(default_factory=dict)
    # Raw observations for the OTel SDK (which buckets them itself): value and slot.
    delays: tuple[FloatArray, IntArray] = (np.zeros(0), np.zeros(0, dtype=np.int64))
    waits: tuple[FloatArray, IntArray] = (np.zeros(0), np.zeros(0, dtype=np.int64))
    labels: tuple[str, ...] = ()  # scenarios in force during the window

    def add_sum(self, series: SeriesId, values: IntArray) -> None:
        """Add per-slot increments to a counter series (created on first non-zero use)."""
        if values.any():
            previous = self.sums.get(series)
            self.sums[series] = values if previous is None else previous + values


def _phase(samu_id: str, interval: float) -> float:
    """A stable per-SAMU offset so that 100 agents do not all probe on the same second."""
    return (zlib.crc32(samu_id.encode()) % 1000) / 1000.0 * interval


class Fleet:
    """The simulated SAMU, their random streams and the scenario timeline."""

    def __init__(self, samus: Sequence[SamuInfo], timeline: Timeline, config: FleetConfig) -> None:
        self.samus = list(samus)
        self.timeline = timeline
        self.config = config
        self._rngs = {s.id: samu_rng(config.seed, s.id) for s in self.samus}
        self._ids = {s.id for s in self.samus}

    def step(self, starts: FloatArray, slot_s: float) -> dict[str, SamuBatch]:
        """Draw every SAMU's traffic for slots [starts[i], starts[i] + slot_s)."""
        n = len(starts)
        cfg = self.config
        plans: dict[str, tuple[FloatArray, tuple[Condition, ...], IntArray, FloatArray]] = {}
        extra = {s.id: np.zeros(n, dtype=np.int64) for s in self.samus}
        overflow_out: dict[str, IntArray] = {}
        for samu in self.samus:
            rng = self._rngs[samu.id]
            local = local_time(samu, starts + slot_s / 2, cfg.days)
            expected = expected_calls(samu, local, slot_s, cfg.days, cfg.surge)
            conds, index = self.timeline.conditions(samu.id, starts)
            arrival = np.array([c.arrival for c in conds])[index]
            overflow = np.array([c.overflow for c in conds])[index]
            expected = expected * arrival
            if overflow.any() and samu.backup_id:
                moved = np.where(overflow, rng.poisson(expected), 0).astype(np.int64)
                overflow_out[samu.id] = moved
                if samu.backup_id in extra:
                    extra[samu.backup_id] += moved
            expected = np.where(overflow, 0.0, expected)
            night = local.hours < 6.0
            small = min(1.0, cfg.calls.small_samu_calls / max(samu.daily_calls, 1))
            p_transfer = cfg.calls.p_entraide + night * cfg.calls.p_entraide_night_small * small
            if not samu.backup_id:
                p_transfer = np.zeros(n)
            plans[samu.id] = (expected, conds, index, p_transfer * np.ones(n))
        batches = {}
        for samu in self.samus:
            expected, conds, index, p_transfer = plans[samu.id]
            load = cfg.surge * np.array([c.arrival for c in conds])[index]
            plan = SlotPlan(expected, extra[samu.id], index, conds, p_transfer, load)
            batch = self._batch(samu, starts, slot_s, plan)
            if samu.id in overflow_out and samu.backup_id:
                batch.add_sum(_entraide("out", samu.backup_id), overflow_out[samu.id])
            batches[samu.id] = batch
        for samu in self.samus:  # entraide in = the backup's view of transfers out
            if samu.backup_id in self._ids:
                sent = batches[samu.id].sums.get(_entraide("out", samu.backup_id))
                if sent is not None:
                    batches[samu.backup_id].add_sum(_entraide("in", samu.id), sent)
        return batches

    def _batch(
        self, samu: SamuInfo, starts: FloatArray, slot_s: float, plan: SlotPlan
    ) -> SamuBatch:
        cfg, rng, n = self.config, self._rngs[samu.id], len(starts)
        calls = draw_calls(plan, cfg.calls, rng)
        labels = tuple(sorted({lbl for c in plan.conditions for lbl in c.labels}))
        batch = SamuBatch(samu.id, starts, slot_s, labels=labels)
        setups = per_slot(calls.slot, calls.setup, n, len(calls.keys))
        for i, (outcome, code, component) in enumerate(calls.keys):
            series = (SETUPS, attrs(outcome=outcome, sip_status_code=code, component=component))
            batch.add_sum(series, setups[:, i])
        ok = calls.setup == 0
        batch.delays = (calls.delay[ok], calls.slot[ok])
        batch.hists[SETUP_SERIES] = histogram(calls.delay[ok], calls.slot[ok], n, SETUP_BOUNDS)
        answered = calls.fate == ANSWERED
        batch.waits = (calls.wait[answered], calls.slot[answered])
        batch.hists[ANSWER_SERIES] = histogram(
            calls.wait[answered], calls.slot[answered], n, ANSWER_BOUNDS
        )
        gone = calls.fate == ABANDONED
        late = (calls.wait[gone] >= 15.0).astype(np.int64)
        split = per_slot(calls.slot[gone], late, n, 2)
        batch.add_sum((ABANDONED_CALLS, attrs(outcome="under_15s")), split[:, 0])
        batch.add_sum((ABANDONED_CALLS, attrs(outcome="over_15s")), split[:, 1])
        if samu.backup_id:
            moved = np.bincount(calls.slot[calls.fate == TRANSFERRED], minlength=n)
            batch.add_sum(_entraide("out", samu.backup_id), moved.astype(np.int64))
        self._synthetic(batch, samu.id, PROBES, plan, ("success", "failure"))
        self._synthetic(batch, samu.id, CHECKS, plan, ("ok", "fail"))
        for component in WATCHED_COMPONENTS:
            up = np.array([float(component not in c.down) for c in plan.conditions])
            batch.gauges[(COMPONENT_UP, attrs(component=component))] = up[plan.cond_index]
        if any(c.flap > 0 for c in plan.conditions):  # drawn only then: other streams unchanged
            flap = _per_condition(plan, lambda c: c.flap)
            down = rng.random(n) < flap
            for component in {c.flap_component for c in plan.conditions if c.flap > 0}:
                series = (COMPONENT_UP, attrs(component=component))
                batch.gauges[series] = np.where(down, 0.0, batch.gauges[series])
        factor = _per_condition(plan, lambda c: c.latency_factor)
        shift = _per_condition(plan, lambda c: c.latency_shift_s)
        latency = rng.uniform(cfg.calls.latency_low_s, cfg.calls.latency_high_s, n) * factor + shift
        batch.gauges[(LATENCY, attrs(component="network"))] = latency
        return batch

    def _synthetic(
        self, batch: SamuBatch, samu_id: str, metric: str, plan: SlotPlan, outcomes: tuple[str, str]
    ) -> None:
        """Probes or reachability checks: scheduled instants per slot, some failing."""
        rng, params, probe = self._rngs[samu_id], self.config.calls, metric == PROBES
        interval = self.config.probe_interval_s if probe else self.config.heartbeat_interval_s
        planned = scheduled(batch.starts, batch.slot_s, interval, _phase(samu_id, interval))
        base = params.probe_fail if probe else params.check_fail
        p = _per_condition(plan, lambda c: max(base, c.probe_fail if probe else c.check_fail))
        failed = rng.binomial(planned, np.clip(p, 0.0, 1.0)).astype(np.int64)
        batch.add_sum((metric, attrs(outcome=outcomes[0])), planned - failed)
        components = [c.probe_component if probe else c.check_component for c in plan.conditions]
        for component in sorted(set(components)):
            mask = np.array([c == component for c in components])[plan.cond_index]
            series = (metric, attrs(outcome=outcomes[1], component=component))
            batch.add_sum(series, np.where(mask, failed, 0))


def _per_condition(plan: SlotPlan, value: Callable[[Condition], float]) -> FloatArray:
    """A per-slot array of a value computed once per distinct condition."""
    return np.array([value(c) for c in plan.conditions], dtype=np.float64)[plan.cond_index]


def _entraide(direction: str, peer: str) -> SeriesId:
    return (ENTRAIDE, attrs(direction=direction, peer_samu_id=peer))
