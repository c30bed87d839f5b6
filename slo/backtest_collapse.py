"""The S4 traffic-collapse guard replayed over a history: TrafficCollapse at every tick.

The engine's rule (`slo.findings.Findings._collapse_of`, `slo.guards.collapse_findings`): per
SAMU, the calls over `for` × COLLAPSE_SPANS before the tick against the same spans before each
reference instant (the same local time on comparable past days, `reference_instants`); a span
holding settled minutes of a Vigie gap, or the SAMU's planned maintenance, is not judged. The
counts come from a ledger of the guard's one column over the baseline's weeks (read as
`GuardReader.minute_counts` reads them, maintenance minutes included); reference days are
found once per SAMU and local day, their instants once per time zone, day and minute. A cheap
vector test keeps the ticks where a collapse is possible at all; the engine's own
`collapse_findings` decides each of those.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

from slo.backtest_guards import Firing, intervals, labels_of
from slo.guards import COLLAPSE_SPANS, collapse_findings, reference_instants
from slo.layout import CountColumn, Layout
from slo.ledger import MINUTE_S
from slo.model import Baseline, CountFilter, PlausibilityGuard
from slo.replay import History, load_ledger
from store.client import Store

Floats = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]
Labels = Mapping[str, Mapping[str, object]]
SLACK = timedelta(days=36)  # reference days skip holidays: up to 35 days more than the weeks


def column_of(guard: PlausibilityGuard) -> CountColumn:
    """The calls a guard counts, as `GuardReader.minute_counts` reads them (any component)."""
    rows = CountFilter(guard.valid.outcomes, guard.valid.not_outcomes)
    return CountColumn(guard.metric, float("inf"), rows)


def with_columns(layout: Layout, guards: Sequence[PlausibilityGuard]) -> Layout:
    """`layout` with the guards' columns too (so that their data counts as data)."""
    extra = tuple(c for c in dict.fromkeys(column_of(g) for g in guards) if c not in layout.counts)
    return Layout(layout.counts + extra, layout.slices)


def collapse_lookback(guard: PlausibilityGuard) -> timedelta:
    """How far before a tick the guard reads (its weeks, holiday slack, longest span)."""
    longest = guard.collapse.for_minutes * max(COLLAPSE_SPANS)
    return timedelta(weeks=guard.baseline.lookback_weeks, minutes=longest) + SLACK


@functools.cache
def _instant(zone: str, day: date, minute: int, fold: int) -> int:
    """`reference_instants`' wall-clock instant on `day` at minute `minute`, Unix seconds."""
    wall = time(minute // 60, minute % 60, fold=fold)
    return int(datetime.combine(day, wall, ZoneInfo(zone)).timestamp())


@functools.cache
def _days(today: date, zone: str, baseline: Baseline, department: str) -> tuple[date, ...]:
    """The reference days of a local day (they depend on the day, never on the hour)."""
    noon = datetime.combine(today, time(12), ZoneInfo(zone))
    found = reference_instants(noon, zone, baseline.lookback_weeks, department, baseline.holidays)
    return tuple(r.astimezone(ZoneInfo(zone)).date() for r in found)


def _references(tick: datetime, zone: str, baseline: Baseline, department: str) -> list[int]:
    """`reference_instants(tick, …)` as Unix seconds."""
    local = tick.astimezone(ZoneInfo(zone))
    minute = local.hour * 60 + local.minute
    days = _days(local.date(), zone, baseline, department)
    return [_instant(zone, d, minute, local.fold) for d in days]


def collapse_firings(
    store: Store,
    guards: Sequence[PlausibilityGuard],
    hist: History,
    ticks: Sequence[datetime],
    samu_labels: Labels,
) -> list[Firing]:
    """TrafficCollapse per SAMU and tick for every plausibility guard."""
    gap = np.concatenate(([0], np.cumsum(hist.fleet_gap(), dtype=np.int64)))
    at = np.array([hist.index(t) for t in ticks], dtype=np.int64)
    stamps = np.array([int(t.timestamp()) for t in ticks], dtype=np.int64)
    out: list[Firing] = []
    for guard in guards:
        members = [
            s for s in hist.samus if s in samu_labels and guard.fleet.matches(s, samu_labels[s])
        ]
        if not members:
            continue
        ledger = load_ledger(
            store,
            Layout((column_of(guard),)),
            members,
            ticks[0] - collapse_lookback(guard),
            ticks[-1],
        )
        cum = np.zeros((len(members), ledger.nh * 60 + 1))
        np.cumsum(ledger.minute_matrix(0, ledger.t0, ledger.end), axis=1, out=cum[:, 1:])
        spans = [guard.collapse.for_minutes * k for k in COLLAPSE_SPANS]
        # a span holding settled minutes of a Vigie gap is not judged (settled: before t − 1 min)
        clear = np.stack([gap[at - 1] - gap[np.maximum(at - s, 0)] == 0 for s in spans])
        held = np.zeros((len(members), len(ticks)), dtype=bool)
        for i, samu in enumerate(members):
            lab = samu_labels[samu]
            zone = str(lab.get("timezone", "Europe/Paris"))
            codes = lab.get("departments")
            department = str(codes[0]) if isinstance(codes, list | tuple) and codes else ""
            refs = [_references(t, zone, guard.baseline, department) for t in ticks]
            width = max(len(r) for r in refs)
            padded = np.array([r + r[:1] * (width - len(r)) for r in refs], dtype=np.int64)
            ref_at = (padded - ledger.t0) // MINUTE_S
            now_at = (stamps - ledger.t0) // MINUTE_S
            rest = _planned(hist, samu, stamps, spans)
            held[i] = _held(guard, samu, cum[i], now_at, ref_at, refs, spans, clear & ~rest)
        labels = [
            labels_of("TrafficCollapse", guard.severity, s, samu_labels, guard=guard.id)
            for s in members
        ]
        out += intervals(held, ticks, labels)
    return out


def _planned(
    hist: History, samu: str, stamps: npt.NDArray[np.int64], spans: Sequence[int]
) -> Bools:
    """Span × tick: planned maintenance of `samu` overlaps [tick − span, tick)
    (`slo.findings.planned`: its calls went to its backup)."""
    out = np.zeros((len(spans), len(stamps)), dtype=bool)
    for a, b in hist.tallies.maintenance.get(hist.ledger.index[samu], ()):
        for i, span in enumerate(spans):
            out[i] |= (a < stamps) & (b > stamps - span * MINUTE_S)
    return out


def _held(
    guard: PlausibilityGuard,
    samu: str,
    cum: Floats,
    now_at: npt.NDArray[np.int64],
    ref_at: npt.NDArray[np.int64],
    refs: Sequence[Sequence[int]],
    spans: Sequence[int],
    clear: Bools,
) -> Bools:
    """One SAMU's ticks at which the guard fires: a vector test keeps the ticks where a collapse
    is possible at all, the engine's `collapse_findings` decides each of them."""
    rule = guard.collapse
    current = np.stack([cum[now_at] - cum[now_at - s] for s in spans])  # span × tick
    baseline = np.stack([cum[ref_at] - cum[ref_at - s] for s in spans])  # span × tick × ref
    most = baseline.max(axis=2)
    per_for = most / np.array(COLLAPSE_SPANS, dtype=np.float64)[:, None]
    possible = (
        clear & (current < rule.below_fraction * most) & (per_for >= rule.min_baseline_events)
    )
    out = np.zeros(len(now_at), dtype=bool)
    for n in np.flatnonzero(possible.any(axis=0)):
        width = len(refs[int(n)])
        now = [float(current[i, n]) if clear[i, n] else float("inf") for i in range(len(spans))]
        past = [[float(v) for v in baseline[i, n, :width]] for i in range(len(spans))]
        out[n] = bool(collapse_findings(guard, {samu: now}, {samu: past}))
    return out
