"""SLO benchmark, child process: engine tick time over 1 month vs 1 year of history, and the
time a restarted engine takes to rebuild its ledger over that year.

The month (35 days) is written into `minute_counts` by ClickHouse (INSERT … SELECT over
numbers(); the views fill the SLO rollups); the year adds 331 older days straight into the hour
rollup `slo_hour_counts` (the only table a tick reads for whole hours). Every shipped SLO and
guard is evaluated for every SAMU of the registry at each tick, snapshots written.
"""

from __future__ import annotations

import json
import statistics
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

END = datetime(2030, 11, 1, tzinfo=UTC)  # in the future: `points` keeps 35 days

# Per SAMU-minute: a probe, one minute in two successful setups with their latency buckets,
# and a failed setup now and then (`n` minute index, `s` SAMU index).
FILL_MINUTES = """
INSERT INTO {db}.minute_counts (minute, samu_id, metric, component, outcome, le, value)
SELECT toDateTime({start:DateTime('UTC')}, 'UTC') + n * 60 AS minute,
       arrayElement({ids:Array(String)}, s + 1) AS samu_id,
       r.1 AS metric, '' AS component, r.2 AS outcome, r.3 AS le, r.4 AS value
FROM (SELECT intDiv(number, {samus:UInt32}) AS n, number % {samus:UInt32} AS s,
             cityHash64(number, {seed:UInt64}) AS h
      FROM numbers({rows:UInt64}))
ARRAY JOIN arrayConcat(
  [('samu.probe.calls', if(h % 5000 = 1, 'failure', 'success'), inf, 1.0)],
  if(h % 2 = 0,
    [('samu.call.setups', 'success', inf, toFloat64(1 + h % 3)),
     ('samu.call.setup.duration', '', 1.0, toFloat64(1 + h % 3)),
     ('samu.call.setup.duration', '', 3.0, toFloat64(1 + h % 3)),
     ('samu.call.setup.duration', '', inf, toFloat64(1 + h % 3))], []),
  if(h % 1999 = 0, [('samu.call.setups', 'failed', inf, 1.0)], [])) AS r
SETTINGS optimize_on_insert = 0
"""
FILL_INGEST = """
INSERT INTO {db}.minute_ingest (minute, samu_id, points, max_lag_s)
SELECT toDateTime({start:DateTime('UTC')}, 'UTC') + intDiv(number, {samus:UInt32}) * 60,
       {ids:Array(String)}[number % {samus:UInt32} + 1], 20, 0.5
FROM numbers({rows:UInt64})
"""
FILL_CHECKS = """
INSERT INTO {db}.points (ts, received_at, samu_id, metric, component, outcome, kind, value)
SELECT t, t + toIntervalMillisecond(300), {ids:Array(String)}[number % {samus:UInt32} + 1],
       'samu.reachability.checks', '', 'ok', 'sum', 1
FROM (SELECT number, toDateTime64({start:DateTime('UTC')}, 3, 'UTC')
      + toIntervalMillisecond(intDiv(number, {samus:UInt32}) * 10000 + 9999) AS t
      FROM numbers({rows:UInt64}))
"""
# The same traffic per SAMU-hour, for the older history (hour rollup only).
FILL_HOURS = """
INSERT INTO {db}.slo_hour_counts (hour, samu_id, metric, component, outcome, le, value)
SELECT toDateTime({start:DateTime('UTC')}, 'UTC') + n * 3600 AS hour,
       arrayElement({ids:Array(String)}, s + 1) AS samu_id,
       r.1 AS metric, '' AS component, r.2 AS outcome, r.3 AS le, r.4 AS value
FROM (SELECT intDiv(number, {samus:UInt32}) AS n, number % {samus:UInt32} AS s,
             cityHash64(number, {seed:UInt64}) AS h
      FROM numbers({rows:UInt64}))
ARRAY JOIN [('samu.probe.calls', 'success', inf, 60.0),
            ('samu.call.setups', 'success', inf, toFloat64(50 + h % 20)),
            ('samu.call.setups', 'failed', inf, toFloat64(h % 50 = 0)),
            ('samu.call.setup.duration', '', 1.0, toFloat64(50 + h % 20)),
            ('samu.call.setup.duration', '', 3.0, toFloat64(50 + h % 20)),
            ('samu.call.setup.duration', '', inf, toFloat64(50 + h % 20))] AS r
"""


def fill_recent(store: Any, ids: list[str], end: datetime, days: int) -> None:
    """`days` of per-minute history ending at `end`, a day of arrivals, 15 min of checks."""
    n = len(ids)
    day = timedelta(days=1)
    for k in range(days, 0, -1):
        start = end - k * day
        store.command(
            FILL_MINUTES,
            {"start": start, "samus": n, "ids": ids, "rows": 1440 * n, "seed": k},
        )
    store.command(FILL_INGEST, {"start": end - day, "samus": n, "ids": ids, "rows": 1440 * n})
    start = end - timedelta(minutes=15)
    store.command(FILL_CHECKS, {"start": start, "samus": n, "ids": ids, "rows": 90 * n + n})


def fill_old_hours(store: Any, ids: list[str], end: datetime, days: int) -> None:
    """`days` of hour-rollup history ending at `end`."""
    n = len(ids)
    start = end - timedelta(days=days)
    store.command(
        FILL_HOURS, {"start": start, "samus": n, "ids": ids, "rows": days * 24 * n, "seed": 1}
    )


def time_ticks(engine: Any, clock: Any, count: int) -> list[float]:
    """Seconds of `count` ticks 10 s apart (the engine's own measure)."""
    out = []
    for _ in range(count):
        clock.advance(timedelta(seconds=10))
        out.append(engine.tick().seconds)
    return out


def summary(seconds: list[float]) -> dict[str, float]:
    """Median and worst of tick times, in milliseconds."""
    ms = sorted(s * 1000 for s in seconds)
    return {"median_ms": statistics.median(ms), "max_ms": ms[-1], "n": len(ms)}


def make_engine(
    store: Any, now: datetime, only: str | None = None, registry: Any = None
) -> tuple[Any, Any]:
    """An engine over the shipped specs (or one SLO of them) for the registry (default: all)."""
    from slo.engine import Engine
    from slo.loader import LoadResult, load_policy, load_specs
    from store.clock import FakeClock
    from store.registry import load_registry
    from vigie.catalogue import conventions_catalogue
    from vigie.defaults import SLO_DIR

    policy = load_policy()
    specs = load_specs(SLO_DIR, conventions_catalogue(), policy)
    if only is not None:
        specs = LoadResult(tuple(s for s in specs.slos if s.id == only))
    clock = FakeClock(now)
    return Engine(store, specs, policy, registry or load_registry(), clock), clock


def child(workdir: Path, quick: bool) -> dict[str, Any]:
    """Month then year: fill, warm one tick (judges slice hours), time the ticks."""
    import time

    from store.client import open_store
    from store.migrations import migrate
    from store.registry import load_registry
    from vigie.schema import all_migrations

    store = open_store(f"chdb://{workdir / 'clickhouse'}", "bench")
    migrate(store, migrations=all_migrations())
    ids = [s.id for s in load_registry()]
    month_days, ticks = (2, 2) if quick else (35, 12)
    began = time.monotonic()
    fill_recent(store, ids, END, month_days)
    fill_month_s = time.monotonic() - began
    engine, clock = make_engine(store, END)
    warm = engine.tick().seconds
    month = summary(time_ticks(engine, clock, ticks))
    began = time.monotonic()
    fill_old_hours(store, ids, END - timedelta(days=month_days), 10 if quick else 331)
    fill_year_s = time.monotonic() - began
    year = summary(time_ticks(engine, clock, ticks))
    # A restart over the year: the engine rebuilds its ledger from the rollups (its horizon).
    engine, clock = make_engine(store, clock.now())
    began = time.monotonic()
    engine.tick()
    start_s = time.monotonic() - began
    after_start = summary(time_ticks(engine, clock, ticks))
    rows = store.query(
        "SELECT (SELECT count() FROM {db}.slo_hour_counts), "
        "(SELECT count() FROM {db}.slo_minute_counts)"
    )[0]
    return {
        "samu": len(ids),
        "warm_ms": warm * 1000,
        "month": month,
        "year": year,
        "start_s": start_s,
        "after_start": after_start,
        "fill_month_s": fill_month_s,
        "fill_year_s": fill_year_s,
        "hour_rows": int(rows[0]),
        "minute_rows": int(rows[1]),
        "slos": len(engine.specs.slos),
        "guards": len(engine.specs.guards),
    }


if __name__ == "__main__":
    print(json.dumps(child(Path(sys.argv[1]), sys.argv[2] == "quick")))
