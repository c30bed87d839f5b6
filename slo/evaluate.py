"""Pure evaluation: a ledger's tallies in, per SLO × SAMU status out (SLI, budget, burns, state,
alert conditions). The one computation every reader uses: the engine's tick, `vigie slo status
[--window]`, the API, the UI and the monthly report.

No data is its own state: a window without valid events has no SLI, no burn and state
`no_data`, never 100 %. For slice SLOs, minutes that were a Vigie gap, had no data, came before
the SAMU's first data or fell in planned maintenance are out of the SAMU's window: they spend no
budget and shrink the window the budget is a share of.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from types import MappingProxyType

import numpy as np
import numpy.typing as npt

from slo.budget import Budget, State, budget_state, occurrence_budget, timeslice_budget
from slo.budget import time_to_exhaustion as exhaustion_in
from slo.judge import SETTLE_S
from slo.layout import count_columns, slice_rule, slice_source
from slo.model import SLO, FreshnessSLI, Occurrences, RatioSLI, Timeslices
from slo.policy import AlertCondition, BurnSample, Guards, Policy, evaluate_conditions
from slo.tally import Tallies
from slo.windows import Interval, RollingWindow, elapsed_interval, floor_minute, window_interval

Floats = npt.NDArray[np.float64]
MINUTE = timedelta(minutes=1)
SETTLE = timedelta(seconds=SETTLE_S)

NATIONAL = "national"
# The burn that decides `burning` and the budget forecast: the shortest long window ≥ 1 h.
STATE_WINDOW = timedelta(hours=1)


@dataclass(frozen=True)
class Totals:
    """Good, bad and valid over one window: events, or judged slices for slice budgeting."""

    good: float = 0.0
    bad: float = 0.0

    @property
    def valid(self) -> float:
        return self.good + self.bad

    def __add__(self, other: Totals) -> Totals:
        return Totals(self.good + other.good, self.bad + other.bad)


@dataclass(frozen=True)
class MinuteTally:
    """Slices of a window by state: judged (good, bad), not judged (Vigie gap, no data), and
    excluded from the SAMU's window (before its first data, planned maintenance)."""

    good: int = 0
    bad: int = 0
    gap: int = 0
    no_data: int = 0
    excluded: int = 0

    def __add__(self, other: MinuteTally) -> MinuteTally:
        return MinuteTally(
            self.good + other.good,
            self.bad + other.bad,
            self.gap + other.gap,
            self.no_data + other.no_data,
            self.excluded + other.excluded,
        )


@dataclass(frozen=True)
class SloStatus:
    """One SLO for one SAMU (or `national` / `region:<name>`) at one instant."""

    slo: str
    samu: str
    objective: float
    at: datetime
    window_start: datetime
    budget: Budget
    burns: Mapping[timedelta, BurnSample]
    state: State
    conditions: tuple[AlertCondition, ...] = ()
    exhaustion: timedelta | None = None
    components: Mapping[str, Totals] = field(default_factory=dict)  # over the SLO window
    minutes: MinuteTally | None = None  # slice SLOs: the window's slices by state
    window_end: datetime | None = None  # the end of the window asked for (a past month)

    @property
    def sli(self) -> float | None:
        return self.budget.sli


def is_probe(slo: SLO) -> bool:
    """A slice SLO over an event counter (synthetic probes): it gets the fast probe guard."""
    return isinstance(slo.budgeting, Timeslices) and isinstance(slo.sli, RatioSLI)


def probe_minutes(slo: SLO) -> list[int]:
    """Every `probe_failed_minutes` the SLO's guards and overrides use."""
    found = {slo.alerting.guards.probe_failed_minutes}
    found |= {o.guards.probe_failed_minutes for o in slo.overrides if o.guards is not None}
    return sorted(n for n in found if n > 0)


def status_of(
    slo: SLO,
    samu: str,
    objective: float,
    guards: Guards,
    window: Totals,
    burns: Mapping[timedelta, Totals],
    window_minutes: int,
    window_start: datetime,
    now: datetime,
    parts: Mapping[str, Totals] | None = None,
    minutes: MinuteTally | None = None,
) -> SloStatus:
    """The status of `slo` for one SAMU or composite from its window and burn-window totals."""
    rule = slice_rule(slo)
    if rule is None:
        budget = occurrence_budget(window.good, window.valid, objective, window_minutes)
    else:
        budget = timeslice_budget(
            int(window.good), int(window.bad), objective, window_minutes, rule.slice_minutes
        )
    samples = {
        w: BurnSample(None if t.valid <= 0 else (t.bad / t.valid) / (1 - objective), t.bad, t.valid)
        for w, t in burns.items()
    }
    current = _current_burn(samples)
    conditions: tuple[AlertCondition, ...] = ()
    if slo.alerting.enabled:
        conditions = fired_pairs(samples, slo.alerting.policy, guards, slo.alerting.pages)
    period = (
        slo.window.duration
        if isinstance(slo.window, RollingWindow)
        else timedelta(minutes=window_minutes)
    )
    return SloStatus(
        slo=slo.id,
        samu=samu,
        objective=objective,
        at=now,
        window_start=window_start,
        budget=budget,
        burns=MappingProxyType(samples),
        state=budget_state(budget, current),
        conditions=conditions,
        exhaustion=exhaustion_in(budget, current, period),
        components=MappingProxyType(dict(parts or {})),
        minutes=minutes,
    )


@functools.cache
def _factors(policy: Policy) -> tuple[float, ...]:
    return tuple(pair.factor(policy.period) for pair in policy.pairs)


def fired_pairs(
    samples: Mapping[timedelta, BurnSample], policy: Policy, guards: Guards, pages: bool
) -> tuple[AlertCondition, ...]:
    """`slo.policy.evaluate_conditions` with the derived factors computed once per policy.

    A cheap pre-check skips the exact evaluation when no pair can fire (the common case).
    """
    for pair, factor in zip(policy.pairs, _factors(policy), strict=True):
        long, short = samples.get(pair.long), samples.get(pair.short)
        if long is None or short is None:
            break  # let evaluate_conditions raise its PolicyError
        if (
            long.burn_rate is not None
            and short.burn_rate is not None
            and long.burn_rate > factor
            and short.burn_rate > factor
        ):
            break
    else:
        return ()
    return tuple(
        evaluate_conditions(
            samples,
            policy,
            min_bad_events=guards.min_bad_events,
            pages=pages,
            min_bad_short=guards.min_bad_events_short,
        )
    )


def _current_burn(samples: Mapping[timedelta, BurnSample]) -> float | None:
    longer = [w for w in samples if w >= STATE_WINDOW]
    if not longer:
        return None
    return samples[min(longer)].burn_rate


@dataclass(frozen=True)
class _Window:
    """An SLO's window at one instant: [start, end), its full length, and the burn windows."""

    start: datetime
    end: datetime
    minutes: int
    burns: Mapping[timedelta, tuple[datetime, datetime]]


def _window(slo: SLO, now: datetime, custom: Interval | None) -> _Window:
    if custom is not None:
        end = min(custom.end, now)
        burns = {w: (end - w, end) for w in slo.alerting.policy.windows()}
        return _Window(custom.start, end, custom.minutes, burns)
    burns = {w: (now - w, now) for w in slo.alerting.policy.windows()}
    elapsed = elapsed_interval(slo.window, now)
    return _Window(elapsed.start, elapsed.end, window_interval(slo.window, now).minutes, burns)


Column = list[float]  # one value per SAMU of the ledger (plain floats: summed per status)


@dataclass(frozen=True)
class _PerSamu:
    """Per SAMU of the ledger: window and burn totals, slice tallies, components."""

    good: Column
    bad: Column
    burns: Mapping[timedelta, tuple[Column, Column]]
    minutes: tuple[Column, Column, Column, Column, Column] | None  # good, bad, gap, no data, excl.
    parts: tuple[list[Column], list[Column]] | None  # per SAMU: good, valid per component


def _vectors(slo: SLO, tallies: Tallies, w: _Window) -> _PerSamu:
    layout = tallies.ledger.layout
    source = slice_source(slo)
    if source is not None:
        k = layout.slice_index(source)
        t = tallies.slices(k, w.start, w.end)
        burns = {}
        for span, (a, b) in w.burns.items():
            x = tallies.slices(k, a, b)
            burns[span] = (x.good.tolist(), x.bad.tolist())
        minutes = (
            t.good.tolist(),
            t.bad.tolist(),
            t.gap.tolist(),
            t.no_data.tolist(),
            t.excluded.tolist(),
        )
        return _PerSamu(minutes[0], minutes[1], burns, minutes, None)
    assert not isinstance(slo.sli, FreshnessSLI)
    g, v = (layout.count_index(c) for c in count_columns(slo.sli))
    good, valid = tallies.counts(g, w.start, w.end), tallies.counts(v, w.start, w.end)
    burns = {}
    for span, (a, b) in w.burns.items():
        bg, bv = tallies.counts(g, a, b), tallies.counts(v, a, b)
        burns[span] = (bg.tolist(), (bv - bg).tolist())
    parts = None
    if slo.by_component:
        parts = (
            tallies.components(g, w.start, w.end).tolist(),
            tallies.components(v, w.start, w.end).tolist(),
        )
    return _PerSamu(good.tolist(), (valid - good).tolist(), burns, None, parts)


def _sum(column: Column, idx: Sequence[int]) -> float:
    return column[idx[0]] if len(idx) == 1 else sum(column[i] for i in idx)


def _parts(v: _PerSamu, rows: Sequence[int], names: Sequence[str]) -> dict[str, Totals]:
    if v.parts is None:
        return {}
    out = {}
    for c, name in enumerate(names):
        good = sum(v.parts[0][i][c] for i in rows)
        valid = sum(v.parts[1][i][c] for i in rows)
        if valid > 0:
            out[name] = Totals(good, valid - good)
    return out


@dataclass(frozen=True)
class Evaluation:
    """Per-SAMU statuses (and national/regional-scope SLOs), and the composites of the per-SAMU
    SLOs (national and per region: event-weighted sums, never an average of ratios)."""

    statuses: list[SloStatus]
    composites: list[SloStatus]


def _groups(
    slo: SLO, rows: Mapping[str, int], labels: Mapping[str, Mapping[str, object]], scope: str
) -> dict[str, list[int]]:
    if scope == "samu":
        return {s: [i] for s, i in rows.items()}
    groups: dict[str, list[int]] = {NATIONAL: list(rows.values())} if scope != "region" else {}
    if scope in ("region", "composite"):
        for s, i in rows.items():
            groups.setdefault(f"region:{labels[s].get('region', '')}", []).append(i)
    return groups


def evaluate_all(
    slos: Sequence[SLO],
    samu_labels: Mapping[str, Mapping[str, object]],
    tallies: Tallies,
    now: datetime,
    window_of: Mapping[str, Interval] | None = None,
    composites: bool = False,
) -> Evaluation:
    """Status of every SLO: per selected SAMU (scope samu) or one per group (national/region);
    with `composites`, the national and regional composites of the per-SAMU SLOs too.

    `window_of` replaces an SLO's own window by a period (e.g. the calendar month 2026-10).
    """
    led = tallies.ledger
    out = Evaluation([], [])
    for slo in slos:
        custom = (window_of or {}).get(slo.id)
        w = _window(slo, now, custom)
        v = _vectors(slo, tallies, w)
        rows = {
            s: led.index[s]
            for s, labels in samu_labels.items()
            if s in led.index and slo.fleet.matches(s, labels)
        }
        scopes: list[tuple[str, list[SloStatus]]] = [(slo.scope, out.statuses)]
        if composites and slo.scope == "samu" and rows:
            scopes.append(("composite", out.composites))
        for scope, into in scopes:
            for name, idx in _groups(slo, rows, samu_labels, scope).items():
                status = _status(slo, name, scope, idx, v, w, now, samu_labels, led.components)
                into.append(status if custom is None else replace(status, window_end=w.end))
    return out


def evaluate(
    slos: Sequence[SLO],
    samu_labels: Mapping[str, Mapping[str, object]],
    tallies: Tallies,
    now: datetime,
    window_of: Mapping[str, Interval] | None = None,
) -> list[SloStatus]:
    """`evaluate_all` without composites: the status of every SLO per SAMU (or scope group)."""
    return evaluate_all(slos, samu_labels, tallies, now, window_of).statuses


def _status(
    slo: SLO,
    name: str,
    scope: str,
    idx: list[int],
    v: _PerSamu,
    w: _Window,
    now: datetime,
    labels: Mapping[str, Mapping[str, object]],
    components: Sequence[str],
) -> SloStatus:
    window = Totals(_sum(v.good, idx), _sum(v.bad, idx))
    burns = {span: Totals(_sum(g, idx), _sum(b, idx)) for span, (g, b) in v.burns.items()}
    tally = None
    minutes = w.minutes
    if v.minutes is not None:
        tally = MinuteTally(*(int(_sum(column, idx)) for column in v.minutes))
        minutes = w.minutes * len(idx) - tally.gap - tally.no_data - tally.excluded
    if scope == "samu":
        target = slo.target_for(name, labels[name])
        objective, guards = target.objective, target.guards
    else:
        objective, guards = slo.objective, slo.alerting.guards
    parts = _parts(v, idx, components) if scope != "region" else {}
    return status_of(
        slo, name, objective, guards, window, burns, max(0, minutes), w.start, now, parts, tally
    )


def recent_bad(tallies: Tallies, slo: SLO, minutes: int, now: datetime) -> Floats:
    """Per SAMU of the ledger, bad slices among the last `minutes` settled minutes."""
    source = slice_source(slo)
    assert source is not None
    k = tallies.ledger.layout.slice_index(source)
    end = floor_minute(now - SETTLE)
    return tallies.slices(k, end - minutes * MINUTE, end).bad


def equipped(tallies: Tallies, slo: SLO, now: datetime) -> list[str]:
    """SAMU that have sent data of this slice SLO at some point before `now`."""
    source = slice_source(slo)
    assert source is not None
    led = tallies.ledger
    first = led.first[led.layout.slice_index(source)]
    stamp = now.timestamp()
    return [s for s, i in led.index.items() if first[i] <= stamp]


def is_occurrences(slo: SLO) -> bool:
    """Whether the SLO is event-weighted (its budget counts events, not slices)."""
    return isinstance(slo.budgeting, Occurrences) and not isinstance(slo.sli, FreshnessSLI)
