"""Golden files for the generated tick SQL, and slice hours equal to judging every minute."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from slo.evaluate import plan_for
from slo.reader import SumsReader
from slo.sql import MaintenanceRanges, slice_hours_insert, tick_query
from store.client import Store
from tests.test_slo_eval_factories import PROBES, minutes, put_counts, put_ingest, shipped

GOLDEN = Path(__file__).parent / "golden" / "slo_sql"
NOW = datetime(2026, 10, 14, 12, 30, 20, tzinfo=UTC)
PARIS = "fr.health.samu075"


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("VIGIE_UPDATE_GOLDEN") == "1":
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), (
        f"regenerate with VIGIE_UPDATE_GOLDEN=1: {path}"
    )


def test_the_tick_sql_for_the_shipped_specs_matches_its_golden_file() -> None:
    plan, _ = plan_for(shipped()[0], NOW)
    marks = {m.hours_key: NOW.replace(minute=0, second=0) for m in plan.slices}
    check_golden("tick_shipped.sql", tick_query(plan, NOW, marks).sql + "\n")


def test_the_maintenance_sql_matches_its_golden_file() -> None:
    plan, _ = plan_for(shipped()[0], NOW)
    mw = MaintenanceRanges(("",), (NOW - timedelta(hours=1),), (NOW,))
    check_golden("tick_maintenance.sql", tick_query(plan, NOW, None, mw).sql + "\n")


def test_the_slice_hours_insert_matches_its_golden_file() -> None:
    plan, _ = plan_for(shipped()[0], NOW)
    start = NOW.replace(minute=0, second=0) - timedelta(hours=3)
    text = "\n\n".join(
        slice_hours_insert(m, start, start + timedelta(hours=2)).sql for m in plan.slices
    )
    check_golden("slice_hours_insert.sql", text + "\n")


def test_the_sql_text_does_not_change_with_the_instant() -> None:
    plan_a, _ = plan_for(shipped()[0], NOW)
    later = NOW + timedelta(days=3, minutes=7, seconds=13)
    plan_b, _ = plan_for(shipped()[0], later)
    assert tick_query(plan_a, NOW).sql == tick_query(plan_b, later).sql


@pytest.mark.parametrize("use_hours", [True, False], ids=["from slice hours", "minute by minute"])
def test_judged_slice_hours_give_the_same_sums_as_judging_every_minute(
    store: Store, use_hours: bool
) -> None:
    slos = [s for s in shipped()[0] if s.id in ("s3-reachability", "o1-telemetry-freshness")]
    start = NOW.replace(minute=0, second=0) - timedelta(hours=5)
    put_counts(store, [(m, PARIS, PROBES, "success", 1) for m in minutes(start, 290)])
    put_counts(store, [(m, PARIS, PROBES, "failure", 1) for m in minutes(start, 290)[::7]])
    for i, m in enumerate(minutes(start, 200)):
        put_ingest(store, m, PARIS, 5, 90.0 if i % 11 == 0 else 2.0)
    plan, _ = plan_for(slos, NOW)
    reader = SumsReader(store)
    baseline = reader.read(plan, NOW, use_slice_hours=False)
    if use_hours:
        written = reader.sync_slice_hours(plan.slices, NOW, timedelta(days=29))
        assert written > 0
        assert reader.watermarks()
    again = reader.read(plan, NOW, use_slice_hours=use_hours)
    assert again.slices == baseline.slices
    assert any(v for v in baseline.slices.values())
