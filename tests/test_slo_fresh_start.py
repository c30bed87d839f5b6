"""A fresh install (or a SAMU that just joined) starts monitored, not with a spent budget.

Minutes before a SAMU's first data are "not yet monitored": time-slice SLIs (S3 probes, O1
freshness) must not count them as bad, or every SAMU would burn and page on day one.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from slo.engine import CollectingSink, Engine
from slo.loader import LoadResult
from store.client import Store
from store.clock import FakeClock
from tests.test_slo_eval_factories import (
    CHECKS,
    PROBES,
    SETUPS,
    minutes,
    policies,
    put_counts,
    put_ingest,
    registry,
    shipped,
)

PARIS = "fr.health.samu075"
T0 = datetime(2030, 10, 14, 14, 0, tzinfo=UTC)


def _healthy_minutes(store: Store, start: datetime, count: int) -> None:
    for m in minutes(start, count):
        put_counts(
            store,
            [
                (m, PARIS, SETUPS, "success", 2),
                (m, PARIS, PROBES, "success", 1),
                (m, PARIS, CHECKS, "ok", 6),
            ],
        )
        put_ingest(store, m, PARIS, 40, 1.0)


def test_a_samu_healthy_since_its_first_minute_neither_burns_nor_pages(store: Store) -> None:
    _healthy_minutes(store, T0, 20)
    slos, guards = shipped()
    clock = FakeClock(T0 + timedelta(minutes=20, seconds=45))
    sink = CollectingSink()
    engine = Engine(
        store, LoadResult(slos, guards), policies(), registry(), clock, sink, write_snapshots=False
    )
    result = engine.tick()
    paris = [s for s in result.statuses if s.samu == PARIS]
    assert paris, "Paris is evaluated"
    for status in paris:
        assert status.state in {"ok", "no_data"}, (status.slo_id, status.state)
    assert [a.labels for a in result.firing if a.labels.get("samu") == PARIS] == []
