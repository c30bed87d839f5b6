"""Pure evaluation: tick sums in, per SLO × SAMU status out (SLI, budget, burns, state, conditions).

`plan_for` says which sums a tick needs (each SLO's window plus every window of its alert
policy, deduplicated); `evaluate` turns the `Sums` a reader returned into `SloStatus` values.
No data is its own state: a window without valid events has no SLI, no burn and state
`no_data`, never 100 %.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, is_dataclass
from datetime import datetime, timedelta
from types import MappingProxyType

from slo.budget import Budget, State, budget_state, occurrence_budget, timeslice_budget
from slo.budget import time_to_exhaustion as exhaustion_in
from slo.model import SLO, FreshnessSLI, Occurrences, RatioSLI, Timeslices
from slo.policy import AlertCondition, BurnSample, Policy, evaluate_conditions
from slo.reader import Sums
from slo.sql import MINUTE, SLICE_SETTLE, CountMeasure, Plan, SliceMeasure, Span
from slo.windows import RollingWindow, elapsed_interval, floor_minute, window_interval

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
class SloSpans:
    """Where one SLO's numbers are in a plan: its window span and one span per policy window."""

    measure: str
    slices: bool
    window: str
    window_minutes: int  # the whole window (a calendar month even when half elapsed)
    burns: Mapping[timedelta, str]
    probe: Mapping[int, str] = field(default_factory=dict)  # last N settled minutes → span


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

    @property
    def sli(self) -> float | None:
        return self.budget.sli


def canonical(value: object) -> str:
    """A text that is equal for equal model values across processes (sets sorted)."""
    if is_dataclass(value) and not isinstance(value, type):
        inner = ",".join(f"{f.name}={canonical(getattr(value, f.name))}" for f in fields(value))
        return f"{type(value).__name__}({inner})"
    if isinstance(value, frozenset | set):
        return "{" + ",".join(sorted(canonical(v) for v in value)) + "}"
    if isinstance(value, tuple | list):
        return "[" + ",".join(canonical(v) for v in value) + "]"
    return repr(value)


def slice_rule(slo: SLO) -> Timeslices | None:
    """The slice rule of a slice-budgeted SLO (freshness is always judged per minute)."""
    if isinstance(slo.budgeting, Timeslices):
        return slo.budgeting
    if isinstance(slo.sli, FreshnessSLI):
        return Timeslices()
    return None


def plan_for(
    slos: Sequence[SLO], now: datetime, window_of: Mapping[str, Span] | None = None
) -> tuple[Plan, dict[str, SloSpans]]:
    """The sums a tick needs at `now`; `window_of` replaces an SLO's own window (e.g. 2026-10)."""
    spans: dict[tuple[datetime, datetime], str] = {}

    def span(start: datetime, end: datetime) -> str:
        return spans.setdefault((start, end), f"w{len(spans)}")

    measures: dict[str, tuple[str, SLO, Timeslices | None]] = {}
    wanted: dict[str, set[str]] = {}
    where: dict[str, SloSpans] = {}
    for slo in slos:
        rule = slice_rule(slo)
        text = canonical((slo.sli, rule))
        key = measures.setdefault(text, (f"m{len(measures)}", slo, rule))[0]
        custom = (window_of or {}).get(slo.id)
        if custom is not None:
            window_key = span(custom.start, min(custom.end, now))
            minutes = int((custom.end - custom.start).total_seconds() // 60)
        else:
            elapsed = elapsed_interval(slo.window, now)
            window_key = span(elapsed.start, elapsed.end)
            minutes = window_interval(slo.window, now).minutes
        burns = {w: span(now - w, now) for w in slo.alerting.policy.windows()}
        probe = {}
        if is_probe(slo):
            settled = floor_minute(now - SLICE_SETTLE)
            probe = {n: span(settled - n * MINUTE, now) for n in probe_minutes(slo)}
        wanted.setdefault(key, set()).update({window_key, *burns.values(), *probe.values()})
        where[slo.id] = SloSpans(key, rule is not None, window_key, minutes, burns, probe)
    ordered = sorted(spans.items(), key=lambda item: int(item[1][1:]))
    plan_spans = tuple(Span(k, a, b) for (a, b), k in ordered)
    counts: list[CountMeasure] = []
    slices: list[SliceMeasure] = []
    for text, (key, slo, rule) in measures.items():
        keys = tuple(sorted(wanted[key], key=lambda k: int(k[1:])))
        if rule is None:
            assert not isinstance(slo.sli, FreshnessSLI)
            counts.append(CountMeasure(key, slo.sli, keys))
        else:
            hours_key = hashlib.sha256(text.encode()).hexdigest()[:16]
            slices.append(SliceMeasure(key, slo.sli, rule, keys, hours_key))
    return Plan(plan_spans, tuple(counts), tuple(slices)), where


def is_probe(slo: SLO) -> bool:
    """A slice SLO over an event counter (synthetic probes): it gets the fast probe guard."""
    return isinstance(slo.budgeting, Timeslices) and isinstance(slo.sli, RatioSLI)


def probe_minutes(slo: SLO) -> list[int]:
    """Every `probe_failed_minutes` the SLO's guards and overrides use."""
    found = {slo.alerting.guards.probe_failed_minutes}
    found |= {o.guards.probe_failed_minutes for o in slo.overrides if o.guards is not None}
    return sorted(n for n in found if n > 0)


def samu_totals(
    sums: Sums, spans: SloSpans, span_key: str, rule: Timeslices | None
) -> dict[str, Totals]:
    """Per-SAMU totals of one measure over one span (slices: no-data slices per `rule`).

    For slices, only SAMU that sent data at some point of the SLO window are judged: a SAMU
    that never reported is "no data", not a spent budget.
    """
    if not spans.slices:
        out: dict[str, Totals] = {}
        for (samu, _), (good, valid) in sums.counts.get((spans.measure, span_key), {}).items():
            out[samu] = out.get(samu, Totals()) + Totals(good, valid - good)
        return out
    assert rule is not None
    return {
        samu: slice_totals(sums, spans.measure, span_key, samu, rule)
        for samu in reporting(sums, spans)
    }


def reporting(sums: Sums, spans: SloSpans) -> list[str]:
    """SAMU with at least one slice with data over the SLO window."""
    window = sums.slices.get((spans.measure, spans.window), {})
    return [samu for samu, (_, data) in window.items() if data > 0]


def slice_totals(sums: Sums, measure: str, span_key: str, samu: str, rule: Timeslices) -> Totals:
    """Good and bad slices of one SAMU; slices without data count as `rule.no_data` says."""
    good, data = sums.slices.get((measure, span_key), {}).get(samu, (0.0, 0.0))
    size = max(1, rule.slice_minutes)
    minutes = sums.slice_minutes.get(span_key, {}).get(samu, sums.slice_total.get(span_key, 0))
    missing = max(0.0, minutes // size - data)
    bad = data - good
    if rule.no_data == "bad":
        bad += missing
    elif rule.no_data == "good":
        good += missing
    return Totals(good, bad)


def components(sums: Sums, spans: SloSpans, samu: str | None) -> dict[str, Totals]:
    """Totals by platform component over the SLO window (one SAMU, or all when None)."""
    out: dict[str, Totals] = {}
    if spans.slices:
        return out
    for (s, comp), (good, valid) in sums.counts.get((spans.measure, spans.window), {}).items():
        if samu is None or s == samu:
            out[comp] = out.get(comp, Totals()) + Totals(good, valid - good)
    return out


def status_of(
    slo: SLO,
    samu: str,
    objective: float,
    min_bad_events: float,
    window: Totals,
    burns: Mapping[timedelta, Totals],
    window_minutes: int,
    window_start: datetime,
    now: datetime,
    parts: Mapping[str, Totals] | None = None,
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
        conditions = fired_pairs(samples, slo.alerting.policy, min_bad_events, slo.alerting.pages)
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
    )


@functools.cache
def _factors(policy: Policy) -> tuple[float, ...]:
    return tuple(pair.factor(policy.period) for pair in policy.pairs)


def fired_pairs(
    samples: Mapping[timedelta, BurnSample], policy: Policy, min_bad_events: float, pages: bool
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
    return tuple(evaluate_conditions(samples, policy, min_bad_events=min_bad_events, pages=pages))


def _current_burn(samples: Mapping[timedelta, BurnSample]) -> float | None:
    longer = sorted(w for w in samples if w >= STATE_WINDOW)
    if not longer:
        return None
    return samples[longer[0]].burn_rate


def evaluate(
    slos: Sequence[SLO],
    samu_labels: Mapping[str, Mapping[str, object]],
    plan: Plan,
    where: Mapping[str, SloSpans],
    sums: Sums,
    now: datetime,
) -> list[SloStatus]:
    """Status of every SLO: per selected SAMU (scope samu) or one composite (national/region)."""
    out: list[SloStatus] = []
    for slo in slos:
        spans = where[slo.id]
        rule = slice_rule(slo)
        window_start = plan.span(spans.window).start
        selected = [s for s, labels in samu_labels.items() if slo.fleet.matches(s, labels)]
        window = samu_totals(sums, spans, spans.window, rule)
        burns = {w: samu_totals(sums, spans, k, rule) for w, k in spans.burns.items()}
        if slo.scope == "samu":
            for samu in selected:
                target = slo.target_for(samu, samu_labels[samu])
                total = _slice_default(window, samu, sums, spans, spans.window, rule)
                per_burn = {
                    w: _slice_default(b, samu, sums, spans, spans.burns[w], rule)
                    for w, b in burns.items()
                }
                out.append(
                    status_of(
                        slo,
                        samu,
                        target.objective,
                        target.guards.min_bad_events,
                        total,
                        per_burn,
                        spans.window_minutes,
                        window_start,
                        now,
                        components(sums, spans, samu),
                    )
                )
            continue
        groups = _groups(slo.scope, selected, samu_labels)
        for name, members in groups.items():
            total = _sum(window, members, sums, spans, spans.window, rule)
            per_burn = {
                w: _sum(b, members, sums, spans, spans.burns[w], rule) for w, b in burns.items()
            }
            minutes = spans.window_minutes * (len(members) if spans.slices else 1)
            out.append(
                status_of(
                    slo,
                    name,
                    slo.objective,
                    slo.alerting.guards.min_bad_events,
                    total,
                    per_burn,
                    minutes,
                    window_start,
                    now,
                    components(sums, spans, None) if slo.scope == "national" else None,
                )
            )
    return out


def _groups(
    scope: str, selected: Sequence[str], labels: Mapping[str, Mapping[str, object]]
) -> dict[str, list[str]]:
    if scope == "national":
        return {NATIONAL: list(selected)}
    regions: dict[str, list[str]] = {}
    for samu in selected:
        regions.setdefault(f"region:{labels[samu].get('region', '')}", []).append(samu)
    return regions


def _slice_default(
    totals: Mapping[str, Totals],
    samu: str,
    sums: Sums,
    spans: SloSpans,
    span_key: str,
    rule: Timeslices | None,
) -> Totals:
    """A SAMU's totals (zero when it has none: no data)."""
    return totals.get(samu, Totals())


def _sum(
    totals: Mapping[str, Totals],
    members: Sequence[str],
    sums: Sums,
    spans: SloSpans,
    span_key: str,
    rule: Timeslices | None,
) -> Totals:
    out = Totals()
    for samu in members:
        out = out + _slice_default(totals, samu, sums, spans, span_key, rule)
    return out


def is_occurrences(slo: SLO) -> bool:
    """Whether the SLO is event-weighted (its budget counts events, not slices)."""
    return isinstance(slo.budgeting, Occurrences) and not isinstance(slo.sli, FreshnessSLI)
