"""Error-budget arithmetic, pure: good/valid totals in, SLI, budget, burn and state out.

No data is its own answer everywhere: with no valid events the SLI, burn and budget fractions
are None — never NaN and never 100 %.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from slo.model import Timeslices
from slo.policy import BurnSample

State = Literal["ok", "burning", "exhausted", "no_data"]
Verdict = Literal["good", "bad", "skip"]


def sli(good: float, valid: float) -> float | None:
    """Σgood / Σvalid, or None when there were no valid events."""
    if valid <= 0:
        return None
    return good / valid


def burn_rate(good: float, valid: float, objective: float) -> float | None:
    """Bad fraction / (1 − objective): 1 spends the budget exactly over the SLO period."""
    if valid <= 0:
        return None
    return ((valid - good) / valid) / (1 - objective)


def burn_sample(good: float, valid: float, objective: float) -> BurnSample:
    """A BurnSample for the alert policy from one window's totals."""
    return BurnSample(burn_rate(good, valid, objective), valid - good, valid)


@dataclass(frozen=True)
class Budget:
    """The error budget of one SLO over one window, in fractions, events and outage minutes."""

    objective: float
    sli: float | None
    good: float
    valid: float  # for time slices: judged slices
    bad: float
    allowed_bad: float  # events (or slices) the budget allows
    consumed: float | None  # fraction of the budget spent; > 1 when overspent
    remaining: float | None  # 1 − consumed; negative when overspent
    remaining_events: float
    window_minutes: int
    budget_minutes: float  # minutes of full outage the budget allows over the window
    consumed_minutes: float
    remaining_minutes: float


def occurrence_budget(good: float, valid: float, objective: float, window_minutes: int) -> Budget:
    """Event-weighted budget: allowed bad events = valid × (1 − objective)."""
    bad = valid - good
    allowed = valid * (1 - objective)
    consumed = bad / allowed if valid > 0 else None
    budget_minutes = window_minutes * (1 - objective)
    consumed_minutes = (consumed or 0.0) * budget_minutes
    return Budget(
        objective=objective,
        sli=sli(good, valid),
        good=good,
        valid=valid,
        bad=bad,
        allowed_bad=allowed,
        consumed=consumed,
        remaining=None if consumed is None else 1 - consumed,
        remaining_events=allowed - bad,
        window_minutes=window_minutes,
        budget_minutes=budget_minutes,
        consumed_minutes=consumed_minutes,
        remaining_minutes=budget_minutes - consumed_minutes,
    )


def timeslice_budget(
    good_slices: int, bad_slices: int, objective: float, window_minutes: int, slice_minutes: int = 1
) -> Budget:
    """Slice budget: the window's slices × (1 − objective) may be bad, whatever the traffic."""
    judged = good_slices + bad_slices
    window_slices = window_minutes // slice_minutes
    allowed = window_slices * (1 - objective)
    consumed = bad_slices / allowed if judged > 0 else None
    budget_minutes = allowed * slice_minutes
    consumed_minutes = bad_slices * slice_minutes
    return Budget(
        objective=objective,
        sli=sli(good_slices, judged),
        good=good_slices,
        valid=judged,
        bad=bad_slices,
        allowed_bad=allowed,
        consumed=consumed,
        remaining=None if consumed is None else 1 - consumed,
        remaining_events=allowed - bad_slices,
        window_minutes=window_minutes,
        budget_minutes=budget_minutes,
        consumed_minutes=consumed_minutes,
        remaining_minutes=budget_minutes - consumed_minutes,
    )


def judge_slice(good: float, valid: float, rule: Timeslices) -> Verdict:
    """A slice is good when its own good/valid ≥ slice_target; no valid events → rule.no_data."""
    if valid <= 0:
        return rule.no_data
    return "good" if good / valid >= rule.slice_target else "bad"


@dataclass(frozen=True)
class SliceCounts:
    """How many slices were good, bad, or skipped (no data under `no_data: skip`)."""

    good: int
    bad: int
    skipped: int


def count_slices(slices: Iterable[tuple[float, float]], rule: Timeslices) -> SliceCounts:
    """Judge every (good, valid) slice and count the verdicts."""
    tally = {"good": 0, "bad": 0, "skip": 0}
    for good, valid in slices:
        tally[judge_slice(good, valid, rule)] += 1
    return SliceCounts(tally["good"], tally["bad"], tally["skip"])


def time_to_exhaustion(budget: Budget, burn: float | None, window: timedelta) -> timedelta | None:
    """How long the remaining budget lasts at `burn` (a burn of 1 spends it all in `window`)."""
    if budget.remaining is None or burn is None or burn <= 0:
        return None
    if budget.remaining <= 0:
        return timedelta(0)
    return budget.remaining * window / burn


def budget_state(budget: Budget, current_burn: float | None) -> State:
    """no_data without valid events; exhausted at no budget left; burning above a burn of 1."""
    if budget.remaining is None:
        return "no_data"
    if budget.remaining <= 0:
        return "exhausted"
    if current_burn is not None and current_burn > 1:
        return "burning"
    return "ok"
