"""Per-call draws: setup outcome and delay, then answered, abandoned or transferred (vectorised).

Defaults follow DOMAIN.md: setup success ~99.97 % of platform attempts (caller CANCEL ~1 % is not
a platform failure), setup delay lognormal around 0.3 s with a 0.5 % slower tail (99 % < 1 s,
99.9 % < 3 s), time to answer lognormal with median 15 s (≈ 92 % of answered calls within 60 s,
so QS60 over presented calls ≈ 86 %), ~6 % abandonment split around 15 s.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from collector.simulator.condition import Condition

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
SetupKey = tuple[str, str, str]  # (outcome, sip.status_code, component); "" = attribute absent

SUCCESS: SetupKey = ("success", "200", "")
BASE_SETUPS: tuple[SetupKey, ...] = (
    SUCCESS,
    ("caller_cancelled", "487", ""),
    ("failed", "500", "telephony"),
    ("rejected", "503", "telephony"),
    ("timeout", "408", "telephony"),
    ("timeout", "504", "telephony"),
)

# Fate of a call once set up (or not).
NOT_CONNECTED, ANSWERED, ABANDONED, TRANSFERRED = 0, 1, 2, 3


@dataclass(frozen=True)
class CallParams:
    """Probabilities and distributions of one call's life; defaults are the normal platform."""

    p_cancel: float = 0.01
    # A normal platform meets its objectives (99.99 % nationally): 0.005 % of setups fail.
    p_failed_500: float = 0.00002
    p_rejected_503: float = 0.00002
    p_timeout_408: float = 0.000005
    p_timeout_504: float = 0.000005
    delay_median_s: float = 0.3
    delay_sigma: float = 0.35
    tail_fraction: float = 0.005
    tail_median_s: float = 0.8
    tail_sigma: float = 0.6
    wait_median_s: float = 15.0
    wait_sigma: float = 1.0
    p_abandon: float = 0.06
    abandon_median_s: float = 15.0
    abandon_sigma: float = 1.0
    p_entraide: float = 0.004
    p_entraide_night_small: float = 0.03  # extra transfer probability at night (00–06 local)
    small_samu_calls: float = 600.0  # a SAMU this small or smaller gets the full night extra
    probe_fail: float = 0.00005
    check_fail: float = 0.00002
    latency_low_s: float = 0.020
    latency_high_s: float = 0.040

    def base_probabilities(self) -> tuple[float, ...]:
        """Probabilities of BASE_SETUPS, in order; success takes the remainder."""
        rare = (
            self.p_cancel,
            self.p_failed_500,
            self.p_rejected_503,
            self.p_timeout_408,
            self.p_timeout_504,
        )
        return (1.0 - sum(rare), *rare)


@dataclass(frozen=True, eq=False)
class SlotPlan:
    """Per slot of one SAMU's window: what to draw and under which condition."""

    expected: FloatArray  # expected arriving calls (scenario arrival factor applied)
    extra: IntArray  # calls routed in from SAMU in overflow, arriving on top
    cond_index: IntArray  # index into `conditions`
    conditions: tuple[Condition, ...]
    p_transfer: FloatArray  # entraide transfer probability of a set-up call
    load: FloatArray  # surge multiplier: longer waits and more abandonment


@dataclass(frozen=True, eq=False)
class Calls:
    """One item per call: its slot, setup category (index into `keys`), delay, fate and wait."""

    slot: IntArray
    setup: IntArray
    keys: tuple[SetupKey, ...]
    delay: FloatArray  # seconds; meaningful for successful setups only
    fate: IntArray
    wait: FloatArray  # time to answer (answered) or to hang-up (abandoned), seconds


def setup_keys(conditions: tuple[Condition, ...]) -> tuple[SetupKey, ...]:
    """The base setup categories plus each scenario failure mode, without repeats."""
    keys = list(BASE_SETUPS)
    for cond in conditions:
        key = (cond.failure.outcome, cond.failure.sip_code, cond.failure.component)
        if cond.setup_fail > 0 and key not in keys:
            keys.append(key)
    return tuple(keys)


def _cumulative(cond: Condition, keys: tuple[SetupKey, ...], params: CallParams) -> FloatArray:
    probs = np.zeros(len(keys))
    probs[: len(BASE_SETUPS)] = np.array(params.base_probabilities()) * (1.0 - cond.setup_fail)
    if cond.setup_fail > 0:
        fail = (cond.failure.outcome, cond.failure.sip_code, cond.failure.component)
        probs[keys.index(fail)] += cond.setup_fail
    return np.cumsum(probs)


def draw_calls(plan: SlotPlan, params: CallParams, rng: np.random.Generator) -> Calls:
    """Draw the calls of every slot: Poisson arrivals, then each call's setup and fate."""
    counts = rng.poisson(plan.expected) + plan.extra
    slot = np.repeat(np.arange(len(counts), dtype=np.int64), counts)
    n = len(slot)
    keys = setup_keys(plan.conditions)
    cum = np.stack([_cumulative(c, keys, params) for c in plan.conditions])
    cond = plan.cond_index[slot]
    setup = (rng.random(n)[:, None] >= cum[cond][:, : len(keys) - 1]).sum(axis=1)
    delay_factor = np.array([c.delay_factor for c in plan.conditions])[cond]
    delay_shift = np.array([c.delay_shift_s for c in plan.conditions])[cond]
    z = rng.standard_normal(n)
    tail = rng.random(n) < params.tail_fraction
    delay = np.where(
        tail,
        params.tail_median_s * np.exp(params.tail_sigma * z),
        params.delay_median_s * np.exp(params.delay_sigma * z),
    )
    load = np.maximum(plan.load[slot], 1.0)
    wait_factor = np.array([c.wait_factor for c in plan.conditions])[cond] * load
    p_transfer = plan.p_transfer[slot]
    p_abandon = np.minimum(params.p_abandon * np.minimum(wait_factor, 4.0), 0.5)
    v = rng.random(n)
    fate = np.where(
        v < p_transfer, TRANSFERRED, np.where(v < p_transfer + p_abandon, ABANDONED, ANSWERED)
    )
    fate = np.where(setup == 0, fate, NOT_CONNECTED)
    answer = params.wait_median_s * wait_factor * np.exp(params.wait_sigma * rng.standard_normal(n))
    hang_up = params.abandon_median_s * np.exp(params.abandon_sigma * rng.standard_normal(n))
    wait = np.where(fate == ABANDONED, hang_up, answer)
    return Calls(
        slot=slot,
        setup=setup.astype(np.int64),
        keys=keys,
        delay=delay * delay_factor + delay_shift,
        fate=fate.astype(np.int64),
        wait=wait,
    )


def per_slot(slots: IntArray, category: IntArray, n_slots: int, n_categories: int) -> IntArray:
    """Counts per (slot, category) as an (n_slots, n_categories) array."""
    flat = np.bincount(slots * n_categories + category, minlength=n_slots * n_categories)
    return flat.reshape(n_slots, n_categories).astype(np.int64)


def histogram(
    values: FloatArray, slots: IntArray, n_slots: int, bounds: tuple[float, ...]
) -> tuple[IntArray, FloatArray]:
    """OTel explicit-bucket counts per slot (bucket i: bounds[i-1] < v <= bounds[i]) and sums."""
    bucket = np.searchsorted(np.array(bounds), values, side="left").astype(np.int64)
    counts = per_slot(slots, bucket, n_slots, len(bounds) + 1)
    sums = np.bincount(slots, weights=values, minlength=n_slots).astype(np.float64)
    return counts, sums


def scheduled(starts: FloatArray, slot_s: float, interval_s: float, phase_s: float) -> IntArray:
    """How many instants phase + k·interval fall in each slot [start, start + slot_s)."""
    first = np.ceil((starts - phase_s) / interval_s)
    after = np.ceil((starts + slot_s - phase_s) / interval_s)
    return (after - first).astype(np.int64)
