"""The collector's own health per minute: the `collector_minutes` table and its reader.

Every collector instance (one receiver process: `vigie up` or `vigie collector`) writes one row
per minute it was up, at the end of that minute (from its clock), even when no request arrived
— a heartbeat. So a minute *without any row* means that no collector was up: Vigie's own
ingest gap, not the SAMUs' silence. The row also says how the instance did: export requests
answered, points accepted and refused, exports shed with 503 (queue full or store down), and
the age of the oldest export waiting in its write queue.

The collector writes the table (collector/health.py); slo/ reads it with `minutes` (slo may not
import collector/). A minute's row is written within `SETTLED_AFTER` of the minute's end, so ask
only about minutes that ended at least that long ago. Rows are summed per minute and instance
(an instance may write a minute in several parts, e.g. its last partial minute at shutdown).

    minutes(store, start, end) -> dict[datetime, MinuteHealth]   # every minute of [start, end)
    hour_words(store, start, end) -> list[(hour, up, shed)]        # the same as bit words
    first_minute(store) -> datetime | None                         # since when Vigie heard itself

`slo.judge` reads the words: a minute the collector shed load in, or in which no collector was
up while it is known to have run before and after, is a Vigie gap, not the SAMUs' silence.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from store.clock import utc
from store.schema import Retained, Table

COLLECTOR_MINUTES = Table(
    name="collector_minutes",
    columns="""
    minute DateTime('UTC') CODEC(DoubleDelta, ZSTD(1)),
    instance LowCardinality(String),
    requests SimpleAggregateFunction(sum, UInt64),
    points_accepted SimpleAggregateFunction(sum, UInt64),
    points_rejected SimpleAggregateFunction(sum, UInt64),
    shed_503 SimpleAggregateFunction(sum, UInt64),
    max_queue_age_s SimpleAggregateFunction(max, Float64)
    """,
    engine="AggregatingMergeTree",
    partition_by="toYYYYMM(minute)",
    order_by="minute, instance",
    ttl="minute + INTERVAL 800 DAY",
    retention=Retained("rollup", "minute"),
)

COLUMNS: tuple[str, ...] = (
    "minute",
    "instance",
    "requests",
    "points_accepted",
    "points_rejected",
    "shed_503",
    "max_queue_age_s",
)

# A minute's row is written at most this long after the minute ends (the recorder ticks every
# second; the insert itself takes milliseconds). Younger minutes are not settled yet.
SETTLED_AFTER = timedelta(seconds=15)


@dataclass(frozen=True)
class MinuteHealth:
    """How Vigie's collectors did in one minute (all instances together)."""

    up: bool  # at least one collector instance was up in that minute
    instances: int
    requests: int
    points_accepted: int
    points_rejected: int
    shed_503: int  # exports answered 503 / UNAVAILABLE (queue full, store down)
    max_queue_age_s: float  # the oldest export waiting to be written, seconds

    @property
    def shedding(self) -> bool:
        """Exports were refused for load or a store outage: the data of that minute may lag."""
        return self.shed_503 > 0


DOWN = MinuteHealth(False, 0, 0, 0, 0, 0, 0.0)


class Reader(Protocol):
    def query(
        self, text: str, parameters: dict[str, Any] | None = None
    ) -> list[tuple[Any, ...]]: ...


_MINUTES_SQL = """
SELECT minute, uniqExact(instance), sum(requests), sum(points_accepted), sum(points_rejected),
       sum(shed_503), max(max_queue_age_s)
FROM {db}.collector_minutes
WHERE minute >= {start:DateTime('UTC')} AND minute < {end:DateTime('UTC')}
GROUP BY minute
"""


def minutes(store: Reader, start: datetime, end: datetime) -> dict[datetime, MinuteHealth]:
    """Every minute of [start, end) (aware UTC, truncated to the minute): how the collectors did;
    `DOWN` (up=False) for a minute no instance wrote."""
    first, end = _minute(start), utc(end)
    last = _minute(end) + (timedelta(minutes=1) if end > _minute(end) else timedelta())
    rows = store.query(_MINUTES_SQL, {"start": first, "end": last})
    found = {
        utc(minute): MinuteHealth(True, int(n), int(r), int(a), int(x), int(s), float(age))
        for minute, n, r, a, x, s, age in rows
    }
    out: dict[datetime, MinuteHealth] = {}
    at = first
    while at < last:
        out[at] = found.get(at, DOWN)
        at += timedelta(minutes=1)
    return out


_WORDS_SQL = """
SELECT toUnixTimestamp(toStartOfHour(minute)) AS hour,
       groupBitOr(bitShiftLeft(toUInt64(1), toMinute(minute))),
       groupBitOrIf(bitShiftLeft(toUInt64(1), toMinute(minute)), shed_503 > 0)
FROM {db}.collector_minutes
WHERE minute >= {start:DateTime('UTC')} AND minute < {end:DateTime('UTC')}
GROUP BY hour ORDER BY hour
"""


def hour_words(store: Reader, start: datetime, end: datetime) -> list[tuple[int, int, int]]:
    """Per hour of [start, end) with any row: (hour start in Unix seconds, minutes some collector
    was up, minutes some collector shed exports), bit k of a word being minute k of the hour."""
    rows = store.query(_WORDS_SQL, {"start": _minute(start), "end": _minute(end)})
    return [(int(h), int(up), int(shed)) for h, up, shed in rows]


def first_minute(store: Reader) -> datetime | None:
    """The first minute any collector wrote its heartbeat (None: never, e.g. a store filled by
    other means): before it, a minute without a row says nothing about Vigie."""
    rows = store.query("SELECT min(minute), count() FROM {db}.collector_minutes")
    return utc(rows[0][0]) if rows and rows[0][1] else None


def _minute(at: datetime) -> datetime:
    return utc(at).replace(second=0, microsecond=0)
