"""The ledger's reads from the store, as plain columns (times as Unix seconds).

Event columns come from the SLO rollups (`slo_hour_counts` for whole hours, `slo_minute_counts`
for minutes); slice sources from `minute_counts` (sorted by SAMU and metric first, so one
metric's month is a narrow read) judged per minute here — `n > 0` and `good ≥ target × n` on the
minute's *summed* rows, never on unmerged parts (a late cumulative point writes a correction row
of negative value). Each minute becomes one bit of a 64-bit word per SAMU and hour: a month of a
slice SLI for 100 SAMU is 74,400 words. Every time, metric and outcome is a bound parameter.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
import numpy.typing as npt

from slo.layout import CountColumn, Layout, SliceSource, count_columns
from slo.model import CountFilter, FreshnessSLI
from store.client import Store
from store.clock import utc

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]
Words = npt.NDArray[np.uint64]


class _Params:
    def __init__(self) -> None:
        self.values: dict[str, Any] = {}

    def add(self, name: str, value: Any, kind: str) -> str:
        self.values[name] = value
        return "{" + name + ":" + kind + "}"


def _filter_sql(rows: CountFilter, prefix: str, p: _Params) -> list[str]:
    out = []
    if rows.outcomes is not None:
        out.append(f"outcome IN {p.add(prefix + 'in', sorted(rows.outcomes), 'Array(String)')}")
    if rows.not_outcomes:
        values = sorted(rows.not_outcomes)
        out.append(f"outcome NOT IN {p.add(prefix + 'out', values, 'Array(String)')}")
    if rows.components is not None:
        values = sorted(rows.components)
        out.append(f"component IN {p.add(prefix + 'comp', values, 'Array(String)')}")
    return out


def column_condition(column: CountColumn, prefix: str, p: _Params) -> str:
    """The SQL condition selecting the rows a column sums."""
    metric = p.add(prefix + "metric", column.metric, "String")
    le = (
        "isInfinite(le)"
        if column.le == float("inf")
        else f"le = {p.add(prefix + 'le', column.le, 'Float64')}"
    )
    return " AND ".join([f"metric = {metric}", le, *_filter_sql(column.rows, prefix, p)])


def _range(column: str, start: datetime, end: datetime, p: _Params) -> str:
    a = p.add("range_a", start, "DateTime('UTC')")
    b = p.add("range_b", end, "DateTime('UTC')")
    return f"{column} >= {a} AND {column} < {b}"


def _samu_filter(samus: Sequence[str] | None, p: _Params) -> str:
    if samus is None:
        return ""
    return f" AND samu_id IN {p.add('samus', sorted(samus), 'Array(String)')}"


@dataclass(frozen=True)
class CountRows:
    """Sums per (SAMU, time[, component]): `values[i]` is column i of the layout."""

    samu: Sequence[str]
    at: Ints  # Unix seconds of the hour or minute
    component: Sequence[str]
    values: Floats  # columns × rows


def _count_rows(store: Store, sql: str, p: _Params, n: int, components: bool) -> CountRows:
    cols = store.query_columns(sql, p.values, n + (3 if components else 2))
    size = len(cols[0])
    values = np.array(cols[3 if components else 2 :], dtype=np.float64).reshape(n, size)
    return CountRows(
        list(cols[0]),
        np.asarray(cols[1], dtype=np.int64),
        list(cols[2]) if components else [""] * size,
        values,
    )


def _sums(layout: Layout, p: _Params) -> str:
    return ",\n  ".join(
        f"sumIf(value, {column_condition(c, f'c{i}_', p)})" for i, c in enumerate(layout.counts)
    )


def _metrics(layout: Layout, p: _Params) -> str:
    return p.add("metrics", sorted({c.metric for c in layout.counts}), "Array(String)")


def hour_sums(
    store: Store,
    layout: Layout,
    start: datetime,
    end: datetime,
    samus: Sequence[str] | None = None,
) -> CountRows:
    """Every column per SAMU, hour and component over the whole hours in [start, end)."""
    p = _Params()
    sql = (
        f"SELECT samu_id, toUnixTimestamp(hour), component,\n  {_sums(layout, p)}\n"
        f"FROM {{db}}.slo_hour_counts\nWHERE metric IN {_metrics(layout, p)} AND "
        f"{_range('hour', start, end, p)}{_samu_filter(samus, p)}\n"
        "GROUP BY samu_id, hour, component"
    )
    return _count_rows(store, sql, p, len(layout.counts), True)


def minute_sums(
    store: Store,
    layout: Layout,
    start: datetime,
    end: datetime,
    samus: Sequence[str] | None = None,
    minutes: Sequence[datetime] | None = None,
) -> CountRows:
    """Every column per SAMU and minute in [start, end) (only `minutes`, when given)."""
    p = _Params()
    only = ""
    if minutes is not None:
        kind = "Array(DateTime('UTC'))"
        only = f" AND minute IN {p.add('minutes', list(minutes), kind)}"
    sql = (
        f"SELECT samu_id, toUnixTimestamp(minute),\n  {_sums(layout, p)}\n"
        f"FROM {{db}}.slo_minute_counts\nWHERE metric IN {_metrics(layout, p)} AND "
        f"{_range('minute', start, end, p)}{only}{_samu_filter(samus, p)}\n"
        "GROUP BY samu_id, minute"
    )
    return _count_rows(store, sql, p, len(layout.counts), False)


@dataclass(frozen=True)
class BitRows:
    """Per (SAMU, hour): a bit per minute (bit k = minute k of the hour)."""

    samu: Sequence[str]
    hour: Ints  # Unix seconds
    data: Words  # the minute (slice) had data
    passed: Words  # … and met its target


def _slot(rule_minutes: int) -> str:
    if rule_minutes <= 1:
        return "minute"
    return f"toStartOfInterval(minute, INTERVAL {rule_minutes} MINUTE)"


def _bits_part(part: int, inner: str, pass_sql: str) -> str:
    bit = "bitShiftLeft(toUInt64(1), toMinute(slot))"
    return (
        f"SELECT {part} AS part, samu_id, toUnixTimestamp(toStartOfHour(slot)) AS h,\n"
        f"  groupBitOr({bit}) AS data, groupBitOrIf({bit}, {pass_sql}) AS passed\n"
        f"FROM (\n{inner}\n)\nGROUP BY samu_id, h"
    )


def _source_part(k: int, source: SliceSource, where: str, p: _Params) -> str:
    slot = _slot(source.rule.slice_minutes)
    if isinstance(source.sli, FreshnessSLI):
        min_points = p.add(f"s{k}_min_points", source.sli.min_points, "UInt64")
        max_lag = p.add(f"s{k}_max_lag", source.sli.max_lag_s, "Float64")
        inner = (
            f"SELECT samu_id, {slot} AS slot, sum(points) AS n, max(max_lag_s) AS lag\n"
            f"FROM {{db}}.minute_ingest WHERE {where}\nGROUP BY samu_id, slot HAVING n > 0"
        )
        return _bits_part(k, inner, f"n >= {min_points} AND lag < {max_lag}")
    good, valid = count_columns(source.sli)
    target = p.add(f"s{k}_target", source.rule.slice_target, "Float64")
    inner = (
        f"SELECT samu_id, {slot} AS slot,\n"
        f"  sumIf(value, {column_condition(good, f's{k}g_', p)}) AS g,\n"
        f"  sumIf(value, {column_condition(valid, f's{k}v_', p)}) AS n\n"
        f"FROM {{db}}.minute_counts\n"
        f"WHERE metric = {p.add(f's{k}_metric', source.sli.metric, 'String')} AND {where}\n"
        "GROUP BY samu_id, slot HAVING n > 0"
    )
    return _bits_part(k, inner, f"g >= {target} * n")


def bit_words(
    store: Store,
    sources: Sequence[SliceSource],
    start: datetime,
    end: datetime,
    samus: Sequence[str] | None = None,
) -> list[BitRows]:
    """Per slice source, the slices with data and those that passed, then (last) the minutes
    in which each SAMU sent any point at all: per SAMU and hour in [start, end), one query."""
    p = _Params()
    where = _range("minute", start, end, p) + _samu_filter(samus, p)
    parts = [_source_part(k, source, where, p) for k, source in enumerate(sources)]
    alive = (
        "SELECT samu_id, minute AS slot, sum(points) AS n FROM {db}.minute_ingest\n"  # noqa: S608
        f"WHERE {where}\nGROUP BY samu_id, slot HAVING n > 0"
    )
    parts.append(_bits_part(len(sources), alive, "1"))
    sql = "\nUNION ALL\n".join(parts) + "\nSETTINGS optimize_aggregation_in_order = 1"
    cols = store.query_columns(sql, p.values, 5)
    part = np.asarray(cols[0], dtype=np.int64)
    samu = np.asarray(cols[1], dtype=object)
    hour = np.asarray(cols[2], dtype=np.int64)
    data = np.asarray(cols[3], dtype=np.uint64)
    passed = np.asarray(cols[4], dtype=np.uint64)
    out = []
    for k in range(len(parts)):
        sel = part == k
        out.append(BitRows(list(samu[sel]), hour[sel], data[sel], passed[sel]))
    return out


def first_minutes(store: Store, source: SliceSource | None) -> dict[str, int]:
    """Unix seconds of each SAMU's first minute with data of `source` (None: any telemetry)."""
    p = _Params()
    if source is None or isinstance(source.sli, FreshnessSLI):
        sql = (
            "SELECT samu_id, toUnixTimestamp(min(minute)) FROM {db}.minute_ingest\n"
            "WHERE points > 0 GROUP BY samu_id"
        )
    else:
        metric = p.add("metric", source.sli.metric, "String")
        sql = (
            "SELECT samu_id, toUnixTimestamp(min(minute)) FROM {db}.minute_counts\n"  # noqa: S608
            f"WHERE metric = {metric} AND value > 0 GROUP BY samu_id"
        )
    return {str(s): int(t) for s, t in store.query(sql, p.values)}


def changes(store: Store, since: datetime | None) -> tuple[datetime, list[str], Ints]:
    """The store's clock now, and (SAMU, minute as Unix seconds) of every minute written since
    `since` by that clock (None: nothing asked)."""
    rows = store.query(
        "SELECT now64(3, 'UTC'), groupArray(samu_id), groupArray(toUnixTimestamp(minute))\n"
        "FROM (SELECT samu_id, minute FROM {db}.slo_changes\n"
        "      WHERE {ask:Bool} AND inserted >= {since:DateTime64(3, 'UTC')}\n"
        "      GROUP BY samu_id, minute)",
        {"since": since or datetime(1970, 1, 1, tzinfo=UTC), "ask": since is not None},
    )
    now, samus, minutes = rows[0]
    return utc(now), [str(s) for s in samus], np.asarray(minutes, dtype=np.int64)
