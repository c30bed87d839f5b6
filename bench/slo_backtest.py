"""SLO benchmark, child process: alert quality over a simulated month, ours vs the plain Workbook.

One seed per run. A month (30 days after 3 days of lookback) of 12 SAMU spread over sizes is
written by `write_history`: half with normal traffic all month, half with one incident a day,
kinds in turn — full outage (daytime), night outage (01:00–05:00 Paris), carrier silence, partial
failure (5 % of setups and probes fail), latency drift (×8 over 2 h), slow database, planned
maintenance (declared, as operators declare it) — and for the whole fleet a collector restart
(3 min of everyone's data lost) and a late replay (10 min of everyone's data arriving 2 h late)
every ten days. The month is replayed at every minute by the backtest under our policy (shipped
specs and guards) and under the plain Workbook (the same SLOs, burn-rate pairs only), in the same
run, each scored against the incidents played, planned maintenance muting as the pipeline does.
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

from collector.simulator.scenarios import Scenario, ScenarioKind, Timeline
from slo.backtest import backtest
from slo.backtest_score import GRACE, Incident, Score, false_by, matches
from slo.model import SLO
from slo.policy import PolicySet

# label → (scenario kind, minutes, parameters)
KINDS: dict[str, tuple[ScenarioKind, int, tuple[tuple[str, float], ...]]] = {
    "outage": ("outage", 20, ()),
    "night outage": ("outage", 20, ()),
    "carrier": ("carrier", 30, ()),
    "partial 5 %": ("trunk", 60, (("fraction", 0.05),)),
    "latency": ("latency", 120, ()),
    "slowdb": ("slowdb", 120, ()),
    "maintenance": ("maintenance", 90, ()),
}
FIRST = datetime(2030, 9, 28, tzinfo=UTC)  # in the future: `points` keeps 35 days
LOOKBACK = timedelta(days=3)  # the longest alert window
PARIS = ZoneInfo("Europe/Paris")
BENCH_SEED = 2031  # the bench's month (docs/slo-benchmark.md says which seed serves what)


def plain_workbook(slos: tuple[SLO, ...], policy: PolicySet) -> list[SLO]:
    """The same SLOs under the burn-rate pairs alone, paging as their class does (no spec of
    ours turns a class's pages into tickets)."""
    out = []
    for slo in slos:
        pages = policy.classes[slo.slo_class].pages
        guards = replace(
            slo.alerting.guards,
            min_bad_events=0,
            min_bad_events_short=0,
            probe_failed_minutes=0,
            budget_forecast=None,
            budget_exhausted=False,
        )
        alerting = replace(slo.alerting, guards=guards, pages=pages)
        out.append(replace(slo, alerting=alerting, overrides=()))
    return out


def schedule(samu_ids: list[str], days: int) -> tuple[list[Scenario], dict[tuple[str, int], str]]:
    """One incident a day per SAMU, kinds in turn at spread hours, and the fleet-wide delivery
    faults: the scenarios (offsets from FIRST), and each incident's label by (SAMU, start)."""
    out: list[Scenario] = []
    label: dict[tuple[str, int], str] = {}
    names = list(KINDS)
    for j, samu in enumerate(samu_ids):
        for d in range(LOOKBACK.days, days):
            name = names[(j + d) % len(names)]
            kind, minutes, params = KINDS[name]
            if name == "night outage":
                local = (FIRST + timedelta(days=d)).astimezone(PARIS).replace(hour=1, minute=0)
                at = local + timedelta(minutes=(j * 37 + d * 53) % 210)
                offset = (at - FIRST).total_seconds()
            else:
                offset = (d * 1440 + (j * 217 + d * 311) % (1440 - 150)) * 60.0
            out.append(Scenario(kind, (samu,), offset, minutes * 60.0, params))
            label[(samu, int(FIRST.timestamp() + offset))] = name
    for d in range(LOOKBACK.days + 2, days, 10):
        out.append(Scenario("restart", ("*",), (d * 1440 + 617) * 60.0, 180.0))
        late = (("delay", 7200.0),)
        out.append(Scenario("late", ("*",), ((d + 4) * 1440 + 881) * 60.0, 600.0, late))
    return out, label


def _p(values: list[float], q: float) -> float | None:
    return float(np.percentile(values, q)) if values else None


def quality(
    result: Score, labels: dict[tuple[str, int], str], maintenance: list[Incident]
) -> dict[str, Any]:
    """Recall, detection and reset per incident kind; false pages; pages in maintenance."""
    out: dict[str, Any] = {}

    def kind_of(i: Incident) -> str:
        return labels.get((i.samu, int(i.start.timestamp())), i.kind)

    for kind in sorted({kind_of(o.incident) for o in result.outcomes}):
        mine = [o for o in result.outcomes if kind_of(o.incident) == kind]
        found = [o.detected_after.total_seconds() for o in mine if o.detected_after is not None]
        resets = [o.reset_after.total_seconds() for o in mine if o.reset_after is not None]
        out[kind] = {
            "incidents": len(mine),
            "recall": len(found) / len(mine) if mine else None,
            "detect_p50_s": _p(found, 50),
            "detect_p95_s": _p(found, 95),
            "reset_p50_s": _p(resets, 50),
            "reset_p95_s": _p(resets, 95),
            "pages": sum(o.pages for o in mine),
            "by": sorted({o.detected_by for o in mine if o.detected_by}),
        }
    resets = [o.reset_after.total_seconds() for o in result.outcomes if o.reset_after is not None]
    in_maintenance = [
        p for p in result.false_pages if any(matches(p, m, timedelta(0)) for m in maintenance)
    ]
    return {
        "kinds": out,
        "incidents": len(result.outcomes),
        "recall": result.recall,
        "pages": result.pages,
        "tickets": result.tickets,
        "false_pages": len(result.false_pages),
        "false_by": {" ".join(k): n for k, n in false_by(result.false_pages).items()},
        "false_list": [
            (p.label("alertname"), p.label("slo"), p.label("samu"), p.starts_at.isoformat())
            for p in result.false_pages
        ],
        "maintenance_pages": len(in_maintenance),
        "muted": result.muted,
        "reset_p95_s": _p(resets, 95),
    }


def child(workdir: Path, quick: bool, seed: int) -> dict[str, Any]:
    """Write one seed's month, replay it under both policies, score both."""
    from bench.slo_detect import spread
    from slo.loader import load_policy, load_specs
    from store.client import open_store
    from store.migrations import migrate
    from store.registry import load_registry
    from vigie.backtest_history import write_history
    from vigie.backtest_run import declared, finish, labels_of
    from vigie.catalogue import conventions_catalogue
    from vigie.defaults import SLO_DIR
    from vigie.schema import all_migrations

    store = open_store(f"chdb://{workdir / 'clickhouse'}", "bench")
    migrate(store, migrations=all_migrations())
    count, days = (4, 6) if quick else (12, 33)
    samus = spread(list(load_registry()), count, 1)
    normal = [s.id for s in samus[::2]]
    faulty = [s.id for s in samus[1::2]]
    scenarios, names = schedule(faulty, days)
    began = time.monotonic()
    end = FIRST + timedelta(days=days)
    history = write_history(store, samus, FIRST, end, seed, scenarios)
    write_s = time.monotonic() - began
    ids = [s.id for s in samus]
    windows = declared(Timeline(tuple(scenarios), FIRST.timestamp(), ids).maintenance())
    maintenance = [
        Incident("maintenance", m.samu_ids[0], m.starts_at, m.starts_at + m.duration)
        for m in windows
    ]
    policy = load_policy()
    specs = load_specs(SLO_DIR, conventions_catalogue(), policy)
    labels = labels_of(samus)
    start = FIRST + LOOKBACK
    began = time.monotonic()
    ours = backtest(
        store,
        specs.slos,
        labels,
        start,
        end,
        guards=policy.guards,
        now=end,
        maintenance=windows,
        plausibility=specs.guards,
    )
    ours_s = time.monotonic() - began
    plain = backtest(
        store, plain_workbook(specs.slos, policy), labels, start, end, now=end, maintenance=windows
    )
    scored = {}
    for name, replay in (("ours", ours), ("workbook", plain)):
        run = finish(replay, windows, labels, history.incidents)
        assert run.score is not None
        scored[name] = quality(run.score, names, maintenance)
    on_normal = [
        f
        for f in finish(ours, windows, labels, None).alerts
        if f.label("severity") == "page" and f.label("samu") in normal
    ]
    return {
        "seed": seed,
        "samu": ids,
        "normal": normal,
        "days": (end - start).days,
        "write_s": write_s,
        "backtest_s": ours_s,
        "setups": history.setups,
        "stopped": ours.stopped(),
        "ours": scored["ours"],
        "workbook": scored["workbook"],
        "normal_pages": len(on_normal),
        "minutes": int((end - start).total_seconds() // 60),
        "grace_s": GRACE.total_seconds(),
    }


if __name__ == "__main__":
    print(json.dumps(child(Path(sys.argv[1]), sys.argv[2] == "quick", int(sys.argv[3]))))
