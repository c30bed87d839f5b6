"""The PDF's hour × day heat-map: hours folded into Paris days and hours, drawn as SVG, and
its data from the SLO ledger agreeing with the report's S3 column."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from reports.heatmap import SCALE, civil_grid, heat_map_chart
from reports.i18n import formatter
from reports.model import MonthReport
from reports.render_pdf import _policy, render_html
from reports.samu_charts import samu_charts
from tests.report_data import OUTAGE_AT

pytest_plugins = ("tests.report_fixtures",)

PARIS = "Europe/Paris"


def days(first: date, n: int) -> list[date]:
    return [first + timedelta(days=i) for i in range(n)]


def test_a_utc_hour_lands_in_its_paris_day_and_hour() -> None:
    start = datetime(2026, 6, 30, 22, tzinfo=UTC)  # 1 July 00:00 in Paris (UTC+2)
    hours = [0] * 48
    hours[2] = 7  # 1 July 00:00 UTC = 02:00 in Paris
    hours[25] = 60  # 1 July 23:00 UTC = 2 July 01:00 in Paris
    grid = civil_grid(hours, start, days(date(2026, 7, 1), 2), PARIS)
    assert grid[0][2] == 7 and grid[1][1] == 60
    assert sum(v or 0 for row in grid for v in row) == 67
    assert all(v is not None for row in grid for v in row)  # an ordinary day has 24 hours


def test_hours_outside_the_days_are_left_out() -> None:
    start = datetime(2026, 6, 30, 0, tzinfo=UTC)
    grid = civil_grid([5] * 24, start, days(date(2026, 7, 1), 1), PARIS)
    assert sum(v or 0 for row in grid for v in row) == 10  # 30 June 22:00, 23:00 UTC only


def test_the_missing_spring_hour_is_empty_and_the_repeated_autumn_hour_holds_both() -> None:
    spring = datetime(2026, 3, 28, 23, tzinfo=UTC)  # 29 March 00:00 Paris; 23-hour day
    grid = civil_grid([1] * 23, spring, [date(2026, 3, 29)], PARIS)
    assert grid[0][2] is None and grid[0][1] == 1 and grid[0][3] == 1
    autumn = datetime(2026, 10, 24, 22, tzinfo=UTC)  # 25 October 00:00 Paris; 25-hour day
    grid = civil_grid([1] * 25, autumn, [date(2026, 10, 25)], PARIS)
    assert grid[0][2] == 2 and sum(v or 0 for v in grid[0]) == 25


def test_the_chart_draws_a_cell_per_hour_and_day_darker_for_more_bad_minutes() -> None:
    grid: list[list[int | None]] = [[0] * 24 for _ in range(3)]
    grid[1][3] = SCALE
    grid[2][3] = 5
    grid[2][4] = None
    before = [row[:] for row in grid]
    svg = heat_map_chart(["1", "2", "3"], grid, "minutes en échec", str, "pas de données")
    assert grid == before  # pure: the input is not changed
    cells = re.findall(
        r'<rect x="[\d.]+" y="[\d.]+" width="[\d.]+" height="[\d.]+" fill="(#\w+)"', svg
    )
    assert len(cells) == 3 * 24 + 5  # the grid, then the legend's five shades
    darkest, light, empty = cells[24 + 3], cells[48 + 3], cells[0]
    assert darkest != light != empty
    assert sum(int(darkest[i : i + 2], 16) for i in (1, 3, 5)) < sum(
        int(light[i : i + 2], 16) for i in (1, 3, 5)
    )
    assert cells[48 + 4] == "#ffffff" and 'stroke-dasharray="1 1"' in svg  # no such hour
    assert ">60<" in svg and ">5<" in svg  # the days' totals
    assert "minutes en échec" in svg


def test_no_day_is_a_no_data_box() -> None:
    svg = heat_map_chart([], [], "minutes en échec", str, "pas de données")
    assert "pas de données" in svg and "<rect" in svg


def test_the_report_heat_map_counts_the_same_bad_minutes_as_its_s3_column(
    report: MonthReport,
) -> None:
    """One definition: the hours of the heat-map add up to each SAMU's "S3 min. KO"."""
    assert report.bad_hours and set(report.bad_hours) == {r.samu_id for r in report.samu}
    for row in report.samu:
        hours = report.bad_hours[row.samu_id]
        assert len(hours) == report.hours
        assert sum(hours) == (row.s3_minutes_down or 0), row.samu_id
    outage = report.bad_hours["fr.health.samu005"]
    hour = int((OUTAGE_AT - report.start).total_seconds()) // 3600
    assert sum(outage[hour : hour + 2]) > 0  # the simulated outage is where it happened


def test_each_watched_samu_has_its_heat_map_in_the_pdf(report: MonthReport) -> None:
    html = render_html(report, 1, "fr")
    charts = samu_charts(report, {}, _policy(), formatter("fr"))
    assert charts
    for c in charts:
        assert c.heat in html
    title = "Minutes en échec des appels de test (S3) par heure et par jour, heure de Paris"
    assert html.count(title) == len(charts)
    outage = next(c for c in charts if c.samu_id == "fr.health.samu005")
    assert outage.heat.count("<rect") == 24 * len({d.day for d in report.days}) + 5
