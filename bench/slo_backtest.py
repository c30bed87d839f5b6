"""SLO benchmark, child process: a simulated month through the vectorised backtest.

Half the SAMU (spread over sizes) run a month of normal traffic; the other half suffer one
incident a day (outage, carrier silence, partial trunk failure, latency creep, slow database,
in turn, at varied hours). The month is written by `write_history` with a seed the policy was
not tuned on, then replayed at every minute by the backtest twice: our policy (shipped specs
with their guards, plus the heartbeat and no-data guards) and the plain Workbook policy (the
same SLOs, burn-rate pairs only: no minimum of bad events, no probe, heartbeat or no-data
guard). Both are scored against the incidents played.
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from collector.simulator.scenarios import Scenario
from slo.backtest import Firing, backtest
from slo.backtest_score import Incident, matches, score
from slo.model import SLO

KINDS = ("outage", "carrier", "trunk", "latency", "slowdb")
DURATION_MIN = {"outage": 20, "carrier": 30, "trunk": 60, "latency": 120, "slowdb": 120}
FIRST = datetime(2030, 9, 28, tzinfo=UTC)  # in the future: `points` keeps 35 days
LOOKBACK = timedelta(days=3)  # the longest alert window
GRACE = timedelta(minutes=30)
SEED = 2031  # not a development seed (see docs/slo-benchmark.md)


def plain_workbook(slos: tuple[SLO, ...]) -> list[SLO]:
    """The same SLOs under the burn-rate pairs alone."""
    out = []
    for slo in slos:
        guards = replace(slo.alerting.guards, min_bad_events=0, probe_failed_minutes=0)
        out.append(replace(slo, alerting=replace(slo.alerting, guards=guards), overrides=()))
    return out


def schedule(samu_ids: list[str], days: int) -> list[Scenario]:
    """One incident a day per SAMU, kinds in turn, hours spread (offsets from FIRST)."""
    out = []
    for j, samu in enumerate(samu_ids):
        for d in range(int(LOOKBACK.days), days):
            kind = KINDS[(j + d) % len(KINDS)]
            minute = (j * 217 + d * 311) % (1440 - 150)
            at = (d * 1440 + minute) * 60.0
            out.append(Scenario(kind, (samu,), at, DURATION_MIN[kind] * 60.0))  # type: ignore[arg-type]
    return out


def _percentile(values: list[float], q: float) -> float | None:
    return float(np.percentile(values, q)) if values else None


def per_kind(pages: list[Firing], incidents: tuple[Incident, ...]) -> dict[str, Any]:
    """Recall, precision, detection and reset times per scenario kind."""
    result = score(pages, incidents, GRACE)
    out: dict[str, Any] = {}
    for kind in KINDS:
        mine = [o for o in result.outcomes if o.incident.kind == kind]
        found = [o.detected_after.total_seconds() for o in mine if o.detected_after is not None]
        resets = [o.reset_after.total_seconds() for o in mine if o.reset_after is not None]
        spans = [o.incident for o in mine]
        during = [
            p
            for p in pages
            if p.label("severity") == "page"
            and any(i.start - timedelta(hours=1) <= p.starts_at < i.end + GRACE for i in spans)
        ]
        right = [p for p in during if any(matches(p, i, GRACE) for i in incidents)]
        out[kind] = {
            "incidents": len(mine),
            "recall": len(found) / len(mine) if mine else None,
            "precision": len(right) / len(during) if during else None,
            "detect_p50_s": _percentile(found, 50),
            "detect_p95_s": _percentile(found, 95),
            "reset_p50_s": _percentile(resets, 50),
            "reset_p95_s": _percentile(resets, 95),
            "by": sorted({o.detected_by for o in mine if o.detected_by}),
        }
    false = [(p.label("alertname"), p.label("slo"), p.label("samu")) for p in result.false_pages]
    kinds: dict[str, int] = {}
    for name, slo, samu in false:
        key = f"{name} {slo} {'national' if samu == 'national' else 'samu'}".replace("  ", " ")
        kinds[key] = kinds.get(key, 0) + 1
    out["all"] = {
        "pages": result.pages,
        "precision": result.precision,
        "recall": result.recall,
        "false_pages": len(false),
        "false_by": kinds,
    }
    return out


def child(workdir: Path, quick: bool) -> dict[str, Any]:
    """Write the month, replay it under both policies, score both."""
    from bench.slo_detect import spread
    from slo.loader import load_policy, load_specs
    from store.client import open_store
    from store.migrations import migrate
    from store.registry import load_registry
    from vigie.backtest_history import write_history
    from vigie.catalogue import conventions_catalogue
    from vigie.defaults import SLO_DIR

    store = open_store(f"chdb://{workdir / 'clickhouse'}", "bench")
    migrate(store, migrations=all_migrations())
    count, days = (4, 5) if quick else (12, 33)
    samus = spread(list(load_registry()), count, 1)
    normal = [s.id for s in samus[::2]]
    faulty = [s.id for s in samus[1::2]]
    began = time.monotonic()
    history = write_history(
        store, samus, FIRST, FIRST + timedelta(days=days), SEED, schedule(faulty, days)
    )
    write_s = time.monotonic() - began
    policy = load_policy()
    specs = load_specs(SLO_DIR, conventions_catalogue(), policy)
    labels = {s.id: {**s.to_dict(), "overseas": s.overseas} for s in samus}
    start, end = FIRST + LOOKBACK, FIRST + timedelta(days=days)
    began = time.monotonic()
    ours = list(
        backtest(store, specs.slos, labels, start, end, guards=policy.guards, now=end).firings
    )
    ours_s = time.monotonic() - began
    plain = list(backtest(store, plain_workbook(specs.slos), labels, start, end, now=end).firings)
    on_normal = [p for p in ours if p.label("severity") == "page" and p.label("samu") in normal]
    return {
        "samu": [s.id for s in samus],
        "normal": normal,
        "days": (end - start).days,
        "seed": SEED,
        "write_s": write_s,
        "backtest_s": ours_s,
        "setups": history.setups,
        "ours": per_kind(ours, history.incidents),
        "workbook": per_kind(plain, history.incidents),
        "normal_pages": [
            (p.label("alertname"), p.label("slo"), p.label("samu"), p.starts_at.isoformat())
            for p in on_normal
        ],
        "minutes": int((end - start).total_seconds() // 60),
    }


def all_migrations() -> Any:
    """The whole schema (imported late: chdb starts with the first store)."""
    from vigie.schema import all_migrations as every

    return every()


if __name__ == "__main__":
    print(json.dumps(child(Path(sys.argv[1]), sys.argv[2] == "quick")))
