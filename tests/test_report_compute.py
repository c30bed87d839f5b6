"""The report's figures equal an independent recomputation from the simulator's raw tally."""

from __future__ import annotations

from datetime import timedelta

import pytest

from reports.model import MonthReport
from tests.report_data import (
    INCIDENT,
    MAINT_AT,
    PERIOD,
    SILENT,
    SIMULATED,
    SimulatedMonth,
    expected_figures,
    minute,
)

pytest_plugins = ("tests.report_fixtures",)  # the shared month: simulated, month_store, report


def test_october_2026_is_745_hours_in_europe_paris(report: MonthReport) -> None:
    assert report.hours == 745
    assert {r.minutes_in_month for r in report.samu} == {745 * 60}
    assert len({d.day for d in report.days}) == 31


@pytest.mark.parametrize("samu_id", SIMULATED)
def test_every_figure_of_a_samu_equals_the_raw_simulated_calls(
    report: MonthReport, simulated: SimulatedMonth, samu_id: str
) -> None:
    paused = {"fr.health.samu004": [(minute(MAINT_AT), minute(MAINT_AT + timedelta(hours=2)))]}
    want = expected_figures(simulated, SIMULATED, PERIOD.start, PERIOD.end, paused)[samu_id]
    row = next(r for r in report.samu if r.samu_id == samu_id)
    got = {name: getattr(row, name) for name in want}
    assert got == pytest.approx(want)
    offered = row.answered + row.abandoned_under_15 + row.abandoned_over_15
    assert row.s1 == pytest.approx(want["s1_good"] / want["s1_valid"])
    assert row.qs60_raw == pytest.approx(want["answered_60"] / offered)
    assert row.qs60_adjusted == pytest.approx(
        want["answered_60"] / (offered - row.abandoned_under_15)
    )
    assert row.completeness == pytest.approx(want["minutes_with_data"] / (745 * 60))
    judged = 745 * 60 - want["maintenance_minutes"]
    assert row.s3 == pytest.approx((judged - want["s3_minutes_down"]) / judged)


def test_the_outage_burns_the_budget_and_misses_the_slo(report: MonthReport) -> None:
    row = next(r for r in report.samu if r.samu_id == "fr.health.samu005")
    assert row.s3_minutes_down is not None and row.s3_minutes_down >= 45
    assert row.met is False and row.budget_left is not None and row.budget_left < 0


def test_planned_maintenance_is_excluded_and_listed_with_its_approver(report: MonthReport) -> None:
    (maint,) = report.maintenance
    assert maint.approved_by == "ANS — directeur des opérations" and maint.minutes == 120
    row = next(r for r in report.samu if r.samu_id == "fr.health.samu004")
    assert row.maintenance_minutes == 120 and row.s3_minutes_judged == 745 * 60 - 120
    assert row.entraide_out > 0  # calls overflowed to the backup during the window


def test_a_telemetry_gap_counts_as_minutes_down_and_lowers_completeness(
    report: MonthReport,
) -> None:
    row = next(r for r in report.samu if r.samu_id == "fr.health.samu02B")
    assert row.minutes_with_data == 745 * 60 - 180
    assert row.s3_minutes_down is not None and row.s3_minutes_down >= 180


def test_a_samu_without_data_says_no_data_never_100_percent(report: MonthReport) -> None:
    row = next(r for r in report.samu if r.samu_id == SILENT)
    assert row.status == "no_data" and row.completeness == 0
    assert (row.s1, row.s2, row.s3, row.s3_minutes_down, row.met, row.budget_left) == (
        None,
        None,
        None,
        None,
        None,
        None,
    )
    assert report.summary.samu_no_data == 1


def test_the_national_summary_is_event_weighted(report: MonthReport) -> None:
    rows = [r for r in report.samu if r.status == "ok"]
    good, valid = sum(r.s1_good for r in rows), sum(r.s1_valid for r in rows)
    assert report.summary.s1 == good / valid
    assert report.summary.minutes_down == sum(r.s3_minutes_down or 0 for r in rows)
    assert report.summary.previous_month is None and report.summary.previous_year is None


def test_the_incident_has_its_impact_and_timings(
    report: MonthReport, simulated: SimulatedMonth
) -> None:
    (row,) = report.incidents
    lo, hi = minute(INCIDENT.opened_at), minute(INCIDENT.resolved_at or PERIOD.end)
    failed = sum(
        v
        for (m, s, metric, _, outcome, _le), v in simulated.counts.items()
        if s == "fr.health.samu005"
        and metric == "samu.call.setups"
        and lo <= m < hi
        and outcome not in ("success", "caller_cancelled")
    )
    assert row.affected_calls == failed > 0
    assert (row.time_to_detect_s, row.time_to_ack_s, row.time_to_resolve_s) == (120, 240, 2760)
    assert row.detection == "S1CallSetupFastBurn" and row.cause == "panne du SBC"


def test_the_daily_annex_adds_up_to_the_month(report: MonthReport) -> None:
    for row in report.samu:
        days = [d for d in report.days if d.samu_id == row.samu_id]
        assert sum(d.calls for d in days) == row.calls
        assert sum(d.s3_minutes_down for d in days) == (row.s3_minutes_down or 0)
