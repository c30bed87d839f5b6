"""Civil days of a report month and planned-maintenance minutes per SAMU and day, pure."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

from reports.queries import Exclusion
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


def merged(exclusions: Sequence[Exclusion]) -> dict[str, list[tuple[datetime, datetime]]]:
    """Each SAMU's excluded intervals, overlaps merged (a minute is excluded once)."""
    by_samu: defaultdict[str, list[tuple[datetime, datetime]]] = defaultdict(list)
    for samu_id, start, end in sorted(exclusions):
        spans = by_samu[samu_id]
        if spans and start <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(spans[-1][1], end))
        else:
            spans.append((start, end))
    return dict(by_samu)


def excluded_minutes(
    exclusions: Sequence[Exclusion], days: Sequence[tuple[date, Interval]]
) -> dict[tuple[str, date], int]:
    """Minutes under planned maintenance per SAMU and civil day."""
    out: dict[tuple[str, date], int] = {}
    for samu_id, spans in merged(exclusions).items():
        for day, interval in days:
            total = 0
            for start, end in spans:
                lo, hi = max(start, interval.start), min(end, interval.end)
                if hi > lo:
                    total += int((hi - lo).total_seconds() // 60)
            if total:
                out[(samu_id, day)] = total
    return out
