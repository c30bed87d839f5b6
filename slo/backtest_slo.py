"""One SLO's alerts replayed over a history: burn-rate pairs, the probe guard, budget tickets.

Per group the engine evaluates (each SAMU, `national`, or a region), prefix sums over the
replay's minutes give any window at any tick: events over [tick − w, tick) (the minute that
ends at the tick counts, planned maintenance out), slices over the settled slices wholly inside
the window, exactly the minutes `Tallies.counts` and `Tallies.slices` sum at that tick.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

import numpy as np
import numpy.typing as npt

from slo.backtest_budget import budget_firings
from slo.backtest_guards import Firing, intervals, labels_of
from slo.evaluate import is_probe
from slo.layout import count_columns, slice_source
from slo.model import SLO, FreshnessSLI
from slo.replay import History, Series

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]
Labels = Mapping[str, Mapping[str, object]]


def _cum(values: Floats | Bools) -> Floats:
    out = np.zeros((values.shape[0], values.shape[1] + 1))
    np.cumsum(values, axis=1, out=out[:, 1:])
    return out


def groups(slo: SLO, samus: Sequence[str], samu_labels: Labels) -> dict[str, list[str]]:
    """The SAMU of each status the engine evaluates for `slo` (`slo.evaluate.evaluate`)."""
    selected = [s for s in samus if s in samu_labels and slo.fleet.matches(s, samu_labels[s])]
    if slo.scope == "samu":
        return {s: [s] for s in selected}
    if slo.scope == "national":
        return {"national": list(selected)} if selected else {}
    out: dict[str, list[str]] = {}
    for s in selected:
        out.setdefault(f"region:{samu_labels[s].get('region', '')}", []).append(s)
    return out


def series(slo: SLO, hist: History, samu_labels: Labels) -> Series | None:
    """The SLO's prefix sums per group (None: no SAMU selected)."""
    members = groups(slo, hist.samus, samu_labels)
    if not members:
        return None
    rows = [[hist.ledger.index[s] for s in m] for m in members.values()]
    names = list(members)
    sizes = np.array([len(m) for m in members.values()], dtype=np.int64)

    def summed(values: Floats | Bools) -> Floats:
        return _cum(np.stack([values[r].sum(axis=0) for r in rows]))

    layout = hist.ledger.layout
    source = slice_source(slo)
    if source is None:
        assert not isinstance(slo.sli, FreshnessSLI)
        g, v = (layout.count_index(c) for c in count_columns(slo.sli))
        good, valid = hist.events(g), hist.events(v)
        return Series(names, sizes, summed(good), summed(valid - good), 0)
    states = hist.states(layout.slice_index(source))
    k = max(1, source.rule.slice_minutes)
    return Series(
        names,
        sizes,
        summed(states["good"]),
        summed(states["bad"]),
        max(k - 1, 1),  # settled slices only, each wholly inside the window
        summed(states["gap"] | states["no_data"]),
        summed(states["excluded"]),
        k - 1,
        k,
    )


def targets(slo: SLO, names: Sequence[str], samu_labels: Labels) -> tuple[Floats, Floats, Floats]:
    """Per group: the objective, and the bad events a pair needs in its long and short window."""
    if slo.scope != "samu":
        guards = [slo.alerting.guards] * len(names)
        objectives = np.full(len(names), slo.objective)
    else:
        found = [slo.target_for(s, samu_labels[s]) for s in names]
        guards = [t.guards for t in found]
        objectives = np.array([t.objective for t in found])
    return (
        objectives,
        np.array([float(g.min_bad_events) for g in guards]),
        np.array([float(g.min_bad_events_short) for g in guards]),
    )


def burns(
    slo: SLO, s: Series, at: Ints, objective: Floats
) -> dict[timedelta, tuple[Floats, Floats]]:
    """Per alert window: the burn rate (NaN without valid events) and the bad events."""
    out = {}
    for w in slo.alerting.policy.windows():
        start = at - int(w.total_seconds() // 60)
        good = s.window(s.good, at, start, s.judged)
        bad = s.window(s.bad, at, start, s.judged)
        valid = good + bad
        with np.errstate(divide="ignore", invalid="ignore"):
            burn = np.where(valid > 0, (bad / valid) / (1 - objective[:, None]), np.nan)
        out[w] = (burn, bad)
    return out


def slo_firings(
    slo: SLO, hist: History, ticks: Sequence[datetime], at: Ints, samu_labels: Labels
) -> list[Firing]:
    """Every alert of one SLO at every tick: SLOBurnRate per severity, ProbeFailing, and the
    budget tickets (SLOBudgetExhausted, SLOBudgetForecast)."""
    s = series(slo, hist, samu_labels)
    out: list[Firing] = []
    if s is not None:
        objective, min_bad, min_short = targets(slo, s.names, samu_labels)
        rates = burns(slo, s, at, objective)
        policy = slo.alerting.policy
        held: dict[str, Bools] = {}
        for pair in policy.pairs:
            factor = pair.factor(policy.period)
            (long, long_bad), (short, short_bad) = rates[pair.long], rates[pair.short]
            with np.errstate(invalid="ignore"):
                holds = (long > factor) & (short > factor) & (long_bad >= min_bad[:, None])
            holds &= short_bad >= min_short[:, None]
            severity = pair.severity if slo.alerting.pages else "ticket"
            held[severity] = held.get(severity, np.zeros_like(holds)) | holds
        for level, rows in held.items():
            labels = [labels_of("SLOBurnRate", level, n, samu_labels, slo=slo.id) for n in s.names]
            out += intervals(rows, ticks, labels)
        out += budget_firings(slo, s, rates, ticks, at, hist, samu_labels, objective)
    if is_probe(slo):
        out += _probe(slo, hist, ticks, at, samu_labels)
    return out


def _probe(
    slo: SLO, hist: History, ticks: Sequence[datetime], at: Ints, samu_labels: Labels
) -> list[Firing]:
    """ProbeFailing: the last N settled probe slices all bad, for every labelled SAMU that has
    sent probe data by the tick (`slo.findings`: the engine asks every SAMU it knows)."""
    source = slice_source(slo)
    assert source is not None
    k = hist.ledger.layout.slice_index(source)
    bad_c = _cum(hist.states(k)["bad"])
    size = max(1, source.rule.slice_minutes)
    stamps = np.array([int(t.timestamp()) for t in ticks], dtype=np.int64)
    names = [s for s in hist.samus if s in samu_labels]
    held = np.zeros((len(names), len(ticks)), dtype=bool)
    end = at - 1  # floor_minute(now − settle) at a whole-minute tick
    for i, samu in enumerate(names):
        n = slo.target_for(samu, samu_labels[samu]).guards.probe_failed_minutes
        if n <= 0:
            continue
        row = hist.ledger.index[samu]
        recent = bad_c[row, end - size + 1] - bad_c[row, end - n]
        held[i] = (recent >= n) & (hist.first(k)[row] <= stamps)
    severity = "page" if slo.alerting.pages else "ticket"
    labels = [labels_of("ProbeFailing", severity, s, samu_labels, slo=slo.id) for s in names]
    return intervals(held, ticks, labels)
