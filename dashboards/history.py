"""History read back for the SAMU page and the national calls KPI: hourly good/valid of a ratio
SLI, calls per minute now, and the usual calls per minute at the same hour of the week.

Reads the SLO rollups (`slo_hour_counts`, `slo_minute_counts`) so that a month stays cheap; the
SLI's own `CountFilter`s decide which outcomes are good and valid, so the UI and the engine
share one definition.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from slo.model import RatioSLI
from store.client import Store
from store.clock import utc

CALLS_METRIC = "samu.call.setups"
BASELINE_WEEKS = 4
INF = float("inf")


@dataclass(frozen=True)
class HourPoint:
    """Good and valid events of one hour."""

    hour: datetime
    good: float
    valid: float


def hourly_ratio(
    store: Store, sli: RatioSLI, start: datetime, end: datetime, samu: str = ""
) -> list[HourPoint]:
    """Good/valid per hour over [start, end) for one SAMU ('' = all), hours without data omitted."""
    rows = store.query(
        "SELECT hour, outcome, component, sum(value) FROM {db}.slo_hour_counts "
        "WHERE hour >= {start:DateTime('UTC')} AND hour < {end:DateTime('UTC')} "
        "AND metric = {metric:String} AND isInfinite(le) "
        "AND ({samu:String} = '' OR samu_id = {samu:String}) "
        "GROUP BY hour, outcome, component ORDER BY hour",
        {"start": start, "end": end, "metric": sli.metric, "samu": samu},
    )
    totals: dict[datetime, list[float]] = {}
    for hour, outcome, component, value in rows:
        acc = totals.setdefault(hour, [0.0, 0.0])
        if sli.valid.accepts(outcome, component):
            acc[1] += float(value)
            if sli.good.accepts(outcome, component):
                acc[0] += float(value)
    return [HourPoint(utc(h), g, v) for h, (g, v) in sorted(totals.items()) if v > 0]


def calls_per_minute(
    store: Store, start: datetime, end: datetime, samu: str = "", metric: str = CALLS_METRIC
) -> dict[datetime, float]:
    """Call attempts (every outcome) per minute over [start, end)."""
    rows = store.query(
        "SELECT minute, sum(value) FROM {db}.slo_minute_counts "
        "WHERE minute >= {start:DateTime('UTC')} AND minute < {end:DateTime('UTC')} "
        "AND metric = {metric:String} AND isInfinite(le) "
        "AND ({samu:String} = '' OR samu_id = {samu:String}) GROUP BY minute ORDER BY minute",
        {"start": start, "end": end, "metric": metric, "samu": samu},
    )
    return {utc(m): float(v) for m, v in rows}


def usual_per_minute(
    store: Store,
    start: datetime,
    end: datetime,
    samu: str = "",
    weeks: int = BASELINE_WEEKS,
    metric: str = CALLS_METRIC,
) -> dict[datetime, float]:
    """The usual calls per minute for each hour of [start, end): the mean of the same hour in the
    previous `weeks` weeks that have data (a holiday-naive seasonal baseline)."""
    first = start.replace(minute=0, second=0, microsecond=0)
    ranges = [(first - timedelta(weeks=k), end - timedelta(weeks=k)) for k in range(1, weeks + 1)]
    rows = store.query(
        "SELECT hour, sum(value) FROM {db}.slo_hour_counts "
        "WHERE hour >= {lo:DateTime('UTC')} AND hour < {hi:DateTime('UTC')} "
        "AND metric = {metric:String} AND isInfinite(le) "
        "AND ({samu:String} = '' OR samu_id = {samu:String}) GROUP BY hour",
        {"lo": ranges[-1][0], "hi": ranges[0][1], "metric": metric, "samu": samu},
    )
    by_hour = {utc(h): float(v) for h, v in rows}
    out: dict[datetime, float] = {}
    hour = first
    while hour < end:
        back = [hour - timedelta(weeks=k) for k in range(1, weeks + 1)]
        seen = [by_hour[h] for h in back if h in by_hour]
        if seen:
            out[hour] = sum(seen) / len(seen) / 60
        hour += timedelta(hours=1)
    return out


def calls_now(store: Store, now: datetime, samu: str = "", minutes: int = 5) -> float | None:
    """Mean calls per minute over the last `minutes` complete minutes (None without data)."""
    end = now.replace(second=0, microsecond=0)
    found = calls_per_minute(store, end - timedelta(minutes=minutes), end, samu)
    return sum(found.values()) / minutes if found else None


ENTRAIDE_METRIC = "samu.entraide.transfers"


def entraide_out(store: Store, start: datetime, end: datetime) -> dict[str, float]:
    """Calls each SAMU overflowed to its backup over [start, end) (entraide, direction out)."""
    rows = store.query(
        "SELECT samu_id, sum(value) FROM {db}.slo_minute_counts "
        "WHERE minute >= {start:DateTime('UTC')} AND minute < {end:DateTime('UTC')} "
        "AND metric = {metric:String} AND outcome = 'out' AND isInfinite(le) GROUP BY samu_id",
        {"start": start, "end": end, "metric": ENTRAIDE_METRIC},
    )
    return {str(s): float(v) for s, v in rows if v}


def bad_minutes_per_hour(
    store: Store, sli: RatioSLI, start: datetime, end: datetime, samu: str
) -> dict[datetime, int]:
    """Minutes with at least one bad event of the SLI, per hour (UTC) over [start, end)."""
    rows = store.query(
        "SELECT minute, outcome, component, sum(value) FROM {db}.slo_minute_counts "
        "WHERE minute >= {start:DateTime('UTC')} AND minute < {end:DateTime('UTC')} "
        "AND metric = {metric:String} AND isInfinite(le) AND samu_id = {samu:String} "
        "GROUP BY minute, outcome, component HAVING sum(value) > 0",
        {"start": start, "end": end, "metric": sli.metric, "samu": samu},
    )
    bad: set[datetime] = set()
    for minute, outcome, component, _ in rows:
        if sli.valid.accepts(outcome, component) and not sli.good.accepts(outcome, component):
            bad.add(utc(minute))
    out: dict[datetime, int] = {}
    for minute in bad:
        hour = minute.replace(minute=0)
        out[hour] = out.get(hour, 0) + 1
    return out


def calls_per_hour(
    store: Store,
    start: datetime,
    end: datetime,
    samu: str,
    metric: str = CALLS_METRIC,
    outcome: str = "",
) -> dict[datetime, float]:
    """Events of a metric per hour over [start, end) for one SAMU (one outcome, or all)."""
    rows = store.query(
        "SELECT hour, sum(value) FROM {db}.slo_hour_counts "
        "WHERE hour >= {start:DateTime('UTC')} AND hour < {end:DateTime('UTC')} "
        "AND metric = {metric:String} AND isInfinite(le) AND samu_id = {samu:String} "
        "AND ({outcome:String} = '' OR outcome = {outcome:String}) GROUP BY hour ORDER BY hour",
        {"start": start, "end": end, "metric": metric, "samu": samu, "outcome": outcome},
    )
    return {utc(h): float(v) for h, v in rows}
