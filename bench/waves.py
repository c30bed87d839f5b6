"""Benchmark: how often a migration wave's comparison gives a false verdict, and how often it
catches a real change — the method of `waves.compare` on simulated hours with a known truth.

Each trial draws 7 days of hours on each side of a night from one process (no change: any
verdict other than `same` is false) or from a process that changed after the night (a verdict
of `worse` is a catch), and judges it as a comparison does (`waves.stats.bootstrap` over whole
hours with the default `Method`, then `waves.stats.verdict` with the figure's margin):

- availability of a small SAMU (3 calls an hour on average, by a day's rhythm) and of a large
  one (60 an hour): a failure now and then (0.05 %) and incident hours (one in 200 hours: half
  the calls of the hour fail) — the bursts that make one bad hour on a small SAMU look big;
- network latency (a point a minute: 30 ms, 3 ms of noise per point and 1 ms per hour).

The changes to catch: 1 point more of calls failing after the night on the small SAMU, 0.1 point
on the large one (a move gone wrong), +15 ms of latency (the site farther from the new
platform). Pure numpy, seeded: the same run gives the same figures. `python -m bench.waves`
prints them.
"""

from __future__ import annotations

import time

import numpy as np
import numpy.typing as npt

from bench.figure import Figure
from waves.measures import BY_KEY, Method
from waves.stats import bootstrap, ratio, verdict

NOTES = (
    "waves: the share of false verdicts per SAMU and figure when nothing changed (7 days each "
    "side, 99.9 % bootstrap intervals over hours, the figure's margin), on a small SAMU (3 "
    "calls/h) and a large one (60 calls/h) with incident hours, and on network latency; and the "
    "share of real changes caught (1 point of failed calls on the small SAMU, 0.1 point on the "
    "large one, +15 ms of latency)."
)
HOURS = 7 * 24
Floats = npt.NDArray[np.float64]
_RHYTHM = 0.4 + 0.6 * np.sin(np.linspace(0.0, np.pi, 24)) ** 2  # calls by hour of the day


def calls(rng: np.random.Generator, per_hour: float, extra_fail: float = 0.0) -> Floats:
    """HOURS × (good, valid) call counts of one side."""
    valid = rng.poisson(per_hour * np.tile(_RHYTHM / _RHYTHM.mean(), HOURS // 24))
    share = np.where(rng.random(HOURS) < 1 / 200, 0.5, 0.0005) + extra_fail
    failed = rng.binomial(valid, np.minimum(share, 1.0))
    return np.stack([valid - failed, valid], axis=1).astype(np.float64)


def latency(rng: np.random.Generator, shift_s: float = 0.0) -> Floats:
    """HOURS × (Σ values, points) of a gauge read once a minute."""
    hourly = 0.030 + shift_s + rng.normal(0.0, 0.001, HOURS)
    total = hourly * 60 + rng.normal(0.0, 0.003 * np.sqrt(60), HOURS)
    return np.stack([total, np.full(HOURS, 60.0)], axis=1)


def judged(before: Floats, after: Floats, key: str, seed: int, method: Method) -> str:
    figure = BY_KEY[key]
    found = bootstrap(
        before,
        after,
        ratio,
        confidence=method.confidence,
        resamples=method.resamples,
        seed=seed,
    )
    return verdict(found, figure.margin, figure.higher_is_better)


def share_of(
    trials: int, draw: str, seed: int, method: Method, wanted: set[str]
) -> tuple[float, float]:
    """The share of `trials` whose verdict is in `wanted`, and the seconds per comparison."""
    rng = np.random.default_rng(seed)
    hits, started = 0, time.perf_counter()
    for i in range(trials):
        if draw == "small":
            pair, key = (calls(rng, 3.0), calls(rng, 3.0)), "availability"
        elif draw == "large":
            pair, key = (calls(rng, 60.0), calls(rng, 60.0)), "availability"
        elif draw == "broken":
            pair, key = (calls(rng, 3.0), calls(rng, 3.0, 0.01)), "availability"
        elif draw == "broken_large":
            pair, key = (calls(rng, 60.0), calls(rng, 60.0, 0.001)), "availability"
        elif draw == "latency":
            pair, key = (latency(rng), latency(rng)), "network_latency"
        else:  # shifted
            pair, key = (latency(rng), latency(rng, 0.015)), "network_latency"
        hits += judged(pair[0], pair[1], key, seed * 100_003 + i, method) in wanted
    return hits / trials, (time.perf_counter() - started) / trials


def run(quick: bool) -> list[Figure]:
    trials = 5 if quick else 200
    method = Method()
    rows: list[Figure] = []
    per_comparison = []
    for draw, label in (
        ("small", "false verdicts, availability, small SAMU"),
        ("large", "false verdicts, availability, large SAMU"),
        ("latency", "false verdicts, network latency"),
    ):
        share, seconds = share_of(trials, draw, 1 + len(rows), method, {"better", "worse"})
        per_comparison.append(seconds)
        rows.append(Figure(f"waves: {label}", share * 100, f"% of {trials} trials"))
    for draw, label in (
        ("broken", "1 pt of failed calls caught, small SAMU"),
        ("broken_large", "0.1 pt of failed calls caught, large SAMU"),
        ("shifted", "+15 ms of latency caught"),
    ):
        share, seconds = share_of(trials, draw, 1 + len(rows), method, {"worse"})
        per_comparison.append(seconds)
        rows.append(Figure(f"waves: {label}", share * 100, f"% of {trials} trials"))
    rows.append(
        Figure(
            "waves: one figure of one SAMU compared",
            float(np.mean(per_comparison)) * 1000,
            f"ms ({method.resamples} resamples, {HOURS} hours a side)",
        )
    )
    return rows


if __name__ == "__main__":
    for figure in run(quick=False):
        print(f"{figure.benchmark}: {figure.value:.2f} {figure.unit}")
