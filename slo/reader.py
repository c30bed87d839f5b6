"""Reads what a tick needs from the store and returns plain values (no SLO logic here).

`SumsReader.read` runs the tick statement of `slo.sql` (and, when planned maintenance overlaps
the windows, the same statement restricted to its minutes, subtracted). The small guard reads
(recent probe minutes, heartbeat points, traffic baselines, last ingest) live here too.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from alerts.maintenance import MaintenanceWindow
from slo.sql import (
    HOUR,
    Field,
    MaintenanceRanges,
    Pick,
    Plan,
    SliceMeasure,
    ceil_minute,
    floor_hour,
    slice_hours_insert,
    slice_range,
    tick_query,
    watermark_query,
)
from slo.windows import floor_minute
from store.client import Store
from store.clock import utc

Pair = tuple[float, float]


@dataclass(frozen=True)
class Sums:
    """Tick totals: event sums per (measure, span) and (samu, component); slices per samu.

    `counts[(m, s)][(samu, component)] = (good, valid)`; `slices[(m, s)][samu] = (good, data)`
    (judged slices that had data); `slice_minutes[s][samu]` = slices the span holds for that
    SAMU once maintenance minutes are removed (no-data slices = that − data).
    """

    counts: dict[tuple[str, str], dict[tuple[str, str], Pair]] = field(default_factory=dict)
    slices: dict[tuple[str, str], dict[str, Pair]] = field(default_factory=dict)
    slice_minutes: dict[str, dict[str, int]] = field(default_factory=dict)
    slice_total: dict[str, int] = field(default_factory=dict)


def collect(
    rows: Sequence[tuple[Any, ...]],
    picks: Mapping[Field, Sequence[Pick]],
    sign: float = 1.0,
    into: dict[Field, dict[tuple[str, str], float]] | None = None,
) -> dict[Field, dict[tuple[str, str], float]]:
    """Fold `(part, samu, component, seg, v)` rows into field → (samu, component) → total."""
    acc: dict[tuple[str, int, int], dict[tuple[str, str], float]] = {}
    for part, samu, component, seg, values in rows:
        key = (str(samu), str(component))
        for index, value in enumerate(values):
            if value:
                cell = acc.setdefault((str(part), int(seg), index), {})
                cell[key] = cell.get(key, 0.0) + float(value)
    out = into if into is not None else {}
    for fld, terms in picks.items():
        total = out.setdefault(fld, {})
        for term in terms:
            for seg, weight in term.segments:
                for key, value in acc.get((term.part, seg, term.index), {}).items():
                    total[key] = total.get(key, 0.0) + sign * weight * value
    return out


def maintenance_ranges(
    windows: Sequence[MaintenanceWindow],
    start: datetime,
    end: datetime,
    regions: Mapping[str, str],
) -> dict[str, list[tuple[datetime, datetime]]]:
    """Merged maintenance minute ranges per SAMU id ('' = every SAMU) overlapping [start, end)."""
    by_samu: dict[str, list[tuple[datetime, datetime]]] = defaultdict(list)
    for window in windows:
        for a, b in window.occurrences(start, end):
            a, b = floor_minute(a), ceil_minute(b)
            if not window.samu_ids and not window.regions:
                by_samu[""].append((a, b))
                continue
            for samu_id, region in regions.items():
                if window.covers(samu_id, region):
                    by_samu[samu_id].append((a, b))
    return {samu: _merge(ranges) for samu, ranges in by_samu.items()}


def _merge(ranges: list[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    out: list[tuple[datetime, datetime]] = []
    for a, b in sorted(ranges):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def _overlap_minutes(ranges: Sequence[tuple[datetime, datetime]], a: datetime, b: datetime) -> int:
    total = timedelta(0)
    for x, y in ranges:
        lo, hi = max(a, x), min(b, y)
        if hi > lo:
            total += hi - lo
    return int(total.total_seconds() // 60)


# When each SAMU first sent data: minutes before it are "not yet monitored", not bad slices,
# so a fresh install (or a SAMU joining) does not start with a spent budget and false pages.
_FIRST_SEEN_ALL_SQL = "SELECT samu_id, min(minute) FROM {db}.minute_ingest GROUP BY samu_id"
_FIRST_SEEN_SOME_SQL = """
SELECT samu_id, min(minute) FROM {db}.minute_ingest
WHERE samu_id IN {ids:Array(String)} GROUP BY samu_id
"""
FIRST_SEEN_REFRESH = timedelta(hours=1)  # a backfill may move a first minute earlier


class SumsReader:
    """Runs the tick statement and returns `Sums`."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._first_seen: dict[str, datetime] = {}
        self._first_seen_at: datetime | None = None

    def first_seen(self, samu_ids: Sequence[str], now: datetime) -> dict[str, datetime]:
        """The first minute with data of each SAMU that ever sent any (cached, refreshed)."""
        if self._first_seen_at is None or now - self._first_seen_at >= FIRST_SEEN_REFRESH:
            rows = self._store.query(_FIRST_SEEN_ALL_SQL)
            self._first_seen = {str(r[0]): utc(r[1]) for r in rows}
            self._first_seen_at = now
        else:
            missing = [s for s in samu_ids if s not in self._first_seen]
            if missing:
                rows = self._store.query(_FIRST_SEEN_SOME_SQL, {"ids": missing})
                self._first_seen.update({str(r[0]): utc(r[1]) for r in rows})
        return self._first_seen

    def watermarks(self) -> dict[str, datetime]:
        """End of the hours already judged in slo_slice_hours, per slice SLI key."""
        return {str(k): utc(v) for k, v in self._store.query(watermark_query())}

    def sync_slice_hours(
        self, measures: Sequence[SliceMeasure], now: datetime, lookback: timedelta
    ) -> int:
        """Judge and store every closed, settled hour not yet written; returns hours written."""
        done = self.watermarks()
        written = 0
        last_closed = floor_hour(now - timedelta(minutes=5))  # late points settle first
        for m in measures:
            start = max(
                done.get(m.hours_key, floor_hour(now - lookback)), floor_hour(now - lookback)
            )
            if start >= last_closed:
                continue
            query = slice_hours_insert(m, start, last_closed)
            self._store.command(query.sql, query.params)
            written += int((last_closed - start) / HOUR)
        return written

    def read(
        self,
        plan: Plan,
        now: datetime,
        maintenance: Sequence[MaintenanceWindow] = (),
        regions: Mapping[str, str] | None = None,
        use_slice_hours: bool = True,
    ) -> Sums:
        """Every sum of `plan` at `now`, maintenance minutes excluded."""
        marks = self.watermarks() if use_slice_hours and plan.slices else None
        query = tick_query(plan, now, marks)
        fields = collect(self._store.query(query.sql, query.params), query.picks)
        start = min((s.start for s in plan.spans), default=now)
        ranges = maintenance_ranges(maintenance, start, now, regions or {})
        if ranges:
            flat = [(samu, a, b) for samu, rs in ranges.items() for a, b in rs]
            mw = MaintenanceRanges(
                tuple(x[0] for x in flat), tuple(x[1] for x in flat), tuple(x[2] for x in flat)
            )
            sub = tick_query(plan, now, None, mw)
            collect(self._store.query(sub.sql, sub.params), sub.picks, -1.0, fields)
        seen = self.first_seen(list(regions or {}), now) if plan.slices else {}
        return _sums(plan, now, fields, ranges, regions or {}, seen)


def _sums(
    plan: Plan,
    now: datetime,
    fields: dict[tuple[str, str, str], dict[tuple[str, str], float]],
    ranges: Mapping[str, list[tuple[datetime, datetime]]],
    regions: Mapping[str, str],
    first_seen: Mapping[str, datetime] | None = None,
) -> Sums:
    sums = Sums()
    for m in plan.counts:
        for s in m.spans:
            good = fields.get((m.key, s, "good"), {})
            valid = fields.get((m.key, s, "valid"), {})
            sums.counts[(m.key, s)] = {
                k: (good.get(k, 0.0), valid.get(k, 0.0)) for k in set(good) | set(valid)
            }
    span_keys = {s for sm in plan.slices for s in sm.spans}
    for sm in plan.slices:
        for s in sm.spans:
            good = fields.get((sm.key, s, "good"), {})
            data = fields.get((sm.key, s, "data"), {})
            sums.slices[(sm.key, s)] = {
                k[0]: (good.get(k, 0.0), data.get(k, 0.0)) for k in set(good) | set(data)
            }
    for s in span_keys:
        first, end = slice_range(plan.span(s), now)
        total = int((end - first).total_seconds() // 60)
        sums.slice_total[s] = total
        every = ranges.get("", [])
        per: dict[str, int] = {}
        for samu_id in regions:
            seen = (first_seen or {}).get(samu_id)
            before = [(first, seen)] if seen is not None and seen > first else []
            own = _merge([*every, *ranges.get(samu_id, []), *before])
            if own:
                per[samu_id] = total - _overlap_minutes(own, first, end)
        sums.slice_minutes[s] = per
    return sums


_HEARTBEAT_SQL = """
SELECT samu_id, last_ok, last_seen,
       arraySum(x -> if(last_ok IS NULL OR x.1 > last_ok, x.2, 0), fails) AS fails_since_ok
FROM (
  SELECT samu_id,
         maxIf(ts, outcome = 'ok' AND value > 0) AS ok_ts,
         if(countIf(outcome = 'ok' AND value > 0) = 0, NULL, ok_ts) AS last_ok,
         max(ts) AS last_seen,
         groupArrayIf((ts, value), outcome = 'fail') AS fails
  FROM {db}.points
  WHERE metric = {metric:String} AND ts >= {since:DateTime64(3, 'UTC')}
    AND ts < {now:DateTime64(3, 'UTC')}
  GROUP BY samu_id
)
"""

_LAST_INGEST_SQL = """
SELECT samu_id, max(minute) FROM {db}.slo_minute_ingest
WHERE minute >= {since:DateTime('UTC')} AND minute <= {now:DateTime('UTC')} AND points > 0
GROUP BY samu_id
"""


class GuardReader:
    """The small reads of the fast-path guards."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def heartbeat(
        self, metric: str, now: datetime, lookback: timedelta = timedelta(minutes=15)
    ) -> dict[str, tuple[datetime | None, datetime | None, float]]:
        """Per SAMU: last successful check, last check of any kind, failures since the success."""
        rows = self._store.query(
            _HEARTBEAT_SQL, {"metric": metric, "since": now - lookback, "now": now}
        )
        return {str(r[0]): (_opt(r[1]), _opt(r[2]), float(r[3])) for r in rows}

    def last_ingest(
        self, now: datetime, lookback: timedelta = timedelta(days=1)
    ) -> dict[str, datetime]:
        """The last minute each SAMU sent any point in, over the lookback."""
        rows = self._store.query(_LAST_INGEST_SQL, {"since": now - lookback, "now": now})
        return {str(r[0]): utc(r[1]) for r in rows}

    def minute_counts(
        self,
        metric: str,
        outcomes: frozenset[str] | None,
        not_outcomes: frozenset[str],
        ranges: Sequence[tuple[datetime, datetime]],
    ) -> dict[str, dict[datetime, float]]:
        """Per SAMU and minute, Σ of a counter's rows (le = inf) over the given minute ranges."""
        if not ranges:
            return {}
        params: dict[str, object] = {
            "metric": metric,
            "outcomes": sorted(outcomes or ()),
            "any": outcomes is None,
            "not_outcomes": sorted(not_outcomes),
        }
        conds = []
        for i, (a, b) in enumerate(ranges):
            params[f"a{i}"], params[f"b{i}"] = a, b
            conds.append(
                f"minute >= {{a{i}:DateTime('UTC')}} AND minute < {{b{i}:DateTime('UTC')}}"
            )
        sql = (
            "SELECT samu_id, minute, sum(value) FROM {db}.slo_minute_counts\n"  # noqa: S608
            "WHERE metric = {metric:String} AND le = inf\n"
            "  AND ({any:Bool} OR outcome IN {outcomes:Array(String)})\n"
            "  AND outcome NOT IN {not_outcomes:Array(String)}\n"
            "  AND (" + " OR ".join(conds) + ")\nGROUP BY samu_id, minute"
        )
        out: dict[str, dict[datetime, float]] = {}
        for samu, minute, value in self._store.query(sql, params):
            out.setdefault(str(samu), {})[utc(minute)] = float(value)
        return out


def _opt(value: object) -> datetime | None:
    if value is None:
        return None
    moment = utc(value)
    return None if moment.year < 1971 else moment
