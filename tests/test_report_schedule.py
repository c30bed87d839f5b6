"""When the monthly report is due, and the civil months it covers (DST, no data)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from reports.calendar import civil_days
from reports.compute import compute_month
from reports.schedule import due_month, next_check, previous_month
from slo.windows import window_for
from store.client import Store
from store.registry import load_registry
from tests.test_slo_eval_factories import shipped


@pytest.mark.parametrize(
    ("now", "archived", "due"),
    [
        (datetime(2026, 11, 1, 4, 59, tzinfo=UTC), (), None),  # 05:59 Paris: too early
        (datetime(2026, 11, 1, 5, 0, tzinfo=UTC), (), "2026-10"),  # 06:00 Paris on the 1st
        (datetime(2026, 11, 1, 5, 0, tzinfo=UTC), ("2026-10",), None),  # already archived
        (datetime(2026, 11, 17, 12, 0, tzinfo=UTC), (), "2026-10"),  # catching up after downtime
        (datetime(2027, 1, 1, 6, 0, tzinfo=UTC), (), "2026-12"),  # across the new year
        (datetime(2026, 3, 31, 22, 30, tzinfo=UTC), (), None),  # 00:30 Paris on 1 April, too early
    ],
    ids=["before-the-delay", "on-the-first", "archived", "catch-up", "new-year", "dst-april-1st"],
)
def test_the_previous_month_is_due_on_the_first_in_paris(
    now: datetime, archived: tuple[str, ...], due: str | None
) -> None:
    assert due_month(now, archived) == due


def test_the_next_check_is_the_next_first_of_month_after_the_delay() -> None:
    assert next_check(datetime(2026, 10, 15, tzinfo=UTC)) == datetime(2026, 11, 1, 5, 0, tzinfo=UTC)
    assert next_check(datetime(2026, 3, 20, tzinfo=UTC)) == datetime(2026, 4, 1, 4, 0, tzinfo=UTC)
    assert previous_month(datetime(2026, 3, 31, 22, 30, tzinfo=UTC)) == "2026-03"


@pytest.mark.parametrize(
    ("month", "hours", "short_or_long_day"),
    [("2026-03", 743, 23), ("2026-10", 745, 25), ("2026-06", 720, 24)],
)
def test_civil_months_and_days_follow_dst(month: str, hours: int, short_or_long_day: int) -> None:
    period = window_for(month)
    days = civil_days(period, "Europe/Paris")
    assert period.minutes == hours * 60 and sum(i.minutes for _, i in days) == hours * 60
    assert {i.minutes // 60 for _, i in days} == {24, short_or_long_day}


def test_a_month_without_any_data_says_no_data_everywhere(store: Store) -> None:
    samus = [load_registry().require(i) for i in ("fr.health.samu971", "fr.health.samu075")]
    report = compute_month(store, samus, "2026-03", shipped()[0])
    assert report.hours == 743 and report.summary.s1 is None and report.summary.met is None
    assert all(r.status == "no_data" and r.s3 is None and r.met is None for r in report.samu)
    assert report.summary.samu_no_data == 2 and report.summary.minutes_down == 0
    assert all(d.s1 is None for d in report.national_days)


def test_the_trend_compares_with_last_month_and_last_year(store: Store) -> None:
    samu = "fr.health.samu075"
    columns = ["minute", "samu_id", "metric", "component", "outcome", "le", "value"]
    rows = []
    for when, failed in (
        (datetime(2025, 10, 10), 10),
        (datetime(2026, 9, 10), 1),
        (datetime(2026, 10, 10), 2),
    ):
        at = when.replace(tzinfo=UTC)
        rows.append([at, samu, "samu.call.setups", "", "success", float("inf"), 1000 - failed])
        rows.append(
            [
                at + timedelta(minutes=1),
                samu,
                "samu.call.setups",
                "",
                "failed",
                float("inf"),
                failed,
            ]
        )
    store.insert("minute_counts", rows, columns)
    report = compute_month(store, [load_registry().require(samu)], "2026-10", shipped()[0])
    assert report.summary.s1 == pytest.approx(0.998)
    assert report.summary.previous_month == pytest.approx(0.999)
    assert report.summary.previous_year == pytest.approx(0.99)
