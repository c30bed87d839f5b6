"""Benchmark of the SLO engine (issue 3): tick time, Prometheus, detection, false pages, scenarios.

Each part runs in its own child process with its own chdb directory (chdb allows one per
process): `bench.slo_tick` (tick time, 1 month vs 1 year), `bench.slo_prom` (our tick vs
Prometheus on the same counts), `bench.slo_detect` (outage detection with 10 s ticks in
simulated time, ours vs the plain Workbook pair), `bench.slo_backtest` (a simulated month
replayed under both policies). Method and limits: docs/slo-benchmark.md.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
import tempfile
from typing import Any

import numpy as np

from bench.figure import Figure

NOTES = (
    "**SLO engine** (`bench/slo.py`, method and limits in docs/slo-benchmark.md). Tick: every "
    "shipped SLO and guard for the 100 SAMU of the registry over all alert windows and the "
    "28/30-day windows, median of ticks 10 s apart, after 35 days of per-minute history and "
    "again after 331 older days added to the hour rollup. Prometheus: Debian's 2.42 on the "
    "same S1 counts (7 days, cumulative counters one sample a minute, backfilled with "
    "promtool), `evalTotalTime` of the 8 Sloth-style ratio expressions (5m … 30d) summed, vs "
    "our S1-only tick on the same store. Detection: total outages of 8 SAMU of spread sizes "
    "in each of 4 windows (Paris 03:40, 09:15, 15:05, 21:50), 10 s export and heartbeat, engine "
    "ticks every 10 s of simulated time at a random phase; the plain Workbook is S1 with its "
    "burn-rate pairs only, in the same engine. Month: 12 SAMU (6 normal, 6 with a daily "
    "incident), seed 2031, replayed at every minute by the vectorised backtest."
)
TICK_TARGET_MS = 100.0
START_TARGET_S = 5.0
DETECT_TARGET_S = 45.0


def _child(module: str, quick: bool) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="vigie-bench-slo-") as tmp:
        command = [sys.executable, "-m", module, tmp, "quick" if quick else "full"]
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


def _p95(values: list[float]) -> float:
    return float(np.percentile(values, 95)) if values else math.nan


def detect_figures(r: dict[str, Any]) -> list[Figure]:
    """Outage detection, ours vs plain Workbook, p95 and the small-SAMU-at-night case."""
    rows = [o for w in r["windows"] for o in w["outages"]]
    cap = float(r["cap_s"])
    ours = [o["ours_s"] if o["ours_s"] is not None else cap for o in rows]
    plain = [o["workbook_s"] if o["workbook_s"] is not None else cap for o in rows]
    missed = sum(o["workbook_s"] is None for o in rows)
    night = [o for o in rows if o["local"] < "06:00"]
    small = min(night or rows, key=lambda o: o["daily_calls"])
    false = sorted({s for w in r["windows"] for s in w["false_page_samu"]})
    p_ours, p_plain = _p95(ours), _p95(plain)
    label = f"{len(rows)} outages"
    small_plain = small["workbook_s"]
    return [
        Figure(
            f"outage detection p95, ours ({label})",
            p_ours,
            "s",
            f"≤ {DETECT_TARGET_S:.0f}",
            f"Workbook pair p95 {p_plain:.0f} s",
            p_ours / p_plain,
            p_ours <= DETECT_TARGET_S,
        ),
        Figure(
            f"outage detection p95, plain Workbook pair ({missed} not within {cap:.0f} s, "
            "counted as the cap)",
            p_plain,
            "s",
        ),
        Figure(
            f"outage detection, smallest SAMU at night ({small['samu']}, "
            f"{small['daily_calls']} calls/day, {small['local']})",
            small["ours_s"] or cap,
            "s",
            f"≤ {DETECT_TARGET_S:.0f}",
            "Workbook " + (f"{small_plain:.0f} s" if small_plain else f"none in {cap:.0f} s"),
            None,
            (small["ours_s"] or cap) <= DETECT_TARGET_S,
        ),
        Figure(
            "pages for SAMU not in outage, detection windows",
            float(len(false)),
            "SAMU",
            "0",
            ", ".join(false),
            None,
            not false,
        ),
    ]


def month_figures(r: dict[str, Any]) -> list[Figure]:
    """False pages over the month and per-scenario precision/recall, ours vs Workbook."""
    ours, plain = r["ours"], r["workbook"]
    normal = len(r["normal_pages"])
    out = [
        Figure(
            f"false pages, simulated month ({len(r['samu'])} SAMU, seed {r['seed']}), ours: "
            + _by(ours["all"]["false_by"]),
            float(ours["all"]["false_pages"]),
            "pages",
            "0",
            f"Workbook {plain['all']['false_pages']}: " + _by(plain["all"]["false_by"]),
            None,
            ours["all"]["false_pages"] == 0,
        ),
        Figure(
            f"pages on the {len(r['normal'])} SAMU with normal traffic all month, ours",
            float(normal),
            "pages",
            "0",
            "",
            None,
            normal == 0,
        ),
        Figure(
            f"backtest replay time ({r['minutes']:,} minute ticks × {len(r['samu'])} SAMU, "
            "all SLOs and guards)",
            r["backtest_s"],
            "s",
        ),
    ]
    for kind in ("outage", "carrier", "trunk", "latency", "slowdb"):
        a, b = ours[kind], plain[kind]
        if not a["incidents"]:
            continue
        out.append(
            Figure(
                f"{kind}: recall ours (n={a['incidents']}; precision {_pct(a['precision'])}, "
                f"detect p50/p95 {_s(a['detect_p50_s'])}/{_s(a['detect_p95_s'])}, reset p50 "
                f"{_s(a['reset_p50_s'])})",
                a["recall"] or 0.0,
                "ratio",
                "",
                f"Workbook recall {_pct(b['recall'])}, precision {_pct(b['precision'])}, detect "
                f"p50/p95 {_s(b['detect_p50_s'])}/{_s(b['detect_p95_s'])}, reset p50 "
                f"{_s(b['reset_p50_s'])}",
            )
        )
    return out


def _by(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {k}" for k, n in sorted(counts.items(), key=lambda kv: -kv[1])) or "—"


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0%}"


def _s(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f} s"


def run(quick: bool = False) -> list[Figure]:
    """Every part, each in a child process (quick: tiny sizes that prove the harness)."""
    figures = tick_figures(_child("bench.slo_tick", quick))
    figures += prom_figures(_child("bench.slo_prom", quick))
    figures += detect_figures(_child("bench.slo_detect", quick))
    figures += month_figures(_child("bench.slo_backtest", quick))
    return figures


if __name__ == "__main__":
    for figure in run(quick="--quick" in sys.argv):
        print(figure)
