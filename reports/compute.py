"""One month's figures recomputed from the stored per-minute counts: the report's only source.

Planned maintenance is excluded from S1, S2 and S3 (not from calls, QS60 or entraide); a SAMU
without any data is `no_data` with empty SLO figures, never 100 %.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import fields
from datetime import date, timedelta

from alerts.maintenance import MaintenanceWindow
from reports import queries
from reports.calendar import civil_days, excluded_minutes
from reports.model import (
    DayPoint,
    DayRow,
    IncidentLike,
    IncidentRow,
    MonthReport,
    Objectives,
    SamuRow,
    Summary,
)
from reports.sources import (
    IncidentSource,
    MaintenanceSource,
    NoIncidents,
    NoMaintenance,
    SamuLike,
    maintenance_in,
)
from slo.budget import occurrence_budget, sli, timeslice_budget
from slo.windows import DEFAULT_TIMEZONE, Interval, floor_minute, window_for
from store.client import Store

_SUMS = (
    "calls",
    "s1_good",
    "s1_valid",
    "s2_good",
    "s2_valid",
    "answered",
    "answered_60",
    "abandoned_under_15",
    "abandoned_over_15",
    "entraide_in",
    "entraide_out",
)
_SLO_SUMS = frozenset({"s1_good", "s1_valid", "s2_good", "s2_valid"})
_DETECT_LOOKBACK = timedelta(hours=1)


def compute_month(
    store: Store,
    samus: Sequence[SamuLike],
    month: str,
    objectives: Objectives,
    incidents: IncidentSource | None = None,
    maintenance: MaintenanceSource | None = None,
    timezone: str = DEFAULT_TIMEZONE,
) -> MonthReport:
    """The report of `month` (YYYY-MM, civil month in `timezone`) for `samus`."""
    period = window_for(month, timezone)
    windows = list((maintenance or NoMaintenance()).list())
    maint_rows, exclusions = maintenance_in(windows, samus, period)
    q = queries.Query(
        period.start, period.end, [s.id for s in samus], exclusions, objectives, timezone
    )
    days = civil_days(period, timezone)
    sums: defaultdict[tuple[str, date], dict[str, int]] = defaultdict(
        lambda: dict.fromkeys(_SUMS, 0)
    )
    for row in queries.counts(store, q):
        values = sums[(row[0], row[1])]
        for name, value in zip(_SUMS, row[3:], strict=True):
            if not (row[2] and name in _SLO_SUMS):
                values[name] += int(value)
    good_minutes = queries.good_probe_minutes(store, q)
    with_data = queries.minutes_with_data(store, q)
    maint = excluded_minutes(exclusions, days)
    day_rows: list[DayRow] = []
    samu_rows: list[SamuRow] = []
    for samu in samus:
        active = any(with_data.get((samu.id, d), 0) or sums.get((samu.id, d)) for d, _ in days)
        mine = []
        for d, interval in days:
            v = sums.get((samu.id, d)) or dict.fromkeys(_SUMS, 0)
            judged = interval.minutes - maint.get((samu.id, d), 0)
            down = judged - good_minutes.get((samu.id, d), 0) if active else 0
            mine.append(
                DayRow(
                    d,
                    samu.id,
                    s3_minutes_down=down,
                    minutes_with_data=with_data.get((samu.id, d), 0),
                    **v,
                )
            )
        day_rows.extend(mine)
        samu_rows.append(_samu_row(samu, mine, active, period, maint, objectives))
    incident_rows = [_incident(store, q, i) for i in _incidents(incidents, period)]
    national_days = _national_days(day_rows, days, objectives)
    summary = _summary(samu_rows, incident_rows, objectives, store, samus, month, windows, q)
    return MonthReport(
        month,
        timezone,
        period.start,
        period.end,
        period.minutes // 60,
        period.end,
        objectives,
        summary,
        tuple(samu_rows),
        tuple(incident_rows),
        tuple(maint_rows),
        tuple(day_rows),
        tuple(national_days),
    )


def _total(rows: Iterable[DayRow], name: str) -> int:
    return sum(int(getattr(r, name)) for r in rows)


def _ratio(num: int, den: int) -> float | None:
    return num / den if den > 0 else None


def _samu_row(
    samu: SamuLike,
    days: list[DayRow],
    active: bool,
    period: Interval,
    maint: dict[tuple[str, date], int],
    o: Objectives,
) -> SamuRow:
    t = {f.name: _total(days, f.name) for f in fields(DayRow) if f.name not in ("day", "samu_id")}
    minutes = period.minutes
    maintenance = sum(v for (s, _), v in maint.items() if s == samu.id)
    judged = minutes - maintenance
    s1, s2 = sli(t["s1_good"], t["s1_valid"]), sli(t["s2_good"], t["s2_valid"])
    down = t["s3_minutes_down"]
    s3 = timeslice_budget(judged - down, down, o.s3, minutes).sli if active and judged else None
    budget = occurrence_budget(t["s1_good"], t["s1_valid"], o.s1, minutes)
    checks = [(s1, o.s1), (s2, o.s2), (s3, o.s3)]
    judged_slis = [value >= objective for value, objective in checks if value is not None]
    offered = t["answered"] + t["abandoned_under_15"] + t["abandoned_over_15"]
    return SamuRow(
        samu.id,
        samu.name,
        samu.region,
        "ok" if active else "no_data",
        t["calls"],
        t["s1_good"],
        t["s1_valid"],
        s1,
        t["s2_good"],
        t["s2_valid"],
        s2,
        down if active else None,
        judged,
        s3,
        budget.remaining,
        all(judged_slis) if judged_slis else None,
        t["answered"],
        t["answered_60"],
        t["abandoned_under_15"],
        t["abandoned_over_15"],
        _ratio(t["answered_60"], offered),
        _ratio(t["answered_60"], offered - t["abandoned_under_15"]),
        _ratio(t["abandoned_under_15"] + t["abandoned_over_15"], offered),
        t["entraide_in"],
        t["entraide_out"],
        t["minutes_with_data"],
        minutes,
        t["minutes_with_data"] / minutes,
        maintenance,
    )


def _incidents(source: IncidentSource | None, period: Interval) -> list[IncidentLike]:
    found = list((source or NoIncidents()).incidents_between(period.start, period.end))
    return sorted(found, key=lambda i: (i.opened_at, i.id))


def _seconds(delta: timedelta | None) -> int | None:
    return None if delta is None else int(delta.total_seconds())


def _incident(store: Store, q: queries.Query, i: IncidentLike) -> IncidentRow:
    ids = [s for s in i.samu if s in set(q.ids)] or list(q.ids)
    lo = max(floor_minute(i.opened_at), q.start)
    hi = min(floor_minute(i.resolved_at) if i.resolved_at else q.end, q.end)
    scoped = queries.Query(lo, max(lo, hi), ids, (), q.objectives, q.timezone)
    opened = floor_minute(i.opened_at)
    lookback = queries.Query(
        opened - _DETECT_LOOKBACK, opened + timedelta(minutes=1), ids, (), q.objectives, q.timezone
    )
    bad = set(queries.bad_minutes(store, lookback))
    first = None
    cursor = opened if opened in bad else opened - timedelta(minutes=1)
    while cursor in bad:
        first, cursor = cursor, cursor - timedelta(minutes=1)
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
        queries.failed_setups(store, scoped),
        _seconds(i.opened_at - first) if first else None,
        _seconds(i.acked_at - i.opened_at) if i.acked_at else None,
        _seconds(end - i.opened_at) if end else None,
    )


def _national_days(
    rows: Sequence[DayRow], days: Sequence[tuple[date, Interval]], o: Objectives
) -> list[DayPoint]:
    allowed = _total(rows, "s1_valid") * (1 - o.s1_national)
    out, spent = [], 0
    for d, _ in days:
        today = [r for r in rows if r.day == d]
        good, valid = _total(today, "s1_good"), _total(today, "s1_valid")
        spent += valid - good
        out.append(DayPoint(d, sli(good, valid), 1 - spent / allowed if allowed > 0 else None))
    return out


def _summary(
    rows: Sequence[SamuRow],
    incidents: Sequence[IncidentRow],
    o: Objectives,
    store: Store,
    samus: Sequence[SamuLike],
    month: str,
    windows: Sequence[MaintenanceWindow],
    q: queries.Query,
) -> Summary:
    good, valid = sum(r.s1_good for r in rows), sum(r.s1_valid for r in rows)
    national = sli(good, valid)
    budget = occurrence_budget(good, valid, o.s1_national, 1)
    s2 = sli(sum(r.s2_good for r in rows), sum(r.s2_valid for r in rows))
    trend = [_national_s1(store, samus, label, windows, q) for label in _earlier(month)]
    return Summary(
        good,
        valid,
        national,
        o.s1_national,
        None if national is None else national >= o.s1_national,
        budget.consumed,
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
    samus: Sequence[SamuLike],
    label: str,
    windows: Sequence[MaintenanceWindow],
    q: queries.Query,
) -> float | None:
    period = window_for(label, q.timezone)
    _, exclusions = maintenance_in(windows, samus, period)
    scoped = queries.Query(period.start, period.end, q.ids, exclusions, q.objectives, q.timezone)
    return sli(*queries.national_s1(store, scoped))
