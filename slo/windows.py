"""SLO windows: durations, rolling windows and DST-correct calendar periods, as UTC intervals.

Every interval is half-open [start, end) in UTC. Calendar periods start at local midnight on
the first day of the month, quarter or year in a named IANA zone, so a Europe/Paris October has
31 days + 1 hour (745 h) and a Europe/Paris March has 743 h; overseas zones have no DST.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from slo.errors import WindowError
from store import durations

CalendarUnit = Literal["month", "quarter", "year"]
DEFAULT_TIMEZONE = "Europe/Paris"

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")


def parse_duration(text: str) -> timedelta:
    """A positive window or slice length in the shorthand (`28d`, `5m`, `1h30m`, `500ms`, `2w`;
    no months or years): store.durations' SHORTHAND dialect, its error as a WindowError."""
    try:
        value = durations.parse_duration(text.strip(), durations.SHORTHAND)
    except durations.DurationError as exc:
        raise WindowError(str(exc)) from exc
    if value <= timedelta(0):
        raise WindowError(f"invalid duration {text!r}: must be positive")
    return value


def format_duration(value: timedelta) -> str:
    """The name a window goes by, in its largest whole unit up to days (`28d`, `1h`, `90s`)."""
    return durations.format_in_one_unit(value)


def zone(name: str) -> ZoneInfo:
    """The IANA time zone `name`, or a WindowError naming it."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise WindowError(
            f"unknown time zone {name!r} (use an IANA name like Europe/Paris)"
        ) from exc


@dataclass(frozen=True)
class Interval:
    """A half-open UTC time interval [start, end)."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise WindowError("interval bounds must be timezone-aware")
        if self.end < self.start:
            raise WindowError("interval ends before it starts")

    @property
    def duration(self) -> timedelta:
        return self.end - self.start

    @property
    def minutes(self) -> int:
        """Whole minutes in the interval (the number of 1-minute slices it holds)."""
        return int(self.duration.total_seconds() // 60)

    def contains(self, instant: datetime) -> bool:
        return self.start <= instant < self.end


@dataclass(frozen=True)
class RollingWindow:
    """The last `duration` before the evaluation instant."""

    duration: timedelta


@dataclass(frozen=True)
class CalendarWindow:
    """The calendar month, quarter or year containing the evaluation instant, in `timezone`."""

    unit: CalendarUnit
    timezone: str = DEFAULT_TIMEZONE


Window = RollingWindow | CalendarWindow


def floor_minute(instant: datetime) -> datetime:
    """The start of the UTC minute holding `instant`."""
    return instant.astimezone(UTC).replace(second=0, microsecond=0)


def ceil_minute(instant: datetime) -> datetime:
    """The first UTC minute start at or after `instant`."""
    floor = floor_minute(instant)
    return floor if floor == instant.astimezone(UTC) else floor + timedelta(minutes=1)


def rolling_interval(end: datetime, duration: timedelta) -> Interval:
    """The rolling interval [end - duration, end) in UTC."""
    end_utc = end.astimezone(UTC)
    return Interval(end_utc - duration, end_utc)


def _local_midnight(year: int, month: int, tz: ZoneInfo) -> datetime:
    return datetime(year, month, 1, tzinfo=tz).astimezone(UTC)


def _add_months(year: int, month: int, months: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + months
    return index // 12, index % 12 + 1


_UNIT_MONTHS: dict[str, int] = {"month": 1, "quarter": 3, "year": 12}


def calendar_interval(unit: CalendarUnit, year: int, first_month: int, timezone: str) -> Interval:
    """The calendar period of `unit` starting on `first_month` of `year`, local time, as UTC."""
    tz = zone(timezone)
    end_year, end_month = _add_months(year, first_month, _UNIT_MONTHS[unit])
    return Interval(
        _local_midnight(year, first_month, tz), _local_midnight(end_year, end_month, tz)
    )


def calendar_interval_at(instant: datetime, unit: CalendarUnit, timezone: str) -> Interval:
    """The calendar month, quarter or year (local to `timezone`) that contains `instant`."""
    local = instant.astimezone(zone(timezone))
    size = _UNIT_MONTHS[unit]
    first_month = (local.month - 1) // size * size + 1
    return calendar_interval(unit, local.year, first_month, timezone)


def window_for(label: str, timezone: str = DEFAULT_TIMEZONE) -> Interval:
    """The calendar period named by `label`: `2026-10` (month), `2026-Q4` (quarter), `2026`."""
    text = label.strip()
    if match := _MONTH.match(text):
        month = int(match.group(2))
        if not 1 <= month <= 12:
            raise WindowError(f"invalid month in {label!r}")
        return calendar_interval("month", int(match.group(1)), month, timezone)
    if match := _QUARTER.match(text):
        return calendar_interval(
            "quarter", int(match.group(1)), int(match.group(2)) * 3 - 2, timezone
        )
    if match := _YEAR.match(text):
        return calendar_interval("year", int(match.group(1)), 1, timezone)
    raise WindowError(f"invalid period {label!r}: use YYYY-MM, YYYY-Qn or YYYY")


def window_interval(window: Window, now: datetime) -> Interval:
    """The full interval of `window` evaluated at `now` (a calendar window: the whole period)."""
    if isinstance(window, RollingWindow):
        return rolling_interval(now, window.duration)
    return calendar_interval_at(now, window.unit, window.timezone)


def elapsed_interval(window: Window, now: datetime) -> Interval:
    """The part of `window` already observed at `now` (for a rolling window, all of it)."""
    full = window_interval(window, now)
    return Interval(full.start, min(full.end, now.astimezone(UTC)))
