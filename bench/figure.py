"""One measured figure of a benchmark, as a row of docs/benchmarks.md."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Figure:
    """A measured value, its target and the baseline it is compared with in the same run."""

    benchmark: str
    value: float
    unit: str
    target: str = ""  # e.g. "≥ 60,000"; empty when the figure is context, not a goal
    baseline: str = ""  # what the ratio divides by, with its value
    ratio: float | None = None
    met: bool | None = None  # None when there is no target


def rate(count: float, seconds: float) -> float:
    """Items per second, 0 for an empty interval."""
    return count / seconds if seconds > 0 else 0.0
