"""SLO windows: durations, rolling windows, DST-correct calendar periods (pure, no store)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from slo.errors import WindowError
from slo.windows import (
    CalendarWindow,
    RollingWindow,
    calendar_interval_at,
    elapsed_interval,
    format_duration,
    parse_duration,
    window_for,
    window_interval,
)

PARIS = "Europe/Paris"


@pytest.mark.parametrize(
    ("label", "timezone", "hours"),
    [
        pytest.param("2026-10", PARIS, 745, id="a Paris October holds the 25-hour day: 745 h"),
        pytest.param("2026-03", PARIS, 743, id="a Paris March holds the 23-hour day: 743 h"),
        pytest.param("2026-01", PARIS, 744, id="a Paris January has no DST change: 744 h"),
        pytest.param("2026-02", PARIS, 672, id="a Paris February 2026 has 28 plain days"),
        pytest.param("2026-10", "America/Guadeloupe", 744, id="Guadeloupe has no DST: 744 h"),
        pytest.param("2026-03", "Indian/Reunion", 744, id="Réunion has no DST: 744 h"),
        pytest.param("2026-Q1", PARIS, 744 + 672 + 743, id="a Paris Q1 loses the spring hour"),
        pytest.param("2026-Q4", PARIS, 745 + 720 + 744, id="a Paris Q4 gains the autumn hour"),
        pytest.param("2026", PARIS, 8760, id="a Paris year: the two changes cancel out"),
        pytest.param("2024", PARIS, 8784, id="a leap year has 366 days"),
    ],
)
def test_calendar_periods_have_their_civil_length(label: str, timezone: str, hours: int) -> None:
    interval = window_for(label, timezone)
    assert interval.duration == timedelta(hours=hours)
    assert interval.minutes == hours * 60


@pytest.mark.parametrize(
    ("label", "timezone", "start", "end"),
    [
        pytest.param(
            "2026-10",
            PARIS,
            datetime(2026, 9, 30, 22, tzinfo=UTC),
            datetime(2026, 10, 31, 23, tzinfo=UTC),
            id="Paris October starts at CEST midnight",
        ),
        pytest.param(
            "2026-03",
            PARIS,
            datetime(2026, 2, 28, 23, tzinfo=UTC),
            datetime(2026, 3, 31, 22, tzinfo=UTC),
            id="Paris March ends at CEST midnight",
        ),
        pytest.param(
            "2026-10",
            "America/Guadeloupe",
            datetime(2026, 10, 1, 4, tzinfo=UTC),
            datetime(2026, 11, 1, 4, tzinfo=UTC),
            id="Guadeloupe months start at 04:00 UTC",
        ),
        pytest.param(
            "2026-10",
            "Indian/Mayotte",
            datetime(2026, 9, 30, 21, tzinfo=UTC),
            datetime(2026, 10, 31, 21, tzinfo=UTC),
            id="Mayotte months start at 21:00 UTC",
        ),
    ],
)
def test_calendar_periods_start_at_local_midnight(
    label: str, timezone: str, start: datetime, end: datetime
) -> None:
    interval = window_for(label, timezone)
    assert (interval.start, interval.end) == (start, end)


def test_the_month_of_an_instant_is_taken_in_local_time() -> None:
    # 31 October 23:30 UTC is already 1 November 00:30 in Paris.
    interval = calendar_interval_at(datetime(2026, 10, 31, 23, 30, tzinfo=UTC), "month", PARIS)
    assert interval == window_for("2026-11", PARIS)


def test_a_rolling_window_is_the_last_duration_before_now() -> None:
    now = datetime(2026, 10, 26, 12, tzinfo=UTC)
    interval = window_interval(RollingWindow(timedelta(days=28)), now)
    assert interval.end == now
    assert interval.minutes == 28 * 24 * 60


def test_an_elapsed_calendar_window_stops_at_now() -> None:
    now = datetime(2026, 10, 2, 0, tzinfo=UTC)
    elapsed = elapsed_interval(CalendarWindow("month", PARIS), now)
    assert elapsed.start == datetime(2026, 9, 30, 22, tzinfo=UTC)
    assert elapsed.end == now
    assert elapsed.minutes == 26 * 60


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("28d", timedelta(days=28)),
        ("5m", timedelta(minutes=5)),
        ("1h30m", timedelta(minutes=90)),
        ("500ms", timedelta(milliseconds=500)),
        ("2w", timedelta(days=14)),
        ("60s", timedelta(seconds=60)),
    ],
)
def test_duration_shorthands_parse(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["28", "d", "1M", "-1d", "0s", "1d 2h", ""])
def test_invalid_durations_are_refused(text: str) -> None:
    with pytest.raises(WindowError):
        parse_duration(text)


@pytest.mark.parametrize("label", ["2026-13", "2026-Q5", "oct 2026", "26-10"])
def test_invalid_period_labels_are_refused(label: str) -> None:
    with pytest.raises(WindowError):
        window_for(label)


def test_an_unknown_time_zone_is_refused() -> None:
    with pytest.raises(WindowError, match="Europe/Pariss"):
        window_for("2026-10", "Europe/Pariss")


@pytest.mark.parametrize("text", ["28d", "1h", "5m", "30s", "500ms"])
def test_durations_format_back_to_their_shorthand(text: str) -> None:
    assert format_duration(parse_duration(text)) == text
