"""SQL for one evaluation tick: Σgood/Σvalid and judged slices for every SAMU and every window.

One statement per tick, a UNION ALL of four parts that return `(part, samu_id, component,
values)` rows, `values` laid out by `Query.layout`:
- `hours`: whole UTC hours inside each window, from `slo_hour_counts` (conditional sums);
- `minutes`: each window's edges from `slo_minute_counts`, the current partial minute
  included; the oldest minute of a window that starts mid-minute is weighted by the share of
  it inside the window (exact for a minute-aligned window, and what makes a rolling 1 h window
  burn exactly 51.84 s of a total outage at 99.9 % on steady traffic);
- `slices`: one-minute slices judged in SQL per minute, then counted (good, data) per window;
- `slice_hours`: the same counts for closed hours, already judged by the engine.
The text depends only on the structure of the plan (measures and windows); every time, metric
and outcome is a server-side parameter, so the text is stable and kept as golden files.
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
    """SQL text, its parameters and the meaning of each `values` index per part."""

    sql: str
    params: dict[str, Any]
    layout: dict[str, tuple[Field, ...]] = field(default_factory=dict)


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


@dataclass(frozen=True)
class _Bounds:
    edge: datetime  # the oldest minute, weighted by `frac`
    frac: float
    head_end: datetime  # minutes [edge, head_end), hours [head_end, tail_start)
    tail_start: datetime  # minutes [tail_start, end)
    end: datetime


def _bounds(span: Span, hours: bool) -> _Bounds:
    start, end = span.start.astimezone(UTC), span.end.astimezone(UTC)
    edge = floor_minute(start)
    frac = 1.0 - (start - edge).total_seconds() / 60.0
    first_hour, last_hour = ceil_hour(start), floor_hour(end)
    if not hours or first_hour >= last_hour:
        return _Bounds(edge, frac, end, end, end)
    return _Bounds(edge, frac, first_hour, last_hour, end)


def _measures_metrics(plan: Plan) -> list[str]:
    metrics = {m.sli.metric for m in plan.counts}
    metrics |= {m.sli.metric for m in plan.slices if not isinstance(m.sli, FreshnessSLI)}
    return sorted(metrics)


def _count_parts(
    plan: Plan, p: _Params, hours: bool, maintenance: str
) -> tuple[list[str], dict[str, tuple[Field, ...]]]:
    if not plan.counts:
        return [], {}
    conds = {m.key: _conditions(m.sli, m.key, p) for m in plan.counts}
    metrics = p.add("count_metrics", sorted({m.sli.metric for m in plan.counts}), "Array(String)")
    bounds = {s.key: _bounds(s, hours) for s in plan.spans}
    minute_cols: list[str] = []
    hour_cols: list[str] = []
    fields: list[Field] = []
    ranges: list[str] = []
    hour_ranges: list[str] = []
    for span in plan.spans:
        k, b = span.key, bounds[span.key]
        edge = p.add(f"{k}_edge", b.edge, "DateTime('UTC')")
        frac = p.add(f"{k}_frac", b.frac, "Float64")
        head = p.add(f"{k}_head", b.head_end, "DateTime('UTC')")
        tail = p.add(f"{k}_tail", b.tail_start, "DateTime('UTC')")
        end = p.add(f"{k}_end", b.end, "DateTime('UTC')")
        in_minutes = (
            f"(minute >= {edge} AND minute < {head} OR minute >= {tail} AND minute < {end})"
        )
        weight = f"value * if(minute = {edge}, {frac}, 1.0)"
        ranges.append(in_minutes)
        in_hours = f"hour >= {head} AND hour < {tail}"
        hour_ranges.append(f"({in_hours})")
        for m in plan.counts:
            if k not in m.spans:
                continue
            good, valid = conds[m.key]
            for name, cond in (("good", good), ("valid", valid)):
                fields.append((m.key, k, name))
                minute_cols.append(f"sumIf({weight}, {cond} AND {in_minutes})")
                hour_cols.append(f"sumIf(value, {cond} AND {in_hours})")
    layout = {"minutes": tuple(fields)}
    parts = [
        _select("minutes", minute_cols, "slo_minute_counts", metrics, ranges, maintenance, True)
    ]
    if hours:
        layout["hours"] = tuple(fields)
        parts.append(_select("hours", hour_cols, "slo_hour_counts", metrics, hour_ranges, "", True))
    return parts, layout


def _select(
    part: str,
    cols: Sequence[str],
    table: str,
    metrics: str,
    ranges: Sequence[str],
    extra: str,
    by_component: bool,
) -> str:
    values = ",\n    ".join(cols)
    where = " OR\n    ".join(dict.fromkeys(ranges))
    component = "component" if by_component else "''"
    group = "samu_id, component" if by_component else "samu_id"
    return (
        f"SELECT '{part}' AS part, samu_id, {component} AS component, [\n    {values}\n  ] AS v\n"
        f"FROM {{db}}.{table}\nWHERE metric IN {metrics} AND (\n    {where}\n  ){extra}\n"
        f"GROUP BY {group}"
    )


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
) -> tuple[list[str], dict[str, tuple[Field, ...]]]:
    parts: list[str] = []
    layout: dict[str, tuple[Field, ...]] = {}
    for m in plan.slices:
        fields: list[Field] = []
        cols: list[str] = []
        hour_cols: list[str] = []
        ranges: list[str] = []
        done = (watermarks or {}).get(m.hours_key) if maintenance == "" else None
        for key in m.spans:
            first, end = slice_range(plan.span(key), now)
            lo, hi = ceil_hour(first), min(floor_hour(end), done or first)
            if done is None or lo >= hi:
                lo = hi = end
            q = f"{m.key}_{key}"
            a = p.add(q + "_first", first, "DateTime('UTC')")
            b = p.add(q + "_lo", lo, "DateTime('UTC')")
            c = p.add(q + "_hi", hi, "DateTime('UTC')")
            d = p.add(q + "_end", end, "DateTime('UTC')")
            in_range = f"(slice >= {a} AND slice < {b} OR slice >= {c} AND slice < {d})"
            ranges.append(in_range.replace("slice", "minute"))
            fields += [(m.key, key, "good"), (m.key, key, "data")]
            cols += [f"countIf({in_range} AND @good)", f"countIf({in_range} AND @data)"]
            sli_key = p.add(m.key + "_key", m.hours_key, "String")
            in_hours = f"sli = {sli_key} AND hour >= {b} AND hour < {c}"
            hour_cols += [f"sumIf(good, {in_hours})", f"sumIf(data, {in_hours})"]
        where = " OR\n    ".join(dict.fromkeys(ranges))
        if not isinstance(m.sli, FreshnessSLI):
            where = f"metric = {{{m.key}_metric:String}} AND (\n    {where}\n  )"
        where = f"({where}){maintenance}"
        inner, good, data = _slice_inner(m, p, where)
        values = ",\n    ".join(c.replace("@good", good).replace("@data", data) for c in cols)
        part = f"slices:{m.key}"
        parts.append(
            f"SELECT '{part}' AS part, samu_id, '' AS component, [\n    {values}\n  ] AS v\n"
            f"FROM (\n  {inner}\n)\nGROUP BY samu_id"
        )
        layout[part] = tuple(fields)
        if done is not None:
            hv = ",\n    ".join(f"toFloat64({c})" for c in hour_cols)
            hpart = f"slice_hours:{m.key}"
            parts.append(
                f"SELECT '{hpart}' AS part, samu_id, '' AS component, [\n    {hv}\n  ] AS v\n"
                f"FROM {{db}}.slo_slice_hours FINAL\nWHERE sli = {{{m.key}_key:String}} "
                f"AND samu_id != ''\nGROUP BY samu_id"
            )
            layout[hpart] = tuple(fields)
    return parts, layout


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

    `watermarks` maps a slice measure to the end of the hours already judged in
    `slo_slice_hours`; hours before it are read from there instead of being judged again.
    """
    p = _Params()
    extra = ""
    if maintenance is not None:
        p.add("mw_samu", list(maintenance.samu_ids), "Array(String)")
        p.add("mw_from", list(maintenance.starts), "Array(DateTime('UTC'))")
        p.add("mw_to", list(maintenance.ends), "Array(DateTime('UTC'))")
        extra = _MAINTENANCE
    count_parts, layout = _count_parts(plan, p, maintenance is None, extra)
    slice_parts, slice_layout = _slice_parts(plan, p, now, watermarks, extra)
    layout.update(slice_layout)
    parts = count_parts + slice_parts
    if not parts:
        return Query("SELECT '' AS part, '' AS samu_id, '' AS component, [] AS v LIMIT 0", {}, {})
    return Query("\nUNION ALL\n".join(parts), p.values, layout)


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
