"""One month's figures, asked of the SLO package: the report lays them out, never computes an SLI.

S1, S2, S3 and the national S1 are the statuses of the shipped SLO specs over the civil month
(`slo.figures.period`: the same ledger, judgement and arithmetic as the engine and `vigie slo
status --window`); the daily annex cuts the same tallies by civil day; K1 and volumes are the
counters of `slo.kpi`. Planned maintenance is excluded from S1, S2 and S3 (not from volumes, QS60
or entraide); a SAMU without any data is `no_data` with empty SLO figures, never 100 %. The
national row is always national, whichever SAMU the report lists.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np
import numpy.typing as npt

from alerts.maintenance import MaintenanceWindow
from reports import heatmap
from reports.calendar import civil_days
from reports.model import (
    DayPoint,
    DayRow,
    IncidentLike,
    IncidentRow,
    MonthReport,
    SamuRow,
    Summary,
)
from reports.roles import Roles, roles_of
from reports.sources import (
    IncidentSource,
    MaintenanceSource,
    NoIncidents,
    NoMaintenance,
    SamuLike,
    WaveSource,
    maintenance_in,
    wave_rows,
)
from slo import figures
from slo.budget import sli
from slo.evaluate import NATIONAL, SloStatus
from slo.kpi import COUNTERS, qs60
from slo.layout import count_columns, slice_source
from slo.model import SLO, FreshnessSLI
from slo.tally import Tallies
from slo.windows import DEFAULT_TIMEZONE, Interval, floor_minute, window_for
from store.client import Store

_DETECT_LOOKBACK = timedelta(hours=1)


def labels_of(samus: Sequence[SamuLike]) -> dict[str, dict[str, object]]:
    """The registry labels SLO selectors match on (region at least)."""
    out: dict[str, dict[str, object]] = {}
    for s in samus:
        to_dict = getattr(s, "to_dict", None)
        labels = dict(to_dict()) if callable(to_dict) else {"region": s.region}
        out[s.id] = {**labels, "overseas": getattr(s, "overseas", False)}
    return out


@dataclass(frozen=True)
class _Cols:
    """Ledger column and slice indices of the report's figures."""

    s1: tuple[int, int]
    s2: tuple[int, int]
    s3: int | None
    counters: Mapping[str, int]


def _cols(tallies: Tallies, roles: Roles) -> _Cols:
    layout = tallies.ledger.layout

    def pair(slo: SLO | None) -> tuple[int, int]:
        if slo is None or isinstance(slo.sli, FreshnessSLI) or slice_source(slo) is not None:
            return -1, -1
        g, v = count_columns(slo.sli)
        return layout.count_index(g), layout.count_index(v)

    s3 = slice_source(roles.s3) if roles.s3 is not None else None
    return _Cols(
        pair(roles.s1),
        pair(roles.s2),
        None if s3 is None else layout.slice_index(s3),
        {name: layout.count_index(col) for name, col in COUNTERS.items()},
    )


def compute_month(
    store: Store,
    samus: Sequence[SamuLike],
    month: str,
    slos: Sequence[SLO],
    incidents: IncidentSource | None = None,
    maintenance: MaintenanceSource | None = None,
    timezone: str = DEFAULT_TIMEZONE,
    now: datetime | None = None,
    only: Sequence[str] | None = None,
    known_outcomes: Mapping[str, frozenset[str]] | None = None,
    waves: WaveSource | None = None,
) -> MonthReport:
    """The report of `month` (YYYY-MM, civil month in `timezone`): rows for the SAMU in `only`
    (default: all of `samus`), national figures over all of `samus`, figures as of `now`; the
    annex lists the migration waves whose night starts in the month (their SAMU of `only`)."""
    period = window_for(month, timezone)
    at = now or period.end + timedelta(minutes=1)
    roles = roles_of(slos, known_outcomes)
    windows = [w for w in (maintenance or NoMaintenance()).list()]
    listed = [s for s in samus if only is None or s.id in set(only)]
    listed_order = {s.id: i for i, s in enumerate(listed)}
    maint_rows, _ = maintenance_in(windows, listed, period)
    labels = labels_of(samus)
    regions = {s.id: s.region for s in samus}
    month_figures = figures.period(
        store, roles.used, labels, period, at, windows, regions, tuple(COUNTERS.values())
    )
    tallies = month_figures.tallies
    cols = _cols(tallies, roles)
    days = civil_days(period, timezone)
    by_day = _day_rows(tallies, cols, [s.id for s in listed], days)
    day_rows = sorted(by_day, key=lambda d: (listed_order[d.samu_id], d.day))
    samu_rows = [
        _samu_row(s, month_figures, roles, cols, period, [d for d in day_rows if d.samu_id == s.id])
        for s in listed
    ]
    incident_rows = [
        _incident(store, tallies, cols, i, period) for i in _incidents(incidents, period)
    ]
    summary = _summary(
        store,
        samu_rows,
        incident_rows,
        month_figures,
        roles,
        cols,
        labels,
        regions,
        month,
        windows,
        timezone,
        at,
    )
    return MonthReport(
        month,
        timezone,
        period.start,
        period.end,
        period.minutes // 60,
        period.end,
        roles.objectives(),
        summary,
        tuple(samu_rows),
        tuple(incident_rows),
        tuple(maint_rows),
        tuple(day_rows),
        tuple(_national_days(tallies, cols, days, roles)),
        tuple(
            row
            for row in wave_rows(waves.month(period.start, period.end, at) if waves else [])
            if row.samu_id in listed_order
        ),
        bad_hours=heatmap.bad_hours(
            tallies, cols.s3, [s.id for s in listed], period.start, period.end
        ),
    )


def _day_rows(
    tallies: Tallies, cols: _Cols, samus: Sequence[str], days: Sequence[tuple[date, Interval]]
) -> list[DayRow]:
    """The daily annex: each civil day's sums for every listed SAMU (one vector per figure)."""
    rows = [tallies.ledger.index[s] for s in samus]
    zero = np.zeros(len(tallies.ledger.samus))

    def count(col: int, iv: Interval, maintenance: bool = True) -> npt.NDArray[np.float64]:
        return zero if col < 0 else tallies.counts(col, iv.start, iv.end, maintenance)

    out = []
    for day, iv in days:
        k = {n: count(c, iv, False) for n, c in cols.counters.items()}
        slo = [
            count(cols.s1[0], iv),
            count(cols.s1[1], iv),
            count(cols.s2[0], iv),
            count(cols.s2[1], iv),
        ]
        down = zero if cols.s3 is None else tallies.slices(cols.s3, iv.start, iv.end).bad
        alive = tallies.alive_minutes(iv.start, iv.end)
        for samu, r in zip(samus, rows, strict=True):

            def n(v: npt.NDArray[np.float64], r: int = r) -> int:
                return round(float(v[r]))

            out.append(
                DayRow(
                    day=day,
                    samu_id=samu,
                    calls=n(k["calls"]),
                    s1_good=n(slo[0]),
                    s1_valid=n(slo[1]),
                    s2_good=n(slo[2]),
                    s2_valid=n(slo[3]),
                    s3_minutes_down=int(down[r]),
                    answered=n(k["answered"]),
                    answered_60=n(k["answered_60"]),
                    abandoned_under_15=n(k["abandoned_under_15"]),
                    abandoned_over_15=n(k["abandoned_over_15"]),
                    entraide_in=n(k["entraide_in"]),
                    entraide_out=n(k["entraide_out"]),
                    minutes_with_data=int(alive[r]),
                )
            )
    return out


def _samu_row(
    samu: SamuLike,
    month: figures.Period,
    roles: Roles,
    cols: _Cols,
    period: Interval,
    days: Sequence[DayRow],
) -> SamuRow:
    def status(slo: SLO | None) -> SloStatus | None:
        return None if slo is None else month.status(slo.id, samu.id)

    s1, s2, s3 = status(roles.s1), status(roles.s2), status(roles.s3)
    total = {name: sum(getattr(d, name) for d in days) for name in (*COUNTERS, "minutes_with_data")}
    active = total["minutes_with_data"] > 0 or total["calls"] > 0
    tally = s3.minutes if s3 is not None else None
    judged = None if tally is None else tally.good + tally.bad
    checks = [(st.sli, st.objective) for st in (s1, s2, s3) if st is not None]
    met = [value >= objective for value, objective in checks if value is not None]
    raw, adjusted, abandonment = qs60(
        total["answered_60"],
        total["answered"],
        total["abandoned_under_15"],
        total["abandoned_over_15"],
    )
    maintenance = _maintenance_minutes(month.tallies, samu.id, period)
    return SamuRow(
        samu.id,
        samu.name,
        samu.region,
        "ok" if active else "no_data",
        total["calls"],
        int(s1.budget.good) if s1 else 0,
        int(s1.budget.valid) if s1 else 0,
        s1.sli if s1 and active else None,
        int(s2.budget.good) if s2 else 0,
        int(s2.budget.valid) if s2 else 0,
        s2.sli if s2 and active else None,
        tally.bad if tally is not None and active and judged else None,
        judged or 0,
        s3.sli if s3 and active else None,
        s1.budget.remaining if s1 and active else None,
        all(met) if met and active else None,
        total["answered"],
        total["answered_60"],
        total["abandoned_under_15"],
        total["abandoned_over_15"],
        raw,
        adjusted,
        abandonment,
        total["entraide_in"],
        total["entraide_out"],
        total["minutes_with_data"],
        period.minutes,
        total["minutes_with_data"] / period.minutes,
        maintenance,
        s3_minutes_gap=tally.gap if tally is not None and active else None,
        s3_minutes_no_data=tally.no_data if tally is not None and active else None,
    )


def _maintenance_minutes(tallies: Tallies, samu: str, period: Interval) -> int:
    row = tallies.ledger.index[samu]
    a, b = period.start.timestamp(), period.end.timestamp()
    total = 0.0
    for x, y in tallies.maintenance.get(row, ()):
        total += max(0.0, min(y, b) - max(x, a))
    return int(total // 60)


def _incidents(source: IncidentSource | None, period: Interval) -> list[IncidentLike]:
    found = list((source or NoIncidents()).incidents_between(period.start, period.end))
    return sorted(found, key=lambda i: (i.opened_at, i.id))


def _seconds(delta: timedelta | None) -> int | None:
    return None if delta is None else int(delta.total_seconds())


def _incident(
    store: Store, tallies: Tallies, cols: _Cols, i: IncidentLike, period: Interval
) -> IncidentRow:
    led = tallies.ledger
    rows = [led.index[s] for s in i.samu if s in led.index] or list(range(len(led.samus)))
    lo = max(floor_minute(i.opened_at), period.start)
    hi = min(floor_minute(i.resolved_at) if i.resolved_at else period.end, period.end)
    hi = max(lo, hi)
    opened = floor_minute(i.opened_at)
    look_from = max(opened - _DETECT_LOOKBACK, datetime.fromtimestamp(led.t0, opened.tzinfo))
    edges = set(tallies.edge_hours(lo, hi)) if hi > lo else set()
    first_hour = int(look_from.timestamp()) // 3600 * 3600
    last_hour = int(opened.timestamp()) // 3600 * 3600
    edges.update(range(first_hour, last_hour + 3600, 3600))
    led.ensure_blocks(store, sorted(h for h in edges if led.t0 <= h < led.end))
    failed = 0
    if cols.s1[0] >= 0 and hi > lo:
        good = tallies.counts(cols.s1[0], lo, hi, maintenance=False)
        valid = tallies.counts(cols.s1[1], lo, hi, maintenance=False)
        failed = round(float((valid - good)[rows].sum()))
    first = _first_bad(tallies, cols, rows, look_from, opened + timedelta(minutes=1))
    end = i.resolved_at
    return IncidentRow(
        i.id,
        i.title,
        tuple(i.samu),
        i.component,
        i.alertname,
        i.cause,
        i.opened_at,
        end,
        _seconds(end - i.opened_at) if end else None,
        failed,
        _seconds(i.opened_at - first) if first else None,
        _seconds(i.acked_at - i.opened_at) if i.acked_at else None,
        _seconds(end - i.opened_at) if end else None,
    )


def _first_bad(
    tallies: Tallies, cols: _Cols, rows: Sequence[int], start: datetime, end: datetime
) -> datetime | None:
    """The first minute of the run of bad minutes (failed setups or bad probe minutes) that
    ends with the incident's opening minute, or None when that minute was not bad."""
    led = tallies.ledger
    a = int(start.timestamp()) // 3600 * 3600
    b = -(-int(end.timestamp()) // 3600) * 3600
    bad = np.zeros((len(rows), (b - a) // 60), dtype=bool)
    if cols.s1[0] >= 0:
        good = led.minute_matrix(cols.s1[0], a, b)[rows]
        valid = led.minute_matrix(cols.s1[1], a, b)[rows]
        bad |= (valid - good) > 0
    if cols.s3 is not None:
        bad |= tallies.state_matrix(cols.s3, a, b)["bad"][rows]
    any_bad = np.asarray(bad.any(axis=0), dtype=bool)
    j = (int(end.timestamp()) - 60 - a) // 60
    first = None
    while j >= (int(start.timestamp()) - a) // 60 and j >= 0 and any_bad[j]:
        first, j = j, j - 1
    return None if first is None else datetime.fromtimestamp(a + first * 60, start.tzinfo)


def _national_days(
    tallies: Tallies, cols: _Cols, days: Sequence[tuple[date, Interval]], roles: Roles
) -> list[DayPoint]:
    national = roles.national or roles.s1
    if national is None or cols.s1[0] < 0:
        return [DayPoint(d, None, None) for d, _ in days]
    g, v = cols.s1
    totals = [
        (
            float(tallies.counts(g, iv.start, iv.end).sum()),
            float(tallies.counts(v, iv.start, iv.end).sum()),
        )
        for _, iv in days
    ]
    allowed = sum(valid for _, valid in totals) * (1 - national.objective)
    out, spent = [], 0.0
    for (d, _), (good, valid) in zip(days, totals, strict=True):
        spent += valid - good
        out.append(DayPoint(d, sli(good, valid), 1 - spent / allowed if allowed > 0 else None))
    return out


def _summary(
    store: Store,
    rows: Sequence[SamuRow],
    incidents: Sequence[IncidentRow],
    month: figures.Period,
    roles: Roles,
    cols: _Cols,
    labels: Mapping[str, Mapping[str, object]],
    regions: Mapping[str, str],
    label: str,
    windows: Sequence[MaintenanceWindow],
    timezone: str,
    now: datetime,
) -> Summary:
    national = roles.national
    st = month.status(national.id, NATIONAL) if national is not None else None
    period = window_for(label, timezone)
    s2 = None
    if cols.s2[0] >= 0:
        t = month.tallies
        s2 = sli(
            float(t.counts(cols.s2[0], period.start, period.end).sum()),
            float(t.counts(cols.s2[1], period.start, period.end).sum()),
        )
    trend = [
        _national_s1(store, roles, labels, regions, earlier, windows, timezone, now)
        for earlier in _earlier(label)
    ]
    good = int(st.budget.good) if st else 0
    valid = int(st.budget.valid) if st else 0
    objective = st.objective if st else (national.objective if national else 0.0)
    value = st.sli if st else None
    return Summary(
        good,
        valid,
        value,
        objective,
        None if value is None else value >= objective,
        st.budget.consumed if st else None,
        s2,
        sum(r.s3_minutes_down or 0 for r in rows),
        len(incidents),
        sum(1 for r in rows if r.met is True),
        sum(1 for r in rows if r.met is False),
        sum(1 for r in rows if r.status == "no_data"),
        trend[0],
        trend[1],
    )


def _earlier(month: str) -> tuple[str, str]:
    year, mon = int(month[:4]), int(month[5:7])
    previous = f"{year - 1}-12" if mon == 1 else f"{year}-{mon - 1:02d}"
    return previous, f"{year - 1}-{mon:02d}"


def _national_s1(
    store: Store,
    roles: Roles,
    labels: Mapping[str, Mapping[str, object]],
    regions: Mapping[str, str],
    label: str,
    windows: Sequence[MaintenanceWindow],
    timezone: str,
    now: datetime,
) -> float | None:
    if roles.national is None:
        return None
    period = window_for(label, timezone)
    found = figures.period(store, [roles.national], labels, period, now, windows, regions)
    st = found.status(roles.national.id, NATIONAL)
    return None if st is None else st.sli
