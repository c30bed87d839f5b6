"""The monthly report's annex: the waves whose night fell in the month, each SAMU with the
verdicts of the one comparison; a month without a wave keeps the figures it always had."""

from __future__ import annotations

from datetime import timedelta

import pytest

from alerts.events import EventLog
from alerts.maintenance_store import MaintenanceStore
from reports.compute import compute_month
from reports.document import digest, figures
from reports.render_json import load_schema, render_json
from reports.render_pdf import render_html
from store.audit import AuditLog
from store.client import Store
from store.clock import FakeClock
from store.registry import load_registry
from tests.test_slo_eval_factories import shipped
from tests.wave_data import DAYS, END, EXPECTED, SAMU, WAVE
from vigie.waves_role import build_waves
from waves.measures import FIGURES
from waves.service import WaveService

pytest_plugins = ("tests.wave_fixtures",)


@pytest.fixture(scope="module")
def service(wave_store: Store) -> WaveService:
    clock = FakeClock(END + timedelta(days=30))
    audit = AuditLog(wave_store, clock)
    maintenance = MaintenanceStore(wave_store, clock, EventLog(wave_store, clock), audit)
    specs = shipped()[0]
    found = build_waves(
        wave_store, clock, load_registry(), audit, maintenance, lambda: specs, days=DAYS
    )
    found.book.plan([WAVE], actor="noc")  # or unchanged: another module planned it already
    return found


def samus() -> list[object]:
    registry = load_registry()
    return [registry.require(s) for s in SAMU]


def test_the_annex_lists_every_samu_of_the_wave_with_the_comparison_verdicts(
    wave_store: Store, service: WaveService
) -> None:
    report = compute_month(wave_store, samus(), "2026-11", shipped()[0], waves=service)  # type: ignore[arg-type]
    found = {r.samu_id: dict(r.verdicts) for r in report.waves}
    assert found == {s: {f.key: EXPECTED[s].get(f.key, "same") for f in FIGURES} for s in SAMU}
    row = report.waves[0]
    assert (row.wave_id, row.night_start, row.days, row.complete) == (
        WAVE.id,
        WAVE.starts_at,
        DAYS,
        True,
    )
    jsonschema = pytest.importorskip("jsonschema")
    import json

    doc = json.loads(render_json(report, 1))
    jsonschema.validate(doc, load_schema())
    assert doc["waves"][2]["verdicts"]["setup_p99"] == "worse"
    html = render_html(report, 1, "fr")
    assert "Annexe : vagues de migration du mois" in html
    assert html.count("moins bien") >= 7 + 2 + 2  # the broken SAMU, the two shifted ones


def test_a_report_for_some_samu_lists_only_their_rows(
    wave_store: Store, service: WaveService
) -> None:
    mine = compute_month(
        wave_store,
        samus(),  # type: ignore[arg-type]
        "2026-11",
        shipped()[0],
        only=["fr.health.samu075"],
        waves=service,
    )
    assert [r.samu_id for r in mine.waves] == ["fr.health.samu075"]


def test_a_month_without_a_wave_has_no_annex_and_the_same_digest(
    wave_store: Store, service: WaveService
) -> None:
    october = compute_month(wave_store, samus(), "2026-10", shipped()[0], waves=service)  # type: ignore[arg-type]
    plain = compute_month(wave_store, samus(), "2026-10", shipped()[0])  # type: ignore[arg-type]
    assert october.waves == () and "waves" not in figures(october)
    assert digest(october) == digest(plain)
    assert "vagues de migration" not in render_html(october, 1, "fr")
