"""SQL for one evaluation tick: Σgood/Σvalid and judged slices for every SAMU and every window.

One statement per tick, a UNION ALL of parts that return `(part, samu_id, component, seg, v)`
rows. Every window is cut into time ranges, and the ranges of all windows into disjoint
*segments* (between consecutive boundaries), so each part groups by segment and computes only
two sums per measure (`v`), whatever the number of windows; `Query.picks` says which segments
(with which weight) make each (measure, window, field) total. Planning cost stays small: the
statement is a few kilobytes, not one conditional sum per measure × window.
- `hours`: whole UTC hours inside a window, from `slo_hour_counts`;
- `minutes`: a window's edges from `slo_minute_counts`, the current partial minute included;
  the oldest minute of a window that starts mid-minute is weighted by the share of it inside
  the window (exact for a minute-aligned window, and what makes a rolling 1 h window burn
  exactly 51.84 s of a total outage at 99.9 % on steady traffic);
- `slices:<m>`: one-minute slices judged in SQL per minute, then counted (good, data);
- `slice_hours:<m>`: the same counts for closed hours, already judged by the engine.
The text depends only on the structure of the plan (measures, number of boundaries); every
time, metric and outcome is a server-side parameter, so the text is stable and kept as golden
files.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from slo.model import CountFilter, FreshnessSLI, LatencySLI, RatioSLI, Timeslices
from slo.windows import floor_minute

HOUR = timedelta(hours=1)
MINUTE = timedelta(minutes=1)
# A slice is judged once its minute ended this long ago (probe results arrive in the next export).
SLICE_SETTLE = timedelta(seconds=30)

CountSLI = RatioSLI | LatencySLI
SliceSLI = RatioSLI | LatencySLI | FreshnessSLI


@dataclass(frozen=True)
class Span:
    """One window evaluated at one instant: the UTC interval [start, end)."""

    key: str
    start: datetime
    end: datetime


@dataclass(frozen=True)
class CountMeasure:
    """An event SLI whose good and valid sums are needed over `spans`."""

    key: str
    sli: CountSLI
    spans: tuple[str, ...]


@dataclass(frozen=True)
class SliceMeasure:
    """A slice SLI whose good and judged-with-data slice counts are needed over `spans`."""

    key: str
    sli: SliceSLI
    rule: Timeslices
    spans: tuple[str, ...]
    hours_key: str = ""  # stable across restarts: the `sli` column of slo_slice_hours


@dataclass(frozen=True)
class Plan:
    """What one tick reads: the spans and the measures over them."""

    spans: tuple[Span, ...]
    counts: tuple[CountMeasure, ...] = ()
    slices: tuple[SliceMeasure, ...] = ()

    def span(self, key: str) -> Span:
        return next(s for s in self.spans if s.key == key)


Field = tuple[str, str, str]  # (measure key, span key, "good" | "valid" | "data")


@dataclass(frozen=True)
class Query:
    """SQL text, its parameters and how each (measure, span, field) total is picked."""

    sql: str
    params: dict[str, Any]
    picks: dict[Field, list[Pick]] = field(default_factory=dict)


@dataclass(frozen=True)
class MaintenanceRanges:
    """Minutes excluded from budgets: parallel arrays; an empty samu id means every SAMU."""

    samu_ids: tuple[str, ...]
    starts: tuple[datetime, ...]
    ends: tuple[datetime, ...]


def ceil_minute(instant: datetime) -> datetime:
    floor = floor_minute(instant)
    return floor if floor == instant.astimezone(UTC) else floor + MINUTE


def floor_hour(instant: datetime) -> datetime:
    return floor_minute(instant).replace(minute=0)


def ceil_hour(instant: datetime) -> datetime:
    floor = floor_hour(instant)
    return floor if floor == instant.astimezone(UTC) else floor + HOUR


def slice_range(span: Span, now: datetime) -> tuple[datetime, datetime]:
    """The settled slices a slice SLI judges in `span`: minute starts in [first, end).

    A minute counts when it starts inside the span, ends inside it, and ended at least
    SLICE_SETTLE before `now` (its probe result has had time to arrive).
    """
    first = ceil_minute(span.start)
    end = min(floor_minute(span.end), floor_minute(now - SLICE_SETTLE))
    return first, max(first, end)


class _Params:
    def __init__(self) -> None:
        self.values: dict[str, Any] = {}

    def add(self, name: str, value: Any, kind: str) -> str:
        self.values[name] = value
        return "{" + name + ":" + kind + "}"


def _filter_sql(flt: CountFilter, prefix: str, p: _Params) -> list[str]:
    out = []
    if flt.outcomes is not None:
        out.append(f"outcome IN {p.add(prefix + '_in', sorted(flt.outcomes), 'Array(String)')}")
    if flt.not_outcomes:
        out.append(
            f"outcome NOT IN {p.add(prefix + '_out', sorted(flt.not_outcomes), 'Array(String)')}"
        )
    if flt.components is not None:
        out.append(
            f"component IN {p.add(prefix + '_comp', sorted(flt.components), 'Array(String)')}"
        )
    return out


def _conditions(sli: CountSLI, key: str, p: _Params) -> tuple[str, str]:
    """SQL conditions selecting the good and the valid rows of an event SLI."""
    metric = f"metric = {p.add(key + '_metric', sli.metric, 'String')}"
    valid = [metric, "le = inf", *_filter_sql(sli.valid, key + "_valid", p)]
    if isinstance(sli, RatioSLI):
        good = [metric, "le = inf", *_filter_sql(sli.good, key + "_good", p)]
    else:
        le = p.add(key + "_le", sli.threshold_s, "Float64")
        good = [metric, f"le = {le}", *_filter_sql(sli.valid, key + "_valid", p)]
    return " AND ".join(good), " AND ".join(valid)


Range = tuple[datetime, datetime, float]  # [start, end) and the weight of its rows


@dataclass(frozen=True)
class _Part:
    """One SELECT of the statement: its ranges per (measure, span) and its value fields."""

    name: str
    fields: tuple[tuple[str, str], ...]  # (measure key, field) of each `v` index
    ranges: dict[str, list[Range]]  # span key → ranges read by this part
    slots: int  # the most ranges a span can have here: the text has room for all of them

    def bounds(self) -> list[datetime]:
        """Segment boundaries, padded with the last one to a count fixed by the structure."""
        found = sorted({t for rs in self.ranges.values() for a, b, _ in rs for t in (a, b)})
        size = 2 * self.slots * len(self.ranges)
        last = found[-1] if found else _EPOCH
        return found + [last] * (size - len(found))

    def all_ranges(self) -> list[Range]:
        return [r for rs in self.ranges.values() for r in rs]


def _count_ranges(span: Span, hours: bool) -> tuple[list[Range], list[Range]]:
    """Minute ranges (oldest minute weighted) and whole-hour ranges of an event window."""
    start, end = span.start.astimezone(UTC), span.end.astimezone(UTC)
    edge = floor_minute(start)
    frac = 1.0 - (start - edge).total_seconds() / 60.0
    minutes: list[Range] = []
    if frac < 1.0:
        minutes.append((edge, min(edge + MINUTE, max(end, edge)), frac))
        start = edge + MINUTE
    first_hour, last_hour = ceil_hour(start), floor_hour(end)
    if not hours or first_hour >= last_hour:
        return [*minutes, (start, end, 1.0)] if end > start else minutes, []
    out = [*minutes, (start, first_hour, 1.0), (last_hour, end, 1.0)]
    return [r for r in out if r[1] > r[0]], [(first_hour, last_hour, 1.0)]


def _slice_ranges(
    span: Span, now: datetime, done: datetime | None
) -> tuple[list[Range], list[Range]]:
    """Minute ranges judged in SQL and hour ranges already judged (before `done`)."""
    first, end = slice_range(span, now)
    lo, hi = ceil_hour(first), min(floor_hour(end), done or first)
    if done is None or lo >= hi:
        return ([(first, end, 1.0)] if end > first else []), []
    out = [(first, lo, 1.0), (hi, end, 1.0)]
    return [r for r in out if r[1] > r[0]], [(lo, hi, 1.0)]


def _segment_sql(column: str, bounds: Sequence[datetime], name: str, p: _Params) -> str:
    """multiIf(column < b1, 0, column < b2, 1, …): the index of the segment holding a row."""
    arms = []
    for i, bound in enumerate(bounds[1:-1]):
        arms.append(f"{column} < {p.add(f'{name}_b{i + 1}', bound, _DT)}, {i}")
    if not arms:
        return "0"
    return f"multiIf({', '.join(arms)}, {len(bounds) - 2})"


def _where_ranges(column: str, part: _Part, name: str, p: _Params) -> str:
    """The union of the part's ranges as OR-ed intervals (merged, then padded with empty ones
    to a count fixed by the structure), for index pruning."""
    merged: list[tuple[datetime, datetime]] = []
    for a, b, _ in sorted(part.all_ranges()):
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    merged += [(_EPOCH, _EPOCH)] * (part.slots * len(part.ranges) - len(merged))
    conds = [
        f"{column} >= {p.add(f'{name}_r{i}a', a, _DT)} AND {column} < "
        f"{p.add(f'{name}_r{i}b', b, _DT)}"
        for i, (a, b) in enumerate(merged)
    ]
    return " OR\n    ".join(conds) or "0"


_DT = "DateTime('UTC')"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Pick:
    """Part `part`, value index `index`, segments with their weights: one term of a total."""

    part: str
    index: int
    segments: tuple[tuple[int, float], ...]


def _count_parts(
    plan: Plan, p: _Params, hours: bool, maintenance: str, picks: dict[Field, list[Pick]]
) -> list[str]:
    if not plan.counts:
        return []
    metrics = p.add("count_metrics", sorted({m.sli.metric for m in plan.counts}), "Array(String)")
    wanted = {s for m in plan.counts for s in m.spans}
    cols, fields = [], []
    for m in plan.counts:
        good, valid = _conditions(m.sli, m.key, p)
        cols += [f"sumIf(value, {good})", f"sumIf(value, {valid})"]
        fields += [(m.key, "good"), (m.key, "valid")]
    minute_ranges: dict[str, list[Range]] = {}
    hour_ranges: dict[str, list[Range]] = {}
    for span in plan.spans:
        if span.key in wanted:
            minute_ranges[span.key], hour_ranges[span.key] = _count_ranges(span, hours)
    out = []
    for name, table, column, ranges, slots in (
        ("minutes", "slo_minute_counts", "minute", minute_ranges, 3),
        ("hours", "slo_hour_counts", "hour", hour_ranges, 1),
    ):
        if name == "hours" and not hours:
            continue
        part = _Part(name, tuple(fields), ranges, slots)
        _picks_for(part, plan, picks)
        seg = _segment_sql(column, part.bounds(), name, p)
        where = _where_ranges(column, part, name, p)
        extra = maintenance if name == "minutes" else ""
        out.append(
            f"SELECT '{name}' AS part, samu_id, component, {seg} AS seg, [\n    "
            + ",\n    ".join(cols)
            + f"\n  ] AS v\nFROM {{db}}.{table}\nWHERE metric IN {metrics} AND (\n    {where}\n  )"
            + f"{extra}\nGROUP BY samu_id, component, seg"
        )
    return out


def _picks_for(part: _Part, plan: Plan, picks: dict[Field, list[Pick]]) -> None:
    """Record, for each measure field and each span the measure needs, its segments."""
    bounds = part.bounds()
    needed = {m.key: set(m.spans) for m in plan.counts}
    needed.update({m.key: set(m.spans) for m in plan.slices})
    for index, (measure, fld) in enumerate(part.fields):
        for span, ranges in part.ranges.items():
            if span not in needed.get(measure, ()):
                continue
            segs = tuple(
                (i, w)
                for a, b, w in ranges
                for i in range(len(bounds) - 1)
                if bounds[i] >= a and bounds[i + 1] <= b
            )
            picks.setdefault((measure, span, fld), []).append(Pick(part.name, index, segs))


def _slice_inner(m: SliceMeasure, p: _Params, where: str) -> tuple[str, str, str]:
    """A per-slice subquery for one slice SLI and the (good, data) conditions on its rows."""
    size = max(1, m.rule.slice_minutes)
    slot = "minute" if size == 1 else f"toStartOfInterval(minute, INTERVAL {size} MINUTE)"
    if isinstance(m.sli, FreshnessSLI):
        min_points = p.add(m.key + "_min_points", m.sli.min_points, "UInt64")
        max_lag = p.add(m.key + "_max_lag", m.sli.max_lag_s, "Float64")
        inner = (
            f"SELECT samu_id, {slot} AS slice, sum(points) AS n, max(max_lag_s) AS lag\n"  # noqa: S608
            f"  FROM {{db}}.slo_minute_ingest\n  WHERE {where}\n  GROUP BY samu_id, slice"
        )
        return inner, f"n >= {min_points} AND lag < {max_lag}", "n > 0"
    good, valid = _conditions(m.sli, m.key, p)
    target = p.add(m.key + "_target", m.rule.slice_target, "Float64")
    inner = (
        f"SELECT samu_id, {slot} AS slice, sumIf(value, {good}) AS g, "  # noqa: S608
        f"sumIf(value, {valid}) AS n\n"
        f"  FROM {{db}}.slo_minute_counts\n  WHERE {where}\n  GROUP BY samu_id, slice"
    )
    return inner, f"n > 0 AND g >= {target} * n", "n > 0"


def _slice_parts(
    plan: Plan,
    p: _Params,
    now: datetime,
    watermarks: dict[str, datetime] | None,
    maintenance: str,
    picks: dict[Field, list[Pick]],
) -> list[str]:
    out: list[str] = []
    for m in plan.slices:
        done = (watermarks or {}).get(m.hours_key) if maintenance == "" else None
        minute_ranges: dict[str, list[Range]] = {}
        hour_ranges: dict[str, list[Range]] = {}
        for key in m.spans:
            minute_ranges[key], hour_ranges[key] = _slice_ranges(plan.span(key), now, done)
        fields = ((m.key, "good"), (m.key, "data"))
        name = f"slices:{m.key}"
        part = _Part(name, fields, minute_ranges, 2)
        _picks_for(part, plan, picks)
        tag = f"{m.key}_s"
        where = _where_ranges("minute", part, tag, p)
        if not isinstance(m.sli, FreshnessSLI):
            metric = p.add(m.key + "_metric", m.sli.metric, "String")
            where = f"metric = {metric} AND (\n    {where}\n  )"
        inner, good, data = _slice_inner(m, p, f"({where}){maintenance}")
        seg = _segment_sql("slice", part.bounds(), tag, p)
        out.append(
            f"SELECT '{name}' AS part, samu_id, '' AS component, {seg} AS seg, "
            f"[toFloat64(countIf({good})), toFloat64(countIf({data}))] AS v\n"
            f"FROM (\n  {inner}\n)\nGROUP BY samu_id, seg"
        )
        if done is not None:
            hname = f"slice_hours:{m.key}"
            hpart = _Part(hname, fields, hour_ranges, 1)
            _picks_for(hpart, plan, picks)
            tag = f"{m.key}_h"
            seg = _segment_sql("hour", hpart.bounds(), tag, p)
            where = _where_ranges("hour", hpart, tag, p)
            key = p.add(m.key + "_key", m.hours_key, "String")
            out.append(
                f"SELECT '{hname}' AS part, samu_id, '' AS component, {seg} AS seg, "
                f"[toFloat64(sum(good)), toFloat64(sum(data))] AS v\n"
                f"FROM {{db}}.slo_slice_hours FINAL\nWHERE sli = {key} AND samu_id != '' AND (\n"
                f"    {where}\n  )\nGROUP BY samu_id, seg"
            )
    return out


_MAINTENANCE = (
    " AND arrayExists((s, a, b) -> (s = '' OR s = samu_id) AND minute >= a AND minute < b, "
    "{mw_samu:Array(String)}, {mw_from:Array(DateTime('UTC'))}, {mw_to:Array(DateTime('UTC'))})"
)


def tick_query(
    plan: Plan,
    now: datetime,
    watermarks: dict[str, datetime] | None = None,
    maintenance: MaintenanceRanges | None = None,
) -> Query:
    """The one statement of a tick; with `maintenance`, the same sums restricted to its minutes.

    `watermarks` maps a slice measure's `hours_key` to the end of the hours already judged in
    `slo_slice_hours`; hours before it are read from there instead of being judged again.
    """
    p = _Params()
    extra = ""
    if maintenance is not None:
        p.add("mw_samu", list(maintenance.samu_ids), "Array(String)")
        p.add("mw_from", list(maintenance.starts), "Array(DateTime('UTC'))")
        p.add("mw_to", list(maintenance.ends), "Array(DateTime('UTC'))")
        extra = _MAINTENANCE
    picks: dict[Field, list[Pick]] = {}
    parts = _count_parts(plan, p, maintenance is None, extra, picks)
    parts += _slice_parts(plan, p, now, watermarks, extra, picks)
    if not parts:
        parts = ["SELECT '' AS part, '' AS samu_id, '' AS component, 0 AS seg, [] AS v LIMIT 0"]
    return Query("\nUNION ALL\n".join(parts), p.values, picks)


def slice_hours_insert(m: SliceMeasure, start: datetime, end: datetime) -> Query:
    """INSERT the judged slices of the closed hours [start, end) of one slice SLI, per SAMU.

    A row with an empty samu id marks every hour as written, even an hour without any data.
    """
    p = _Params()
    a = p.add("start", start, "DateTime('UTC')")
    b = p.add("end", end, "DateTime('UTC')")
    where = f"minute >= {a} AND minute < {b}"
    if not isinstance(m.sli, FreshnessSLI):
        where = f"metric = {{{m.key}_metric:String}} AND {where}"
        p.add(m.key + "_metric", m.sli.metric, "String")
    inner, good, data = _slice_inner(m, p, where)
    key = p.add("key", m.hours_key, "String")
    sql = (
        f"INSERT INTO {{db}}.slo_slice_hours (hour, sli, samu_id, good, bad, data)\n"
        f"SELECT toStartOfHour(slice) AS hour, {key}, samu_id, countIf({good}),\n"
        f"  countIf(({data}) AND NOT ({good})), countIf({data})\n"
        f"FROM (\n  {inner}\n)\nGROUP BY hour, samu_id\n"
        f"UNION ALL\n"
        f"SELECT toStartOfHour(toDateTime({a}, 'UTC') + number * 3600), {key}, '', 0, 0, 0\n"
        f"FROM numbers(toUInt64(dateDiff('hour', {a}, {b})))"
    )
    return Query(sql, p.values)


def watermark_query() -> str:
    """The end of the last hour written to slo_slice_hours, per slice SLI key."""
    return (
        "SELECT sli, max(hour) + INTERVAL 1 HOUR FROM {db}.slo_slice_hours "
        "WHERE samu_id = '' GROUP BY sli"
    )
