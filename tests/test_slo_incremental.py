"""The engine's incremental ledger equals a full recomputation, whatever arrives when.

Random histories (hypothesis): call setups, latency buckets, probes and telemetry arrive in any
order — new minutes, minutes hours late, minutes days late (older than the minutes the engine
keeps to the minute), whole fleets silent — between ticks at random instants, and the engine
restarts now and then. After every tick, every status of every shipped SLO (SLI, budget, burns,
judged minutes) equals the one a ledger loaded from scratch at the same instant gives.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from itertools import count

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from slo import live
from slo.evaluate import SloStatus, evaluate
from slo.live import LiveLedger
from store.client import Store
from store.migrations import migrate
from tests.test_slo_eval_factories import (
    COUNT_COLUMNS,
    LATENCY,
    PROBES,
    SETUPS,
    samu_labels,
    shipped,
)
from vigie.schema import all_migrations

T0 = datetime(2026, 10, 14, 12, 0, tzinfo=UTC)
SAMU = ("fr.health.samu004", "fr.health.samu005", "fr.health.samu02A", "fr.health.samu02B")
INF = float("inf")
_names = count()

event = st.tuples(
    st.sampled_from(SAMU),
    st.integers(min_value=-5 * 24 * 60, max_value=0),  # minutes before the tick: up to 5 days late
    st.sampled_from(["success", "failed", "caller_cancelled", "probe_ok", "probe_ko", "slow"]),
    st.integers(min_value=1, max_value=3),
)
step = st.one_of(
    st.tuples(st.just("events"), st.lists(event, min_size=1, max_size=12)),
    st.tuples(st.just("tick"), st.integers(min_value=1, max_value=900)),
    st.tuples(st.just("restart"), st.just(0)),
)


@pytest.fixture(scope="module")
def base(engine: Store) -> Iterator[Store]:
    store = engine.with_database(f"incr{next(_names)}")
    yield store
    store.command(f"DROP DATABASE IF EXISTS {store.database} SYNC")


def write(store: Store, now: datetime, events: list[tuple[str, int, str, int]]) -> None:
    counts, ingest = [], []
    for samu, offset, kind, n in events:
        minute = (now + timedelta(minutes=offset)).replace(second=0, microsecond=0)
        if kind in ("probe_ok", "probe_ko"):
            outcome = "success" if kind == "probe_ok" else "failure"
            counts.append((minute, samu, PROBES, "", outcome, INF, float(n)))
        elif kind == "slow":
            counts += [
                (minute, samu, LATENCY, "", "", le, float(n if le == INF else 0))
                for le in (1.0, 3.0, INF)
            ]
        else:
            counts.append((minute, samu, SETUPS, "", kind, INF, float(n)))
            if kind == "success":
                counts += [(minute, samu, LATENCY, "", "", le, float(n)) for le in (1.0, 3.0, INF)]
        ingest.append((minute, samu, n, 0.5))
    store.insert("minute_counts", counts, COUNT_COLUMNS)
    store.insert("minute_ingest", ingest, ("minute", "samu_id", "points", "max_lag_s"))


def statuses(ledger: LiveLedger, now: datetime) -> dict[tuple[str, str], SloStatus]:
    slos = shipped()[0]
    tallies = ledger.sync(slos, now, {})
    return {(s.slo, s.samu): s for s in evaluate(slos, samu_labels(SAMU), tallies, now)}


def same(a: SloStatus, b: SloStatus) -> bool:
    return (
        a.budget == b.budget
        and a.minutes == b.minutes
        and {w: (s.bad_events, s.valid_events) for w, s in a.burns.items()}
        == {w: (s.bad_events, s.valid_events) for w, s in b.burns.items()}
        and a.state == b.state
    )


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(step, min_size=3, max_size=10))
def test_incremental_statuses_equal_a_full_recomputation(
    base: Store, monkeypatch: pytest.MonkeyPatch, steps: list[tuple[str, object]]
) -> None:
    monkeypatch.setattr(live, "CHANGE_MARGIN", timedelta(0))  # the cursor itself is under test
    store = base.with_database(f"{base.database}_{next(_names)}")
    migrate(store, migrations=all_migrations())
    try:
        now = T0
        write(
            store, now, [(s, -30 * 24 * 60, "probe_ok", 1) for s in SAMU]
        )  # equipped, a month ago
        ledger = LiveLedger(store, SAMU)
        statuses(ledger, now)
        for kind, arg in steps:
            if kind == "events":
                assert isinstance(arg, list)
                write(store, now, arg)
            elif kind == "restart":
                ledger = LiveLedger(store, SAMU)
            else:
                assert isinstance(arg, int)
                now += timedelta(seconds=arg)
                got = statuses(ledger, now)
                want = statuses(LiveLedger(store, SAMU), now)
                assert got.keys() == want.keys()
                diff = [k for k in want if not same(got[k], want[k])]
                assert not diff, [(k, got[k], want[k]) for k in diff[:2]]
    finally:
        store.command(f"DROP DATABASE IF EXISTS {store.database} SYNC")
