"""Factories for the SLO evaluation tests: specs from YAML text, counts written to the store."""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from pathlib import Path

from slo.loader import check_text, load_policy, load_specs
from slo.model import SLO, PlausibilityGuard
from slo.policy import PolicySet
from slo.windows import floor_minute
from store.client import Store
from store.registry import Registry, load_registry
from vigie import defaults
from vigie.catalogue import conventions_catalogue

ROOT = Path(__file__).resolve().parent.parent
SETUPS = "samu.call.setups"
LATENCY = "samu.call.setup.duration"
PROBES = "samu.probe.calls"
CHECKS = "samu.reachability.checks"
INF = math.inf
COUNT_COLUMNS = ("minute", "samu_id", "metric", "component", "outcome", "le", "value")

CountRow = tuple[datetime, str, str, str, float]  # minute, samu, metric, outcome, value


@functools.cache
def policies() -> PolicySet:
    return load_policy()


@functools.cache
def registry() -> Registry:
    return load_registry()


@functools.cache
def shipped() -> tuple[tuple[SLO, ...], tuple[PlausibilityGuard, ...]]:
    result = load_specs(defaults.SLO_DIR, conventions_catalogue(), policies())
    return result.slos, result.guards


def shipped_slo(slo_id: str) -> SLO:
    return next(s for s in shipped()[0] if s.id == slo_id)


def slos_from(text: str) -> tuple[SLO, ...]:
    """The SLOs of one spec document given as YAML text (errors fail the test)."""
    report = check_text(text, "test.yaml", policies(), conventions_catalogue())
    assert not report.errors, [str(e) for e in report.errors]
    return report.slos


def samu_labels(ids: Iterable[str] | None = None) -> dict[str, dict[str, object]]:
    wanted = set(ids) if ids is not None else None
    return {
        s.id: {**s.to_dict(), "overseas": s.overseas}
        for s in registry()
        if wanted is None or s.id in wanted
    }


def put_counts(store: Store, rows: Sequence[CountRow], component: str = "") -> None:
    """Counter rows (le = inf) straight into minute_counts; the views fill the SLO rollups."""
    store.insert(
        "minute_counts",
        [
            (floor_minute(m), samu, metric, component, outcome, INF, float(v))
            for m, samu, metric, outcome, v in rows
        ],
        COUNT_COLUMNS,
    )


def put_latency(
    store: Store, minute: datetime, samu: str, durations: Sequence[float], bounds: Sequence[float]
) -> None:
    """Histogram rows for calls of the given durations: cumulative counts at each bound and inf."""
    rows = [
        (minute, samu, LATENCY, "", "", le, float(sum(1 for d in durations if d <= le)))
        for le in (*bounds, INF)
    ]
    store.insert("minute_counts", rows, COUNT_COLUMNS)


def put_ingest(store: Store, minute: datetime, samu: str, points: int, lag: float) -> None:
    store.insert(
        "minute_ingest", [(minute, samu, points, lag)], ("minute", "samu_id", "points", "max_lag_s")
    )


def minutes(start: datetime, count: int) -> list[datetime]:
    return [start + timedelta(minutes=i) for i in range(count)]


def test_the_factories_write_counts_the_rollups_see(store: Store) -> None:
    at = datetime.fromisoformat("2026-10-01T10:00:00+00:00")
    put_counts(store, [(at, "fr.health.samu075", SETUPS, "success", 3)])
    put_counts(store, [(at, "fr.health.samu075", SETUPS, "success", 2)])
    for table in ("minute_counts", "slo_minute_counts", "slo_hour_counts"):
        assert store.query(f"SELECT sum(value) FROM {{db}}.{table}") == [(5.0,)]
