"""The SLO and alert-quality benchmarks run end to end in their quick mode (their figures mean
nothing there)."""

from __future__ import annotations

import math

from bench import slo, slo_quality


def test_the_quick_run_measures_every_part_of_the_slo_benchmarks() -> None:
    engine, quality = slo.run(quick=True), slo_quality.run(quick=True)
    # each row is its module's (`bench.run_all --only` replaces a module's rows by PREFIXES)
    assert all(f.benchmark.startswith(slo.PREFIXES) for f in engine)
    assert all(f.benchmark.startswith(slo_quality.PREFIXES) for f in quality)
    figures = engine + quality
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
