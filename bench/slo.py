"""Benchmark of the SLO engine (issue 3): tick time, Prometheus, detection, false pages, scenarios.

Each part runs in its own child process with its own chdb directory (chdb allows one per
process): `bench.slo_tick` (tick time, 1 month vs 1 year), `bench.slo_prom` (our tick vs
Prometheus on the same counts), `bench.slo_detect` (outage detection with 10 s ticks in
simulated time, ours vs the plain Workbook pair), `bench.slo_backtest` (a simulated month
replayed under both policies). Method and limits: docs/slo-benchmark.md.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from typing import Any

from bench.figure import Figure
from bench.slo_quality import MONTH_SEEDS, detect_figures, month_figures, platform_figures

NOTES = (
    "**SLO engine** (`bench/slo.py`, method and limits in docs/slo-benchmark.md). Tick: every "
    "shipped SLO and guard for the 100 SAMU of the registry over all alert windows and the "
    "28/30-day windows, median of ticks 10 s apart, after 35 days of per-minute history and "
    "again after 331 older days added to the hour rollup. Prometheus: Debian's 2.42 on the "
    "same S1 counts (7 days, cumulative counters one sample a minute, backfilled with "
    "promtool), `evalTotalTime` of the 8 Sloth-style ratio expressions (5m … 30d) summed, vs "
    "our S1-only tick on the same store. Alert quality (issue 13.6): detection — total "
    "outages of 8 SAMU and carrier silences of 4 others, of spread sizes, in each of 4 windows "
    "(Paris 03:40, 09:15, 15:05, 21:50; seeds 3000–3003 history, 4000–4003 live), 10 s export "
    "and heartbeat, the engine ticking every 10 s of simulated time at a random phase, delays "
    "from the first missed check; the plain Workbook is S1 with its burn-rate pairs only, in "
    "the same engine. Our own faults — a 3-minute collector restart and 10 minutes of everyone's "
    "data landing 2 h late — live the same way. Month — per seed (2031 the bench's month, 2032 "
    "and 2033 fresh; the policy was tuned on 101 and 102, never reported), 12 SAMU (6 normal, 6 "
    "with a daily incident of 7 kinds in turn, plus fleet-wide restarts and late replays), "
    "replayed at every minute by the backtest under our policy and under the plain Workbook "
    "in the same run, scored against the incidents played."
)
TICK_TARGET_MS = 100.0
START_TARGET_S = 5.0


def _child(module: str, quick: bool, *more: str) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="vigie-bench-slo-") as tmp:
        command = [sys.executable, "-m", module, tmp, "quick" if quick else "full", *more]
        out = subprocess.run(command, capture_output=True, check=True, text=True)
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def tick_figures(r: dict[str, Any]) -> list[Figure]:
    """Tick time, month vs year."""
    month, year = r["month"]["median_ms"], r["year"]["median_ms"]
    what = f"{r['samu']} SAMU, {r['slos']} SLOs + {r['guards']} guard"
    return [
        Figure(
            f"SLO tick, 1 month of history ({what})",
            month,
            "ms",
            f"≤ {TICK_TARGET_MS:.0f}",
            met=month <= TICK_TARGET_MS,
        ),
        Figure(
            f"SLO tick, 1 year of history ({what}; {r['hour_rows']:,} hour rows)",
            year,
            "ms",
            f"≤ {TICK_TARGET_MS:.0f}, flat",
            f"1 month {month:.0f} ms",
            year / month,
            year <= TICK_TARGET_MS,
        ),
        Figure(
            f"SLO engine start: ledger rebuilt from the rollups, 1 year of history ({what})",
            r["start_s"],
            "s",
            f"≤ {START_TARGET_S:.0f}",
            met=r["start_s"] <= START_TARGET_S,
        ),
        Figure(
            f"SLO tick after that start ({what})",
            r["after_start"]["median_ms"],
            "ms",
            f"≤ {TICK_TARGET_MS:.0f}",
            met=r["after_start"]["median_ms"] <= TICK_TARGET_MS,
        ),
    ]


def prom_figures(r: dict[str, Any]) -> list[Figure]:
    """Prometheus vs our tick on the same counts."""
    ours = r["ours_s1"]["median_ms"]
    prom = r["prom_eval_ms"]
    data = f"{r['samu']} SAMU × {r['days']} d, {r['samples']:,} samples"
    return [
        Figure(
            f"Prometheus 2.42: S1 ratio rules 5m…30d ({data})",
            prom,
            "ms",
            "",
            f"our S1 tick {ours:.0f} ms",
            prom / ours,
        ),
        Figure(
            "our S1 tick vs Prometheus on the same data (speed-up)",
            prom / ours,
            "×",
            "≥ 10",
            f"Prometheus {prom:.0f} ms",
            None,
            prom / ours >= 10,
        ),
        Figure(
            "our full tick (every SLO and guard) on that store",
            r["ours_full"]["median_ms"],
            "ms",
            "",
            f"Prometheus {prom:.0f} ms",
            prom / r["ours_full"]["median_ms"],
        ),
    ]


def run(quick: bool = False) -> list[Figure]:
    """Every part, each in a child process (quick: tiny sizes that prove the harness)."""
    figures = tick_figures(_child("bench.slo_tick", quick))
    figures += prom_figures(_child("bench.slo_prom", quick))
    figures += detect_figures(_child("bench.slo_detect", quick))
    figures += platform_figures(_child("bench.slo_platform", quick))
    for seed in MONTH_SEEDS[:1] if quick else MONTH_SEEDS:
        month = _child("bench.slo_backtest", quick, str(seed))
        figures += month_figures(month, detail=seed == MONTH_SEEDS[0])
    return figures


if __name__ == "__main__":
    for figure in run(quick="--quick" in sys.argv):
        print(figure)
