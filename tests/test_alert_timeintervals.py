"""Time intervals in their IANA zone, correct across the Europe/Paris DST changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from alerts.errors import TimeIntervalError
from alerts.timeintervals import (
    InclusiveRange,
    TimeInterval,
    is_active,
    muted_by_time,
    parse_days_of_month,
    parse_months,
    parse_time_range,
    parse_weekdays,
)

OFFICE = TimeInterval(
    weekdays=(parse_weekdays("monday:friday"),),
    times=(parse_time_range("08:00", "18:00"),),
    location="Europe/Paris",
)
NIGHT = TimeInterval(
    times=(parse_time_range("20:00", "24:00"), parse_time_range("00:00", "07:00")),
    location="Europe/Paris",
)
LAST_DAY = TimeInterval(days_of_month=(parse_days_of_month("-1"),), location="Europe/Paris")
GUADELOUPE_NIGHT = TimeInterval(
    times=(parse_time_range("22:00", "24:00"),), location="America/Guadeloupe"
)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


CASES = [
    (
        "office hours on the Friday before spring-forward (CET, UTC+1)",
        OFFICE,
        utc(2024, 3, 29, 7, 30),
        True,
    ),
    ("07:30 UTC is 09:30 CEST on the Monday after: open", OFFICE, utc(2024, 4, 1, 7, 30), True),
    (
        "06:30 UTC is 08:30 CEST: open, although it would be 07:30 in CET",
        OFFICE,
        utc(2024, 4, 1, 6, 30),
        True,
    ),
    ("05:59 UTC is 07:59 CEST: not yet open", OFFICE, utc(2024, 4, 1, 5, 59), False),
    ("16:00 UTC is 18:00 CEST: the end is exclusive", OFFICE, utc(2024, 4, 1, 16, 0), False),
    ("a Saturday is outside monday:friday", OFFICE, utc(2024, 3, 30, 10, 0), False),
    ("01:30 CET just before the jump is night", NIGHT, utc(2024, 3, 31, 0, 30), True),
    ("03:30 CEST just after the jump is night", NIGHT, utc(2024, 3, 31, 1, 30), True),
    ("07:00 CEST on spring-forward day is morning", NIGHT, utc(2024, 3, 31, 5, 0), False),
    ("the first 02:30 (CEST) on fall-back day is night", NIGHT, utc(2024, 10, 27, 0, 30), True),
    ("the second 02:30 (CET) on fall-back day is night", NIGHT, utc(2024, 10, 27, 1, 30), True),
    ("06:59 CET after fall-back is still night", NIGHT, utc(2024, 10, 27, 5, 59), True),
    ("07:00 CET after fall-back is morning", NIGHT, utc(2024, 10, 27, 6, 0), False),
    ("19:59 UTC in winter is 20:59 Paris: night", NIGHT, utc(2024, 12, 2, 19, 59), True),
    ("day -1 is 29 February in a leap year", LAST_DAY, utc(2024, 2, 29, 12, 0), True),
    ("day -1 is 28 February otherwise", LAST_DAY, utc(2023, 2, 28, 12, 0), True),
    (
        "22:30 UTC on 31 March is already 1 April in Paris",
        LAST_DAY,
        utc(2024, 3, 31, 22, 30),
        False,
    ),
    (
        "18:30 UTC on 31 March is 20:30 in Paris, still the last day",
        LAST_DAY,
        utc(2024, 3, 31, 18, 30),
        True,
    ),
    (
        "Guadeloupe keeps UTC-4 all year: 02:30 UTC is 22:30 the day before",
        GUADELOUPE_NIGHT,
        utc(2024, 7, 1, 2, 30),
        True,
    ),
    ("Guadeloupe in January too", GUADELOUPE_NIGHT, utc(2024, 1, 1, 2, 30), True),
]


@pytest.mark.parametrize(("name", "interval", "at", "expected"), CASES, ids=[c[0] for c in CASES])
def test_intervals_follow_local_civil_time(
    name: str, interval: TimeInterval, at: datetime, expected: bool
) -> None:
    assert is_active(interval, at) is expected


def test_day_31_never_matches_a_30_day_month_and_months_years_restrict() -> None:
    day31 = TimeInterval(days_of_month=(parse_days_of_month("31"),))
    assert not is_active(day31, utc(2024, 4, 30, 12))
    assert is_active(day31, utc(2024, 5, 31, 12))
    winter = TimeInterval(
        months=(parse_months("december"), parse_months("1:2")), years=(InclusiveRange(2024, 2025),)
    )
    assert is_active(winter, utc(2025, 1, 15))
    assert not is_active(winter, utc(2026, 1, 15))
    assert not is_active(winter, utc(2024, 3, 1))


def test_without_location_the_instant_is_read_in_its_own_zone() -> None:
    morning = TimeInterval(times=(parse_time_range("08:00", "09:00"),))
    assert is_active(morning, datetime(2024, 1, 1, 8, 30, tzinfo=timezone(timedelta(hours=4))))
    assert not is_active(morning, utc(2024, 1, 1, 8, 30) + timedelta(hours=1))


def test_a_naive_instant_is_refused() -> None:
    with pytest.raises(TimeIntervalError):
        is_active(NIGHT, datetime(2024, 1, 1))


def test_mute_and_active_intervals_decide_route_muting() -> None:
    intervals = {"night": (NIGHT,), "office": (OFFICE,)}
    night = utc(2024, 3, 31, 1, 30)
    office = utc(2024, 4, 1, 7, 30)
    assert muted_by_time(["night"], [], intervals, night)
    assert not muted_by_time(["night"], [], intervals, office)
    assert muted_by_time([], ["office"], intervals, night)
    assert not muted_by_time([], ["office"], intervals, office)
    assert not muted_by_time([], [], intervals, night)


@pytest.mark.parametrize(
    ("parse", "text", "reason"),
    [
        (parse_weekdays, "friday:monday", "start day cannot be before end day"),
        (parse_weekdays, "funday", "not a valid weekday"),
        (parse_days_of_month, "0", "out of range"),
        (parse_days_of_month, "-1:5", "end day must be negative"),
        (parse_days_of_month, "-3:-10", "always before start day"),
        (parse_months, "13", "out of range"),
        (parse_months, "march:january", "is before start month"),
    ],
)
def test_malformed_ranges_are_rejected(parse: object, text: str, reason: str) -> None:
    with pytest.raises(TimeIntervalError, match=reason):
        parse(text)  # type: ignore[operator]


@pytest.mark.parametrize(("start", "end"), [("18:00", "08:00"), ("8:00", "09:00"), ("24:01", "")])
def test_malformed_times_are_rejected(start: str, end: str) -> None:
    with pytest.raises(TimeIntervalError):
        parse_time_range(start, end)
