"""Time intervals (`time_intervals` / `mute_time_intervals`) with Alertmanager's semantics.

Evaluated in the interval's IANA time zone (`location`), so a 08:00–18:00 Europe/Paris window stays
at 08:00–18:00 local time across the DST changes. Days of month may count from the end (-1 = last).
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from alerts.errors import TimeIntervalError

WEEKDAYS = ("sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday")
MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
_TIME = re.compile(r"(([01][0-9])|(2[0-3])):[0-5][0-9]|24:00")


@dataclass(frozen=True)
class TimeRange:
    """Minutes of the day, start inclusive, end exclusive (24:00 is 1440)."""

    start_minute: int
    end_minute: int


@dataclass(frozen=True)
class InclusiveRange:
    """An inclusive integer range (weekday 0 = Sunday, month 1 = January, day -1 = last)."""

    begin: int
    end: int


@dataclass(frozen=True)
class TimeInterval:
    """One time interval; an unset field (None) does not restrict, all set fields must hold."""

    times: tuple[TimeRange, ...] | None = None
    weekdays: tuple[InclusiveRange, ...] | None = None
    days_of_month: tuple[InclusiveRange, ...] | None = None
    months: tuple[InclusiveRange, ...] | None = None
    years: tuple[InclusiveRange, ...] | None = None
    location: str | None = None  # IANA name; None evaluates in the time zone of `at`


def is_active(interval: TimeInterval, at: datetime) -> bool:
    """Whether the instant `at` (time-zone aware) falls inside the interval."""
    if at.tzinfo is None:
        raise TimeIntervalError("time intervals need a time-zone aware datetime")
    if interval.location == "Local":
        at = at.astimezone()
    elif interval.location is not None:
        at = at.astimezone(ZoneInfo(interval.location))
    minute = at.hour * 60 + at.minute
    if interval.times is not None and not any(
        r.start_minute <= minute < r.end_minute for r in interval.times
    ):
        return False
    if interval.days_of_month is not None and not any(
        _day_in(r, at) for r in interval.days_of_month
    ):
        return False
    if interval.months is not None and not any(
        r.begin <= at.month <= r.end for r in interval.months
    ):
        return False
    weekday = (at.weekday() + 1) % 7  # Go: Sunday = 0
    if interval.weekdays is not None and not any(
        r.begin <= weekday <= r.end for r in interval.weekdays
    ):
        return False
    return interval.years is None or any(r.begin <= at.year <= r.end for r in interval.years)


def _day_in(days: InclusiveRange, at: datetime) -> bool:
    length = calendar.monthrange(at.year, at.month)[1]
    begin = length + days.begin + 1 if days.begin < 0 else days.begin
    end = length + days.end + 1 if days.end < 0 else days.end
    if begin > length:  # e.g. day 31 in a 30-day month
        return False
    begin, end = max(-length, min(begin, length)), max(-length, min(end, length))
    return begin <= at.day <= end


def any_active(intervals: Sequence[TimeInterval], at: datetime) -> bool:
    """Whether any interval of a named time interval contains `at`."""
    return any(is_active(i, at) for i in intervals)


def muted_by_time(
    mute: Sequence[str],
    active: Sequence[str],
    intervals: Mapping[str, Sequence[TimeInterval]],
    at: datetime,
) -> bool:
    """Whether a route is muted at `at`: inside a mute interval, or outside all active ones."""
    if any(any_active(intervals[name], at) for name in mute):
        return True
    return bool(active) and not any(any_active(intervals[name], at) for name in active)


def parse_time_range(start: str, end: str) -> TimeRange:
    """Parse `start_time`/`end_time` (`HH:MM`, 24:00 allowed); the start must come first."""
    if not start or not end:
        raise TimeIntervalError("both start and end times must be provided")
    first, last = _minutes(start), _minutes(end)
    if first >= last:
        raise TimeIntervalError("start time cannot be equal or greater than end time")
    return TimeRange(first, last)


def _minutes(text: str) -> int:
    if not _TIME.fullmatch(text):
        raise TimeIntervalError(f"couldn't parse timestamp {text}, invalid format")
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def _members(text: str, lookup: Sequence[str] | None, what: str) -> tuple[int, int]:
    parts = text.lower().split(":")
    if len(parts) > 2:
        raise TimeIntervalError(f"couldn't parse range {text}, invalid format")
    values = []
    for part in parts:
        if lookup is not None and part in lookup:
            values.append(lookup.index(part) + (1 if what == "month" else 0))
        elif what != "weekday" and re.fullmatch(r"[+-]?[0-9]+", part):
            values.append(int(part))
        else:
            raise TimeIntervalError(f"{part} is not a valid {what}")
    return values[0], values[-1]


def parse_weekdays(text: str) -> InclusiveRange:
    """Parse `monday` or `monday:friday`."""
    begin, end = _members(text, WEEKDAYS, "weekday")
    if begin > end:
        raise TimeIntervalError("start day cannot be before end day")
    return InclusiveRange(begin, end)


def parse_days_of_month(text: str) -> InclusiveRange:
    """Parse `1`, `1:5` or `-3:-1` (negative days count from the end of the month)."""
    begin, end = _members(text, None, "day of the month")
    for day in (begin, end):
        if day == 0 or not -31 <= day <= 31:
            raise TimeIntervalError(f"{day} is not a valid day of the month: out of range")
    if begin < 0 < end:
        raise TimeIntervalError("end day must be negative if start day is negative")
    # Reject what is always empty, assuming the shortest (28-day) month as Alertmanager does.
    if (28 + begin if begin < 0 else begin) > (28 + end if end < 0 else end):
        raise TimeIntervalError(f"end day {end} is always before start day {begin}")
    return InclusiveRange(begin, end)


def parse_months(text: str) -> InclusiveRange:
    """Parse `january`, `1`, `january:march` or `1:3`."""
    begin, end = _members(text, MONTHS, "month")
    for month in (begin, end):
        if not 1 <= month <= 12:
            raise TimeIntervalError(f"{month} is not a valid month: out of range")
    if begin > end:
        raise TimeIntervalError(f"end month {MONTHS[end - 1]} is before start month")
    return InclusiveRange(begin, end)


def parse_years(text: str) -> InclusiveRange:
    """Parse `2024` or `2024:2026`."""
    begin, end = _members(text, None, "year")
    if begin > end:
        raise TimeIntervalError(f"end year {end} is before start year {begin}")
    return InclusiveRange(begin, end)


def check_location(name: str) -> str:
    """Check that `name` is a known IANA time zone (or `Local`/`UTC`) and return its name."""
    if name in ("Local", "UTC", ""):
        return name or "UTC"  # Go's time.LoadLocation("") is UTC
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise TimeIntervalError(f"unknown time zone {name!r}") from exc
    return name
