"""The SLO benchmark runs end to end in its quick mode (its figures mean nothing there)."""

from __future__ import annotations

import math

from bench.slo import run


def test_the_quick_run_measures_every_part_of_the_slo_benchmark() -> None:
    figures = run(quick=True)
    names = " | ".join(f.benchmark for f in figures)
    for part in (
        "SLO tick, 1 month",
        "1 year",
        "Prometheus",
        "detection p95 after the first missed check",
        "smallest SAMU at night",
        "alert quality, seed 2031",
        "false pages",
        "partial 5 % failure detection",
        "reset after recovery",
        "pages during planned maintenance",
        "collector restart",
        "judged a Vigie gap and judged again",
    ):
        assert part in names
    # a figure that could not be measured is a target reported as missed, never a silent gap
    assert all(f.met is False for f in figures if math.isnan(f.value))
    tick = next(f for f in figures if f.benchmark.startswith("SLO tick, 1 month"))
    assert tick.value > 0
    night = next(f for f in figures if "smallest SAMU at night" in f.benchmark)
    assert night.value < 60  # the heartbeat pages a silent small SAMU at night within a minute
