"""Civil days of a report month (23 or 25 hours on DST days), pure."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from slo.windows import Interval, zone


def civil_days(period: Interval, timezone: str) -> list[tuple[date, Interval]]:
    """Each local day of `period` with its UTC interval (23 or 25 hours on DST days)."""
    tz = zone(timezone)
    day = period.start.astimezone(tz).date()
    out: list[tuple[date, Interval]] = []
    while True:
        start = datetime(day.year, day.month, day.day, tzinfo=tz).astimezone(UTC)
        if start >= period.end:
            return out
        nxt = day + timedelta(days=1)
        end = datetime(nxt.year, nxt.month, nxt.day, tzinfo=tz).astimezone(UTC)
        out.append((day, Interval(max(start, period.start), min(end, period.end))))
        day = nxt
