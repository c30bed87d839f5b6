"""Alert quality (issue 13.6): each target per seed, ours beside the plain Workbook.

A benchmark module of `bench.run_all` (`python -m bench.run_all --only bench.slo_quality`).
Each part runs in its own child process with its own chdb directory: `bench.slo_detect` (live
detection of outages and carrier silences at 10 s ticks), `bench.slo_platform` (our own
faults, live), `bench.slo_backtest` (the simulated month per seed, replayed under both
policies). Method and limits: docs/slo-benchmark.md.

Targets: recall 100 %, no false page, full outage and carrier silence detected ≤ 60 s p95 after
the first missed check (the live engine at 10 s ticks, `bench.slo_detect`), a partial failure
≤ 10 min, reset ≤ 5 min after recovery, no page during planned maintenance; our own faults (a
collector restart, a late replay) page once as a Vigie ingest gap and never a SAMU. Where a
target is not met the row says so, with the figure and why (`WHY`).
"""

from __future__ import annotations

import math
import sys
from typing import Any

import numpy as np

from bench.figure import Figure
from bench.slo import child

NOTES = (
    "**Alert quality** (`bench/slo_quality.py`, issue 13.6; targets, scoring and seeds in "
    "docs/slo-benchmark.md). Detection: total outages of 8 SAMU and carrier silences of 4 "
    "others, of spread sizes, in each of 4 windows (Paris 03:40, 09:15, 15:05, 21:50; seeds "
    "3000–3003 history, 4000–4003 live), 10 s export and heartbeat, the engine ticking every "
    "10 s of simulated time at a random phase, delays from the first missed check; the plain "
    "Workbook is S1 with its burn-rate pairs only, in the same engine. Our own faults — a "
    "3-minute collector restart and 10 minutes of everyone's data landing 2 h late — live the "
    "same way (seeds 3100/4100). Month — per seed (2031 the bench's month, 2032 and 2033 "
    "fresh; the policy was tuned on 101 and 102, never reported), 12 SAMU (6 normal, 6 with a "
    "daily incident of 7 kinds in turn, plus fleet-wide restarts and late replays), replayed "
    "at every minute by the backtest under our policy and under the plain Workbook in the same "
    "run, scored against the incidents played."
)
PREFIXES = (
    "alert quality, seed",
    "outage & carrier silence detection",
    "detection, smallest SAMU at night",
    "pages for SAMU not in outage",
    "collector restart (",
    # rows of the earlier version of this benchmark (in bench/slo.py), replaced when re-run
    "outage detection",
    "false pages, simulated month",
    "pages on the 6 SAMU with normal traffic",
    "backtest replay time",
    *(f"{kind}: recall ours" for kind in ("outage", "carrier", "trunk", "latency", "slowdb")),
)
DETECT_TARGET_S = 60.0
PARTIAL_TARGET_S = 600.0
RESET_TARGET_S = 300.0
MONTH_SEEDS = (2031, 2032, 2033)  # 2031: the bench's month; 2032, 2033: fresh (slo-benchmark.md)
PARTIAL = "partial 5 %"
# Why a target can be missed, said in the row that misses it.
WHY = {
    "recall": "missed incidents are partial 5 % failures on small SAMU: a few calls an hour at "
    "5 % is one failure in an hour or more, which no policy tells from chance without paging "
    "on chance",
    "partial": "5 % of a SAMU's calls and probe minutes takes 3 failures (the page guard) to "
    "tell from the 0.03 % of normal failures; under ~1,000 calls a day that is an hour or more",
    "reset": "the 6 h / 30 min page pair holds while its 30-min window still holds the "
    "incident's bad events (the Workbook's design); a 5-min short window resets in 5 min but "
    "pages again at every failure of a slow burn (measured: twice the pages)",
}


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0%}"


def _s(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f} s"


def _by(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {k}" for k, n in sorted(counts.items(), key=lambda kv: -kv[1])) or "—"


def month_figures(r: dict[str, Any], detail: bool) -> list[Figure]:
    """One seed's month: the targets, ours vs the Workbook; per kind when `detail`."""
    ours, plain = r["ours"], r["workbook"]
    role = "the bench's month" if r["seed"] == MONTH_SEEDS[0] else "fresh seed"
    head = f"alert quality, seed {r['seed']} ({role}, {len(r['samu'])} SAMU × {r['days']} d)"
    recall = ours["recall"] or 0.0
    missed = {
        k: v["incidents"] - round((v["recall"] or 0) * v["incidents"])
        for k, v in ours["kinds"].items()
    }
    missed = {k: n for k, n in missed.items() if n}
    partial = ours["kinds"].get(PARTIAL, {})
    p_partial = partial.get("detect_p95_s")
    out = [
        Figure(
            f"{head}: recall over {ours['incidents']} incidents of {len(ours['kinds'])} kinds"
            + (f" (missed: {_by(missed)} — {WHY['recall']})" if missed else ""),
            recall,
            "ratio",
            "100 %",
            f"Workbook {_pct(plain['recall'])}",
            None,
            recall >= 1.0,
        ),
        Figure(
            f"{head}: false pages ({_by(ours['false_by'])})",
            float(ours["false_pages"]),
            "pages",
            "0",
            f"Workbook {plain['false_pages']}",
            None,
            ours["false_pages"] == 0,
        ),
        Figure(
            f"{head}: partial 5 % failure detection p95 (n={partial.get('incidents', 0)})"
            + ("" if (p_partial or math.inf) <= PARTIAL_TARGET_S else f" — {WHY['partial']}"),
            p_partial if p_partial is not None else math.nan,
            "s",
            f"≤ {PARTIAL_TARGET_S:.0f}",
            f"Workbook {_s(plain['kinds'].get(PARTIAL, {}).get('detect_p95_s'))}",
            None,
            p_partial is not None and p_partial <= PARTIAL_TARGET_S,
        ),
        Figure(
            f"{head}: reset after recovery p95, every incident"
            + ("" if (ours["reset_p95_s"] or math.inf) <= RESET_TARGET_S else f" — {WHY['reset']}"),
            ours["reset_p95_s"] if ours["reset_p95_s"] is not None else math.nan,
            "s",
            f"≤ {RESET_TARGET_S:.0f}",
            f"Workbook {_s(plain['reset_p95_s'])}",
            None,
            ours["reset_p95_s"] is not None and ours["reset_p95_s"] <= RESET_TARGET_S,
        ),
        Figure(
            f"{head}: pages during planned maintenance ({ours['muted']} alerts muted by it)",
            float(ours["maintenance_pages"]),
            "pages",
            "0",
            f"Workbook {plain['maintenance_pages']}",
            None,
            ours["maintenance_pages"] == 0,
        ),
    ]
    if detail:
        out.append(
            Figure(
                f"{head}: backtest replay time ({r['minutes']:,} minute ticks × {len(r['samu'])} "
                "SAMU, every SLO and guard)",
                r["backtest_s"],
                "s",
            )
        )
        for kind, a in ours["kinds"].items():
            b = plain["kinds"].get(kind, {})
            out.append(
                Figure(
                    f"{head}, {kind}: recall (n={a['incidents']}; detect p50/p95 "
                    f"{_s(a['detect_p50_s'])}/{_s(a['detect_p95_s'])} by {', '.join(a['by'])}, "
                    f"reset p95 {_s(a['reset_p95_s'])}, {a['pages']} pages; minute ticks)",
                    a["recall"] or 0.0,
                    "ratio",
                    "",
                    f"Workbook recall {_pct(b.get('recall'))}, detect p50/p95 "
                    f"{_s(b.get('detect_p50_s'))}/{_s(b.get('detect_p95_s'))}, reset p95 "
                    f"{_s(b.get('reset_p95_s'))}, {b.get('pages', 0)} pages",
                )
            )
    return out


def _p95(values: list[float]) -> float:
    return float(np.percentile(values, 95)) if values else math.nan


def detect_figures(r: dict[str, Any]) -> list[Figure]:
    """Live detection at 10 s ticks: per window (its own seeds) and over all windows."""
    cap = float(r["cap_s"])
    out = []
    every: list[dict[str, Any]] = []
    for k, w in enumerate(r["windows"]):
        rows = w["outages"]
        every += rows
        ours = [o["ours_after_missed_s"] if o["ours_s"] is not None else cap for o in rows]
        plain = [o["workbook_s"] if o["workbook_s"] is not None else cap for o in rows]
        kinds = ", ".join(
            f"{sum(o['kind'] == kind for o in rows)} {kind}" for kind in ("outage", "carrier")
        )
        p_ours = _p95(ours)
        out.append(
            Figure(
                f"outage & carrier silence detection p95 after the first missed check, live "
                f"10 s ticks, window {k} (Paris {w['local']}, seeds {w['seeds']}; {kinds})",
                p_ours,
                "s",
                f"≤ {DETECT_TARGET_S:.0f}",
                f"Workbook p95 {_p95(plain):.0f} s (not seen within {cap:.0f} s counted as "
                f"{cap:.0f})",
                None,
                p_ours <= DETECT_TARGET_S,
            )
        )
    ours = [o["ours_after_missed_s"] if o["ours_s"] is not None else cap for o in every]
    night = [o for o in every if o["local"] < "06:00"]
    small = min(night or every, key=lambda o: o["daily_calls"])
    false = sorted({s for w in r["windows"] for s in w["false_page_samu"]})
    out += [
        Figure(
            f"outage & carrier silence detection p95 after the first missed check, all "
            f"{len(r['windows'])} windows ({len(every)} SAMU)",
            _p95(ours),
            "s",
            f"≤ {DETECT_TARGET_S:.0f}",
            "",
            None,
            _p95(ours) <= DETECT_TARGET_S,
        ),
        Figure(
            f"detection, smallest SAMU at night ({small['samu']}, {small['kind']}, "
            f"{small['daily_calls']} calls/day, {small['local']})",
            small["ours_after_missed_s"] if small["ours_s"] is not None else cap,
            "s",
            f"≤ {DETECT_TARGET_S:.0f}",
            "Workbook "
            + (f"{small['workbook_s']:.0f} s" if small["workbook_s"] else f"none in {cap:.0f} s"),
            None,
            small["ours_s"] is not None and small["ours_after_missed_s"] <= DETECT_TARGET_S,
        ),
        Figure(
            "pages for SAMU not in outage or silence (national included), detection windows",
            float(len(false)),
            "pages",
            "0",
            ", ".join(false),
            None,
            not false,
        ),
    ]
    return out


def platform_figures(r: dict[str, Any]) -> list[Figure]:
    """Our own faults, live: a collector restart and a late replay."""
    what = (
        f"collector restart ({r['restart_s'] / 60:.0f} min) and late replay "
        f"({r['late_s'] / 60:.0f} min of data {r['delay_s'] / 3600:g} h late), {r['samu']} SAMU, "
        "live 10 s ticks"
    )
    before, after = r["late_gap_minutes_before"], r["late_gap_minutes_after"]
    corrected = None if before is None or after is None else before - after
    return [
        Figure(
            f"{what}: SAMU pages" + (f" ({', '.join(r['samu_pages'])})" if r["samu_pages"] else ""),
            float(len(r["samu_pages"])),
            "pages",
            "0",
            "",
            None,
            not r["samu_pages"],
        ),
        Figure(
            f"{what}: Vigie ingest gap pages",
            float(r["gap_pages"]),
            "pages",
            "2 (one per fault)",
            "",
            None,
            r["gap_pages"] == 2,
        ),
        Figure(
            f"{what}: S3 SAMU-minutes judged a Vigie gap and judged again once the late data "
            "landed (the judged past changes)",
            float(corrected) if corrected is not None else math.nan,
            "minutes",
            "> 0",
            f"gap minutes before {before}, after {after} (the restart's stay: its data never came)",
            None,
            corrected is not None and corrected > 0,
        ),
    ]


def run(quick: bool = False) -> list[Figure]:
    """Every part, each in a child process (quick: tiny sizes that prove the harness)."""
    figures = detect_figures(child("bench.slo_detect", quick))
    figures += platform_figures(child("bench.slo_platform", quick))
    for seed in MONTH_SEEDS[:1] if quick else MONTH_SEEDS:
        month = child("bench.slo_backtest", quick, str(seed))
        figures += month_figures(month, detail=seed == MONTH_SEEDS[0])
    return figures


if __name__ == "__main__":
    for figure in run(quick="--quick" in sys.argv):
        print(figure)
