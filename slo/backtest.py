"""Replays the alert policy over stored history, vectorised: per-minute counts → alert intervals.

Per SLO, per-minute good/bad counts per SAMU come from `minute_counts` (and `minute_ingest`)
once; cumulative sums give every window's totals at every tick at once (numpy), so a month of
100 SAMU is a few array operations, not 4 000 engine ticks. Ticks fall on minute boundaries
(`step` a whole number of minutes), where the engine's windows hold whole minutes, so the
burn-rate pairs and the probe guard fire exactly when the live engine ticked at the same
instants would (a test holds them equal). Given the policy's default guards, the heartbeat and
no-data guards are replayed too (`slo.backtest_guards`); the traffic-collapse and budget guards
are not.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import numpy.typing as npt

from slo.backtest_guards import guard_labels, replay_guards
from slo.evaluate import is_probe, probe_minutes
from slo.guards import GAP_ALERT
from slo.layout import slice_rule
from slo.model import SLO, FreshnessSLI, Timeslices
from slo.policy import Guards
from slo.sql import CountSLI, SliceMeasure, _conditions, _Params, _slice_inner
from slo.windows import RollingWindow
from store.client import Store
from store.clock import utc

Array = npt.NDArray[np.float64]
MINUTE = timedelta(minutes=1)
HEARTBEAT_METRIC = "samu.reachability.checks"


@dataclass(frozen=True)
class Firing:
    """One alert as the backtest saw it: labels, first tick it held, first tick it did not."""

    labels: tuple[tuple[str, str], ...]
    starts_at: datetime
    ends_at: datetime | None

    def label(self, name: str) -> str:
        return dict(self.labels).get(name, "")


@dataclass(frozen=True)
class Series:
    """Per-minute good and bad counts, SAMU × minute, from `start`."""

    samu: tuple[str, ...]
    start: datetime
    good: Array
    bad: Array
    data: Array  # minutes with data (slices), or valid events


def _lookback(slo: SLO) -> timedelta:
    longest = max(slo.alerting.policy.windows())
    window = slo.window.duration if isinstance(slo.window, RollingWindow) else timedelta(days=31)
    return max(longest, window) if slice_rule(slo) else longest


def _matrix(
    rows: Sequence[tuple[object, ...]], samu: Sequence[str], start: datetime, minutes: int
) -> tuple[Array, Array]:
    index = {s: i for i, s in enumerate(samu)}
    a = np.zeros((len(samu), minutes))
    b = np.zeros((len(samu), minutes))
    for sid, minute, x, y in rows:
        i = index.get(str(sid))
        j = int((utc(minute) - start).total_seconds() // 60)
        if i is not None and 0 <= j < minutes:
            a[i, j] += float(x)  # type: ignore[arg-type]
            b[i, j] += float(y)  # type: ignore[arg-type]
    return a, b


def load_series(
    store: Store, slo: SLO, samu: Sequence[str], start: datetime, end: datetime
) -> Series:
    """Per-minute counts of one SLO's SLI (slices judged per minute) over [start, end)."""
    minutes = int((end - start).total_seconds() // 60)
    p = _Params()
    p.add("a", start, "DateTime('UTC')")
    p.add("b", end, "DateTime('UTC')")
    rule = slice_rule(slo)
    if rule is None:
        assert not isinstance(slo.sli, FreshnessSLI)
        good, valid = _conditions(_count_sli(slo), "m", p)
        sql = (
            f"SELECT samu_id, minute, sumIf(value, {good}), sumIf(value, {valid})\n"
            "FROM {db}.minute_counts WHERE minute >= {a:DateTime('UTC')} AND "
            "minute < {b:DateTime('UTC')}\nGROUP BY samu_id, minute"
        )
        g, v = _matrix(store.query(sql, p.values), samu, start, minutes)
        return Series(tuple(samu), start, g, v - g, v)
    m = _slice_measure(slo, rule)
    where = "minute >= {a:DateTime('UTC')} AND minute < {b:DateTime('UTC')}"
    if not isinstance(slo.sli, FreshnessSLI):
        where = f"metric = {p.add('m_metric', slo.sli.metric, 'String')} AND {where}"
    inner, good_c, data_c = _slice_inner(m, p, where)
    source = inner.replace("slo_minute_ingest", "minute_ingest").replace(
        "slo_minute_counts", "minute_counts"
    )
    sql = f"SELECT samu_id, slice, toFloat64({good_c}), toFloat64({data_c})\nFROM (\n  {source}\n)"
    g, d = _matrix(store.query(sql, p.values), samu, start, minutes)
    missing = 1.0 - d
    bad = d - g
    if rule.no_data == "bad":
        bad = bad + missing
    elif rule.no_data == "good":
        g = g + missing
    return Series(tuple(samu), start, g, bad, d)


def _count_sli(slo: SLO) -> CountSLI:
    assert not isinstance(slo.sli, FreshnessSLI)
    return slo.sli


def _slice_measure(slo: SLO, rule: Timeslices) -> SliceMeasure:
    return SliceMeasure("m", slo.sli, rule, ())


def _window_sums(cum: Array, ends: npt.NDArray[np.int64], size: int) -> Array:
    """Σ over the `size` minutes before each end index (clipped at the start of the data)."""
    starts = np.clip(ends - size, 0, None)
    return cum[:, ends] - cum[:, starts]


def _cumsum(values: Array) -> Array:
    out = np.zeros((values.shape[0], values.shape[1] + 1))
    np.cumsum(values, axis=1, out=out[:, 1:])
    return out


def conditions(
    slo: SLO,
    series: Series,
    ticks: Sequence[datetime],
    objectives: Array,
    min_bad: Array,
) -> dict[str, npt.NDArray[np.bool_]]:
    """Per severity, SAMU × tick: whether any burn-rate pair of the SLO holds."""
    rule = slice_rule(slo)
    shift = 1 if rule is not None else 0  # slices judged once settled: the last minute waits
    ends = np.array(
        [int((t - series.start).total_seconds() // 60) - shift for t in ticks], dtype=np.int64
    )
    good_c, bad_c = _cumsum(series.good), _cumsum(series.bad)
    data_c = _cumsum(series.data)
    policy = slo.alerting.policy
    burns = {}
    for w in policy.windows():
        size = int(w.total_seconds() // 60) - shift
        good, bad = _window_sums(good_c, ends, size), _window_sums(bad_c, ends, size)
        valid = good + bad
        with np.errstate(divide="ignore", invalid="ignore"):
            burn = np.where(valid > 0, (bad / valid) / (1 - objectives[:, None]), np.nan)
        burns[w] = (burn, bad)
    if rule is not None:
        window = slo.window.duration if isinstance(slo.window, RollingWindow) else timedelta(31)
        reporting = _window_sums(data_c, ends, int(window.total_seconds() // 60) - shift) > 0
    else:
        reporting = np.ones((len(series.samu), len(ticks)), dtype=bool)
    out: dict[str, npt.NDArray[np.bool_]] = {}
    for pair in policy.pairs:
        factor = pair.factor(policy.period)
        long_burn, long_bad = burns[pair.long]
        short_burn, _ = burns[pair.short]
        with np.errstate(invalid="ignore"):
            holds = (long_burn > factor) & (short_burn > factor) & (long_bad >= min_bad[:, None])
        holds &= reporting
        severity = pair.severity if slo.alerting.pages else "ticket"
        out[severity] = out.get(severity, np.zeros_like(holds)) | holds
    return out


def probe_guard(
    slo: SLO, series: Series, ticks: Sequence[datetime], failed_minutes: npt.NDArray[np.int64]
) -> npt.NDArray[np.bool_]:
    """SAMU × tick: the last N settled probe minutes were all bad (equipped SAMU only)."""
    ends = np.array(
        [int((t - series.start).total_seconds() // 60) - 1 for t in ticks], dtype=np.int64
    )
    bad_c, data_c = _cumsum(series.bad), _cumsum(series.data)
    window = slo.window.duration if isinstance(slo.window, RollingWindow) else timedelta(31)
    reporting = _window_sums(data_c, ends, int(window.total_seconds() // 60) - 1) > 0
    out = np.zeros((len(series.samu), len(ticks)), dtype=bool)
    for n in sorted(set(failed_minutes.tolist())):
        if n <= 0:
            continue
        rows = failed_minutes == n
        recent = _window_sums(bad_c, ends, int(n))
        out[rows] = (recent >= n)[rows]
    return out & reporting


def _intervals(
    held: npt.NDArray[np.bool_], ticks: Sequence[datetime], labels: Sequence[dict[str, str]]
) -> list[Firing]:
    out = []
    for i, row in enumerate(held):
        if not row.any():
            continue
        edges = np.diff(np.concatenate(([0], row.astype(np.int8), [0])))
        key = tuple(sorted(labels[i].items()))
        for a, b in zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1), strict=True):
            out.append(Firing(key, ticks[int(a)], ticks[int(b)] if b < len(ticks) else None))
    return out


def backtest(
    store: Store,
    slos: Sequence[SLO],
    samu_labels: Mapping[str, Mapping[str, object]],
    start: datetime,
    end: datetime,
    step: timedelta = MINUTE,
    guards: Guards | None = None,
    heartbeat_metric: str = HEARTBEAT_METRIC,
) -> list[Firing]:
    """Every burn-rate and probe alert the policy raises for ticks in [start, end), every `step`.

    With `guards` (the policy's defaults, `PolicySet.guards`) the heartbeat and no-data alerts
    are replayed as well.
    """
    if step.total_seconds() % 60 or start.second or start.microsecond:
        raise ValueError("backtest ticks fall on whole minutes (start and step)")
    ticks = []
    t = start
    while t < end:
        ticks.append(t)
        t += step
    found: list[Firing] = []
    for slo in slos:
        if not slo.alerting.enabled or not ticks:
            continue
        selected = [s for s, lab in samu_labels.items() if slo.fleet.matches(s, lab)]
        if not selected:
            continue
        first = start - _lookback(slo)
        series = load_series(store, slo, selected, first, end)
        targets = [slo.target_for(s, samu_labels[s]) for s in selected]
        if slo.scope != "samu":
            series = _national(series)
            names = ["national"]
            objectives = np.array([slo.objective])
            min_bad = np.array([float(slo.alerting.guards.min_bad_events)])
        else:
            names = selected
            objectives = np.array([t.objective for t in targets])
            min_bad = np.array([float(t.guards.min_bad_events) for t in targets])
        for severity, held in conditions(slo, series, ticks, objectives, min_bad).items():
            labels = [_labels("SLOBurnRate", severity, slo.id, n, samu_labels) for n in names]
            found += _intervals(held, ticks, labels)
        if is_probe(slo) and slo.scope == "samu":
            minutes = np.array([t.guards.probe_failed_minutes for t in targets], dtype=np.int64)
            minutes = np.where(np.isin(minutes, probe_minutes(slo)), minutes, 0)
            severity = "page" if slo.alerting.pages else "ticket"
            labels = [_labels("ProbeFailing", severity, slo.id, n, samu_labels) for n in names]
            found += _intervals(probe_guard(slo, series, ticks, minutes), ticks, labels)
    if guards is not None and ticks:
        found += _guard_firings(store, samu_labels, ticks, guards, heartbeat_metric)
    return sorted(found, key=lambda f: (f.starts_at, f.labels))


def _guard_firings(
    store: Store,
    samu_labels: Mapping[str, Mapping[str, object]],
    ticks: Sequence[datetime],
    guards: Guards,
    heartbeat_metric: str,
) -> list[Firing]:
    samu = sorted(samu_labels)
    held = replay_guards(store, samu, ticks, guards, heartbeat_metric)
    out = []
    for name, rows in (("HeartbeatLost", held.heartbeat), ("TelemetryNoData", held.no_data)):
        labels = [guard_labels(name, s, samu_labels) for s in samu]
        out += _intervals(rows, ticks, labels)
    stalled = [guard_labels(GAP_ALERT, "", samu_labels)]
    return out + _intervals(held.stalled[None, :], ticks, stalled)


def _national(series: Series) -> Series:
    return Series(
        ("national",),
        series.start,
        series.good.sum(axis=0, keepdims=True),
        series.bad.sum(axis=0, keepdims=True),
        series.data.sum(axis=0, keepdims=True),
    )


def _labels(
    name: str, severity: str, slo: str, samu: str, samu_labels: Mapping[str, Mapping[str, object]]
) -> dict[str, str]:
    labels = {"alertname": name, "severity": severity, "slo": slo, "samu": samu}
    region = samu_labels.get(samu, {}).get("region")
    if region:
        labels["region"] = str(region)
    return labels
