"""When to produce a month's report: from the 1st of the next month, Europe/Paris, once.

Pure: the composition root calls `due_month(clock.now(), archived_months)` on its loop and, when
a month is returned, issues its report and notifies the reporting receiver. A platform that was
down on the 1st catches up the next time it runs.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime, time, timedelta

from slo.windows import DEFAULT_TIMEZONE, zone

# Leave late telemetry (the collector accepts points up to minutes late) time to arrive.
DEFAULT_DELAY = timedelta(hours=6)


def previous_month(now: datetime, timezone: str = DEFAULT_TIMEZONE) -> str:
    """The label (YYYY-MM) of the civil month before the one holding `now` in `timezone`."""
    local = now.astimezone(zone(timezone))
    year, month = (local.year - 1, 12) if local.month == 1 else (local.year, local.month - 1)
    return f"{year}-{month:02d}"


def first_of_month(now: datetime, timezone: str = DEFAULT_TIMEZONE) -> datetime:
    """Local midnight of the 1st of the month holding `now`, in UTC."""
    tz = zone(timezone)
    local = now.astimezone(tz)
    return datetime.combine(local.date().replace(day=1), time(0), tz).astimezone(UTC)


def due_month(
    now: datetime,
    archived: Collection[str],
    timezone: str = DEFAULT_TIMEZONE,
    delay: timedelta = DEFAULT_DELAY,
) -> str | None:
    """The previous month, when `delay` past the 1st has elapsed and it is not archived yet."""
    if now < first_of_month(now, timezone) + delay:
        return None
    month = previous_month(now, timezone)
    return None if month in archived else month


def next_check(
    now: datetime, timezone: str = DEFAULT_TIMEZONE, delay: timedelta = DEFAULT_DELAY
) -> datetime:
    """When the scheduler should look again: the next 1st (plus `delay`) after `now`."""
    current = first_of_month(now, timezone) + delay
    if now < current:
        return current
    following = first_of_month(first_of_month(now, timezone) + timedelta(days=32), timezone)
    return following + delay
