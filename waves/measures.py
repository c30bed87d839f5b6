"""What a wave comparison measures, and how: each figure, its better direction, its margin, and
the method (days on each side, the resampling unit, the confidence, the resamples).

A figure's margin is the smallest change that is worth a verdict: below it a real but tiny
change is `same`. Margins are in the figure's own unit (a share of 1, or seconds).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from slo.model import SLO

Unit = Literal["hour", "day"]
UNIT_HOURS = {"hour": 1, "day": 24}

# The SLO specs whose SLIs a comparison states (the first found wins), as the report's roles.
AVAILABILITY_IDS = ("s1-call-setup",)
REACHABILITY_IDS = ("s3-reachability",)
SETUP_METRIC = "samu.call.setup.duration"
LATENCY_METRIC = "samu.network.latency"
HEALTH_METRIC = "samu.component.up"


@dataclass(frozen=True)
class Figure:
    """One compared figure: its key, which way is better, the smallest change worth a verdict."""

    key: str
    higher_is_better: bool
    margin: float
    unit: Literal["share", "seconds"]
    quantile: float | None = None  # setup latency percentiles


FIGURES: tuple[Figure, ...] = (
    Figure("availability", True, 0.0001, "share"),  # S1: 0.01 point, a fifth of the budget
    Figure("reachability", True, 0.0001, "share"),  # S3: about one minute a week
    Figure("setup_p50", False, 0.005, "seconds", 0.50),
    # p95 and p99 fall in the 0.5–1 s bucket: read by interpolation, they move in steps of
    # tens of ms with the share of calls under 0.5 s; below 20 ms a change is not read as one.
    Figure("setup_p95", False, 0.020, "seconds", 0.95),
    Figure("setup_p99", False, 0.020, "seconds", 0.99),
    Figure("network_latency", False, 0.002, "seconds"),
    Figure("component_health", True, 0.001, "share"),  # 0.1 point of component-minutes up
)
BY_KEY = {f.key: f for f in FIGURES}


@dataclass(frozen=True)
class Method:
    """How a comparison is made (stated with every result, so that it can be repeated)."""

    days: int = 7  # on each side of the night: a whole week keeps weekdays and weekends even
    unit: Unit = "hour"
    # Per figure. A wave states seven figures for up to ten SAMU, so each must rarely be wrong:
    # no false verdict in 600 comparisons without a change (bench/waves.py, which also measures
    # what a week can catch: +15 ms always, 1 point of failures on a small SAMU rarely).
    confidence: float = 0.999
    resamples: int = 10_000  # enough draws to place the 0.05 % tails

    def __post_init__(self) -> None:
        if not 1 <= self.days <= 34:
            raise ValueError("days must be within 1..34 (raw data is kept 35 days)")
        if self.unit not in UNIT_HOURS:
            raise ValueError(f"unit must be hour or day, not {self.unit!r}")
        if not 0.5 <= self.confidence < 1.0:
            raise ValueError("confidence must be within [0.5, 1)")
        if not 100 <= self.resamples <= 100_000:
            raise ValueError("resamples must be within 100..100000")


@dataclass(frozen=True)
class Sources:
    """The specs and metrics a comparison reads (from the loaded specs and the catalogue)."""

    availability: SLO | None
    reachability: SLO | None
    setup_bounds: tuple[float, ...]  # the setup-latency histogram's bucket bounds
    setup_metric: str = SETUP_METRIC
    latency_metric: str = LATENCY_METRIC
    health_metric: str = HEALTH_METRIC

    @property
    def slos(self) -> list[SLO]:
        return [s for s in (self.availability, self.reachability) if s is not None]


def sources_of(slos: list[SLO] | tuple[SLO, ...], setup_bounds: tuple[float, ...]) -> Sources:
    """The comparison's specs among the loaded ones (None when a spec is not shipped)."""
    by_id = {s.id: s for s in slos}

    def first(ids: tuple[str, ...]) -> SLO | None:
        return next((by_id[i] for i in ids if i in by_id), None)

    return Sources(first(AVAILABILITY_IDS), first(REACHABILITY_IDS), tuple(setup_bounds))
