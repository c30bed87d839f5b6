"""The budget tickets replayed: SLOBudgetExhausted and SLOBudgetForecast at every tick.

The engine's rule (`slo.guards.budget_findings` on `slo.evaluate` statuses), vectorised over
ticks: the budget over the SLO's elapsed window (`slo.budget`: events, or judged slices of a
window shrunk by its Vigie-gap, no-data and excluded minutes), the current burn over the
shortest alert window of at least an hour, and the time to exhaustion at that burn. Values
within a millisecond of the forecast threshold are decided with the engine's own timedelta
arithmetic, so rounding never makes the replay differ.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

import numpy as np
import numpy.typing as npt

from slo.backtest_guards import Firing, intervals, labels_of
from slo.evaluate import STATE_WINDOW
from slo.model import SLO
from slo.replay import History, Series
from slo.windows import RollingWindow, elapsed_interval, window_interval

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]
Labels = Mapping[str, Mapping[str, object]]


def _remaining(s: Series, at: Ints, start: Ints, full: Ints, objective: Floats) -> Floats:
    """Per group and tick, the budget left (NaN without valid events or judged slices)."""
    obj = objective[:, None]
    good = s.window(s.good, at, start, s.judged)
    bad = s.window(s.bad, at, start, s.judged)
    with np.errstate(divide="ignore", invalid="ignore"):
        if s.idle is None or s.excluded is None:  # events (`occurrence_budget`)
            valid = good + bad
            consumed = (valid - good) / (valid * (1 - obj))
            return np.where(valid > 0, 1 - consumed, np.nan)
        idle = s.window(s.idle, at, start, s.judged) + s.window(s.excluded, at, start, s.edge)
        minutes = np.maximum(0, full[None, :] * s.sizes[:, None] - idle)  # `timeslice_budget`
        allowed = (minutes // s.slice_minutes) * (1 - obj)
        return np.where(good + bad > 0, 1 - bad / allowed, np.nan)


def _window_minutes(s: Series, at: Ints, start: Ints, full: Ints) -> Floats:
    """The window's minutes as `evaluate` hands them to the budget (slices: shrunk)."""
    if s.idle is None or s.excluded is None:
        return np.broadcast_to(full[None, :], (len(s.names), len(full))).astype(np.float64)
    idle = s.window(s.idle, at, start, s.judged) + s.window(s.excluded, at, start, s.edge)
    out: Floats = np.maximum(0, full[None, :] * s.sizes[:, None] - idle)
    return out


def budget_firings(
    slo: SLO,
    s: Series,
    rates: Mapping[timedelta, tuple[Floats, Floats]],
    ticks: Sequence[datetime],
    at: Ints,
    hist: History,
    samu_labels: Labels,
    objective: Floats,
) -> list[Firing]:
    """SLOBudgetExhausted and SLOBudgetForecast per group and tick, as the engine raises them."""
    guards = [
        slo.target_for(n, samu_labels[n]).guards if n in samu_labels else slo.alerting.guards
        for n in s.names
    ]
    start = np.array([hist.index(elapsed_interval(slo.window, t).start) for t in ticks])
    full = np.array([window_interval(slo.window, t).minutes for t in ticks], dtype=np.int64)
    remaining = _remaining(s, at, start, full, objective)
    longer = sorted(w for w in rates if w >= STATE_WINDOW)
    burn = rates[longer[0]][0] if longer else np.full_like(remaining, np.nan)
    if isinstance(slo.window, RollingWindow):
        period = np.full_like(remaining, slo.window.duration.total_seconds())
    else:
        period = _window_minutes(s, at, start, full) * 60.0
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        lasts = np.where(remaining <= 0, 0.0, remaining * period / burn)
    known = ~np.isnan(remaining) & ~np.isnan(burn) & (burn > 0)
    exhausted = np.zeros_like(known)
    forecast = np.zeros_like(known)
    for i, g in enumerate(guards):
        gone = remaining[i] <= 0
        if g.budget_exhausted:
            exhausted[i] = gone
        if g.budget_forecast is None:
            continue
        limit = g.budget_forecast.total_seconds()
        soon = known[i] & (lasts[i] < limit) & ~(gone & g.budget_exhausted)
        for j in np.flatnonzero(known[i] & (np.abs(lasts[i] - limit) < 1e-3)):
            left = float(remaining[i, j])
            span = timedelta(seconds=float(period[i, j]))
            exact = timedelta(0) if left <= 0 else left * span / float(burn[i, j])
            soon[j] = exact < g.budget_forecast and not (gone[j] and g.budget_exhausted)
        forecast[i] = soon
    out: list[Firing] = []
    for name, held in (("SLOBudgetExhausted", exhausted), ("SLOBudgetForecast", forecast)):
        labels = [labels_of(name, "ticket", n, samu_labels, slo=slo.id) for n in s.names]
        out += intervals(held, ticks, labels)
    return out
