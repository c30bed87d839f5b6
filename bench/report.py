"""Benchmark: time to produce one month's report for 100 SAMU from a year of stored history.

The year is written straight into `minute_counts` and `minute_ingest` by ClickHouse itself
(INSERT … SELECT over numbers(), deterministic): per SAMU-minute a probe result, and one minute
in three successful setups with their latency and answer-time buckets (a failure now and then).
The month is then produced as `vigie report` does it (figures → JSON, CSV, PDF → signed
manifest → archive) and timed. It runs in a child process: chdb allows one data directory per
process.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.figure import Figure

NOTES = (
    "report: `vigie report` for 2026-10 (all SAMU of the registry) from a year of per-minute "
    "history inserted by ClickHouse; figures (the SLO ledger over the civil month, as the "
    "engine judges it), JSON, CSV, PDF, signature and archive timed."
)
PREFIXES = ("report:",)  # its rows, for `bench.run_all --only bench.report`
MONTH = "2026-10"
TARGET_S = 10.0

# One row per SAMU-minute and kind; `n` is the minute index, `s` the SAMU index.
_FILL = """
INSERT INTO {db}.minute_counts (minute, samu_id, metric, component, outcome, le, value)
SELECT toDateTime({start:DateTime('UTC')}, 'UTC') + n * 60 AS minute,
       arrayElement({ids:Array(String)}, s + 1) AS samu_id,
       r.1 AS metric, '' AS component, r.2 AS outcome, r.3 AS le, r.4 AS value
FROM (SELECT intDiv(number, {samus:UInt32}) AS n, number % {samus:UInt32} AS s,
             cityHash64(number) AS h
      FROM numbers({rows:UInt64}))
ARRAY JOIN arrayConcat(
  [('samu.probe.calls', if(h % 5000 = 1, 'failure', 'success'), inf, 1.0)],
  if(h % 3 = 0,
    [('samu.call.setups', 'success', inf, toFloat64(1 + h % 4)),
     ('samu.call.setup.duration', '', 1.0, toFloat64(1 + h % 4)),
     ('samu.call.setup.duration', '', inf, toFloat64(1 + h % 4)),
     ('samu.call.answer.duration', '', 60.0, toFloat64(1 + h % 4)),
     ('samu.call.answer.duration', '', inf, toFloat64(1 + h % 4))], []),
  if(h % 997 = 0, [('samu.call.setups', 'failed', inf, 1.0)], [])) AS r
SETTINGS optimize_on_insert = 0
"""
_INGEST = """
INSERT INTO {db}.minute_ingest (minute, samu_id, points, max_lag_s)
SELECT toDateTime({start:DateTime('UTC')}, 'UTC') + intDiv(number, {samus:UInt32}) * 60,
       {ids:Array(String)}[number % {samus:UInt32} + 1], 20, 0.5
FROM numbers({rows:UInt64})
SETTINGS optimize_on_insert = 0
"""


def child(workdir: Path, quick: bool) -> dict[str, Any]:
    """Build the history and time the report, in this process (its own chdb directory)."""
    from reports.archive import Archive
    from reports.service import ReportService
    from reports.sign import Signer
    from slo.loader import load_policy, load_specs
    from store.client import open_store
    from store.clock import FakeClock
    from store.migrations import migrate
    from store.registry import load_registry
    from vigie.catalogue import conventions_catalogue
    from vigie.defaults import SLO_DIR
    from vigie.schema import all_migrations

    catalogue = conventions_catalogue()
    slos = load_specs(SLO_DIR, catalogue, load_policy()).slos
    store = open_store(f"chdb://{workdir / 'clickhouse'}", "bench")
    migrate(store, migrations=all_migrations())
    samus = list(load_registry())[: 10 if quick else None]
    end = datetime(2026, 11, 1, tzinfo=UTC)
    start = end - timedelta(days=90 if quick else 366)
    ids = [s.id for s in samus]
    began = time.monotonic()
    day = timedelta(days=30)
    cursor = start
    while cursor < end:  # a month per insert keeps memory flat
        step = min(day, end - cursor)
        params = {
            "start": cursor,
            "samus": len(ids),
            "ids": ids,
            "rows": int(step.total_seconds() // 60) * len(ids),
        }
        store.command(_FILL, params)
        store.command(_INGEST, params)
        cursor += step
    built_s = time.monotonic() - began
    rows = store.query("SELECT count() FROM {db}.minute_counts")[0][0]
    clock = FakeClock(end + timedelta(days=1))
    service = ReportService(
        store,
        samus,
        slos,
        Signer(workdir / "key.pem"),
        Archive(store, clock),
        clock,
        known_outcomes=catalogue.outcomes(),
    )
    began = time.monotonic()
    report = service.compute(MONTH)
    figures_s = time.monotonic() - began
    began = time.monotonic()
    bundle = service.issue(MONTH)  # recomputes the figures, as `vigie report` does
    total_s = time.monotonic() - began
    return {
        "samu": len(samus),
        "rows": int(rows),
        "built_s": built_s,
        "figures_s": figures_s,
        "total_s": total_s,
        "calls": sum(r.calls for r in report.samu),
        "pdf_bytes": len(bundle.files[f"vigie15-{MONTH}.pdf"]),
    }


def run(quick: bool = False) -> list[Figure]:
    """Run the report benchmark in a child process (quick: 10 SAMU, 3 months)."""
    with tempfile.TemporaryDirectory(prefix="vigie-bench-report-") as tmp:
        command = [sys.executable, "-m", "bench.report", tmp, "quick" if quick else "full"]
        out = subprocess.run(command, capture_output=True, check=True, text=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    history = f"{result['samu']} SAMU, {result['rows']:,} minute rows"
    return [
        Figure(
            "report: month for all SAMU, from a year of history",
            result["total_s"],
            "s",
            f"< {TARGET_S:.0f} s",
            history,
            None,
            result["total_s"] < TARGET_S,
        ),
        Figure("report: figures only (the ledger)", result["figures_s"], "s", "", history),
        Figure("report: building the history (setup)", result["built_s"], "s", "", history),
    ]


if __name__ == "__main__":
    print(json.dumps(child(Path(sys.argv[1]), sys.argv[2] == "quick")))
