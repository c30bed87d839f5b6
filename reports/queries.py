"""The report's SQL over `minute_counts` and `minute_ingest`: plain sums, written once, here.

Every query takes the month's UTC bounds, the SAMU ids and the planned-maintenance intervals
as bound parameters; a minute inside a maintenance interval of its SAMU is flagged `maint`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from reports.model import Objectives
from store.client import Store
from store.clock import utc

Exclusion = tuple[str, datetime, datetime]  # (samu_id, start, end) in UTC, whole minutes

# Per SAMU, Europe/Paris day and maintenance flag: the sums every figure is made of.
COUNTS_SQL = """
SELECT samu_id, toDate(minute, {tz:String}) AS day,
  arrayExists((s, a, b) -> s = samu_id AND minute >= a AND minute < b,
    {ms:Array(String)}, {ma:Array(DateTime('UTC'))}, {mb:Array(DateTime('UTC'))}) AS maint,
  sumIf(value, metric = 'samu.call.setups' AND isInfinite(le)) AS calls,
  sumIf(value, metric = 'samu.call.setups' AND isInfinite(le)
    AND outcome IN {good:Array(String)}) AS s1_good,
  sumIf(value, metric = 'samu.call.setups' AND isInfinite(le)
    AND outcome NOT IN {excl:Array(String)}) AS s1_valid,
  sumIf(value, metric = 'samu.call.setup.duration' AND le = {s2le:Float64}) AS s2_good,
  sumIf(value, metric = 'samu.call.setup.duration' AND isInfinite(le)) AS s2_valid,
  sumIf(value, metric = 'samu.call.answer.duration' AND isInfinite(le)) AS answered,
  sumIf(value, metric = 'samu.call.answer.duration' AND le = {qsle:Float64}) AS answered_60,
  sumIf(value, metric = 'samu.call.abandoned' AND outcome = 'under_15s') AS ab_under,
  sumIf(value, metric = 'samu.call.abandoned' AND outcome = 'over_15s') AS ab_over,
  sumIf(value, metric = 'samu.entraide.transfers' AND outcome = 'in') AS ent_in,
  sumIf(value, metric = 'samu.entraide.transfers' AND outcome = 'out') AS ent_out
FROM {db}.minute_counts
WHERE minute >= {start:DateTime('UTC')} AND minute < {end:DateTime('UTC')}
  AND samu_id IN {ids:Array(String)}
  AND metric IN ('samu.call.setups', 'samu.call.setup.duration', 'samu.call.answer.duration',
                 'samu.call.abandoned', 'samu.entraide.transfers')
GROUP BY samu_id, day, maint
"""

# A judged minute is good when its probes all succeeded; a minute without probes is not good.
# Counts are never negative, so "the minute's sum > 0" is "one of its rows > 0": minute sets as
# bitmaps avoid grouping by minute.
PROBES_SQL = """
SELECT samu_id, toDate(minute, {tz:String}) AS day,
  bitmapCardinality(bitmapAndnot(
    groupBitmapStateIf(toUInt32(minute), outcome = 'success'),
    groupBitmapStateIf(toUInt32(minute), outcome != 'success'))) AS good_minutes
FROM {db}.minute_counts
WHERE minute >= {start:DateTime('UTC')} AND minute < {end:DateTime('UTC')}
  AND samu_id IN {ids:Array(String)} AND metric = 'samu.probe.calls' AND isInfinite(le)
  AND value > 0
  AND NOT arrayExists((s, a, b) -> s = samu_id AND minute >= a AND minute < b,
    {ms:Array(String)}, {ma:Array(DateTime('UTC'))}, {mb:Array(DateTime('UTC'))})
GROUP BY samu_id, day
"""

INGEST_SQL = """
SELECT samu_id, toDate(minute, {tz:String}) AS day, uniqExact(minute)
FROM {db}.minute_ingest
WHERE minute >= {start:DateTime('UTC')} AND minute < {end:DateTime('UTC')}
  AND samu_id IN {ids:Array(String)} AND points > 0
GROUP BY samu_id, day
"""

NATIONAL_SQL = """
SELECT sumIf(value, outcome IN {good:Array(String)}), sumIf(value, outcome NOT IN
{excl:Array(String)}) FROM {db}.minute_counts WHERE minute >= {start:DateTime('UTC')}
AND minute < {end:DateTime('UTC')} AND samu_id IN {ids:Array(String)} AND metric =
'samu.call.setups' AND isInfinite(le) AND NOT arrayExists((s, a, b) -> s = samu_id AND
minute >= a AND minute < b, {ms:Array(String)}, {ma:Array(DateTime('UTC'))},
{mb:Array(DateTime('UTC'))})
"""

BAD_SQL = """
SELECT sum(value) FROM {db}.minute_counts WHERE minute >= {start:DateTime('UTC')} AND
minute < {end:DateTime('UTC')} AND samu_id IN {ids:Array(String)} AND metric =
'samu.call.setups' AND isInfinite(le) AND outcome NOT IN {good:Array(String)} AND
outcome NOT IN {excl:Array(String)}
"""

BAD_MINUTES_SQL = """
SELECT DISTINCT minute FROM {db}.minute_counts WHERE minute >= {start:DateTime('UTC')}
AND minute < {end:DateTime('UTC')} AND samu_id IN {ids:Array(String)} AND value > 0 AND
((metric = 'samu.probe.calls' AND outcome != 'success') OR (metric = 'samu.call.setups'
AND isInfinite(le) AND outcome NOT IN {good:Array(String)} AND outcome NOT IN
{excl:Array(String)})) ORDER BY minute
"""


@dataclass(frozen=True)
class Query:
    """Bound parameters shared by the report's queries."""

    start: datetime
    end: datetime
    ids: Sequence[str]
    exclusions: Sequence[Exclusion]
    objectives: Objectives
    timezone: str

    def params(self, **extra: Any) -> dict[str, Any]:
        o = self.objectives
        out: dict[str, Any] = {
            "start": self.start,
            "end": self.end,
            "ids": list(self.ids),
            "tz": self.timezone,
            "ms": [e[0] for e in self.exclusions],
            "ma": [e[1] for e in self.exclusions],
            "mb": [e[2] for e in self.exclusions],
            "good": list(o.s1_good),
            "excl": list(o.s1_excluded),
            "s2le": o.s2_threshold_s,
            "qsle": o.qs60_threshold_s,
        }
        out.update(extra)
        return out


def counts(store: Store, q: Query) -> list[tuple[Any, ...]]:
    """(samu, day, maint, calls, s1 good, s1 valid, s2 good, s2 valid, answered, answered ≤ 60 s,
    abandoned < 15 s, abandoned ≥ 15 s, entraide in, entraide out) per SAMU, day and flag."""
    return store.query(COUNTS_SQL, q.params())


def good_probe_minutes(store: Store, q: Query) -> dict[tuple[str, date], int]:
    """Minutes outside maintenance whose probes all succeeded, per SAMU and day."""
    return {(r[0], r[1]): int(r[2]) for r in store.query(PROBES_SQL, q.params())}


def minutes_with_data(store: Store, q: Query) -> dict[tuple[str, date], int]:
    """Minutes for which the SAMU sent any point, per SAMU and day."""
    return {(r[0], r[1]): int(r[2]) for r in store.query(INGEST_SQL, q.params())}


def national_s1(store: Store, q: Query) -> tuple[float, float]:
    """(good, valid) setups over every SAMU, maintenance excluded."""
    rows = store.query(NATIONAL_SQL, q.params())
    return (float(rows[0][0] or 0), float(rows[0][1] or 0)) if rows else (0.0, 0.0)


def failed_setups(store: Store, q: Query) -> int:
    """Failed setups (neither good nor excluded) of the SAMU over the interval."""
    rows = store.query(BAD_SQL, q.params())
    return int(rows[0][0] or 0) if rows else 0


def bad_minutes(store: Store, q: Query) -> list[datetime]:
    """Minutes with a failed probe or a failed setup for the SAMU, in order."""
    rows = store.query(BAD_MINUTES_SQL, q.params())
    return [utc(r[0]) for r in rows]
