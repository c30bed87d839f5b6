"""The vectorised backtest fires exactly the alerts of the live engine ticked over a sample day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from alerts.model import Alert
from slo.backtest import Firing, backtest
from slo.engine import CollectingSink, Engine
from slo.loader import LoadResult
from store.client import Store
from store.clock import FakeClock
from tests.test_slo_eval_factories import (
    PROBES,
    SETUPS,
    minutes,
    policies,
    put_counts,
    registry,
    samu_labels,
    shipped_slo,
)

DAY = datetime(2030, 10, 14, tzinfo=UTC)
PARIS, LYON, SMALL = "fr.health.samu075", "fr.health.samu069", "fr.health.samu048"
STEP = timedelta(minutes=10)


def sample_day(store: Store) -> None:
    """Four quiet days, then a day with a trunk outage, a slow burn and failing probes."""
    first = DAY - timedelta(days=4)
    span = minutes(first, 5 * 1440)
    put_counts(store, [(m, PARIS, SETUPS, "success", 30) for m in span])
    put_counts(store, [(m, LYON, SETUPS, "success", 5) for m in span])
    put_counts(store, [(m, SMALL, SETUPS, "success", 1) for m in span[::17]])
    put_counts(store, [(m, s, PROBES, "success", 1) for m in span for s in (PARIS, LYON)])
    outage = DAY + timedelta(hours=10)
    put_counts(store, [(m, PARIS, SETUPS, "failed", 40) for m in minutes(outage, 20)])
    slow = DAY + timedelta(hours=13)
    put_counts(store, [(m, LYON, SETUPS, "timeout", 1) for m in minutes(slow, 240)[::3]])
    put_counts(store, [(DAY + timedelta(hours=3), SMALL, SETUPS, "failed", 1)])  # a quiet night
    probes = DAY + timedelta(hours=15)
    put_counts(store, [(m, LYON, PROBES, "failure", 1) for m in minutes(probes, 12)])


def intervals(alerts: list[Alert]) -> list[Firing]:
    open_: dict[int, Alert] = {}
    out = []
    for alert in alerts:
        key = alert.fingerprint
        if alert.ends_at is None:
            open_.setdefault(key, alert)
            continue
        started = open_.pop(key)
        out.append(Firing(tuple(sorted(alert.labels.items())), started.starts_at, alert.ends_at))
    out += [Firing(tuple(sorted(a.labels.items())), a.starts_at, None) for a in open_.values()]
    return sorted(out, key=lambda f: (f.starts_at, f.labels))


def test_the_backtest_fires_exactly_what_the_engine_fires_over_a_sample_day(store: Store) -> None:
    sample_day(store)
    slos = [shipped_slo("s1-call-setup"), shipped_slo("s1-call-setup-national")]
    slos.append(shipped_slo("s3-reachability"))
    clock = FakeClock(DAY)
    sink = CollectingSink()
    engine = Engine(
        store, LoadResult(tuple(slos)), policies(), registry(), clock, sink, write_snapshots=False
    )
    names = {"SLOBurnRate", "ProbeFailing"}
    while clock.now() < DAY + timedelta(days=1):
        engine.tick()
        clock.advance(STEP)
    live = intervals([a for a in sink.alerts if a.labels["alertname"] in names])
    replayed = backtest(store, slos, samu_labels(), DAY, DAY + timedelta(days=1), STEP)
    assert replayed == live
    pages = {(f.label("alertname"), f.label("samu"), f.label("severity")) for f in replayed}
    assert ("SLOBurnRate", PARIS, "page") in pages
    assert ("SLOBurnRate", LYON, "ticket") in pages
    assert ("ProbeFailing", LYON, "page") in pages
    assert not any(samu == SMALL for _, samu, _ in pages)
