"""The engine's SLO model: frozen dataclasses built from specs by `slo.mapping`, never by hand.

How each SLI reads the store (`minute_counts`, `minute_ingest`), so the SQL is unambiguous:
- RatioSLI: rows of `metric` with le = inf; valid = Σ value over rows `valid` accepts, good =
  Σ value over rows that `good` accepts (good ⊆ valid is checked at load time).
- LatencySLI: rows of the histogram `metric` that `valid` accepts; good = Σ value at
  le = threshold (cumulative bucket), valid = Σ value at le = inf.
- FreshnessSLI: one event per minute per SAMU from `minute_ingest`; the minute is good when
  points ≥ min_points and max_lag_s < max_lag_s; a missing row is "no data".
With Occurrences budgeting, SLI = Σgood / Σvalid over the window. With Timeslices budgeting,
each slice's own good/valid is judged (`slo.budget.judge_slice`) and the SLI is good slices /
judged slices.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from slo.policy import Guards, Policy, SloClass, TrafficCollapse
from slo.windows import Window

NoData = Literal["bad", "good", "skip"]
Scope = Literal["samu", "region", "national"]


@dataclass(frozen=True)
class CountFilter:
    """Which `minute_counts` rows count: by `outcome` and `component` (None = any value)."""

    outcomes: frozenset[str] | None = None
    not_outcomes: frozenset[str] = frozenset()
    components: frozenset[str] | None = None

    def accepts(self, outcome: str, component: str) -> bool:
        if self.outcomes is not None and outcome not in self.outcomes:
            return False
        if outcome in self.not_outcomes:
            return False
        return self.components is None or component in self.components


@dataclass(frozen=True)
class RatioSLI:
    """Good events / valid events from a counter, split by outcome (le = inf rows)."""

    metric: str
    good: CountFilter
    valid: CountFilter


@dataclass(frozen=True)
class LatencySLI:
    """Events faster than `threshold_s` (a bucket bound of the histogram) / all events."""

    metric: str
    threshold_s: float  # exactly one of the metric's bucket bounds: the `le` to read as good
    valid: CountFilter


@dataclass(frozen=True)
class FreshnessSLI:
    """O1: a SAMU-minute is good when its telemetry arrived with lag below `max_lag_s`."""

    max_lag_s: float = 60.0
    min_points: int = 1


SLI = RatioSLI | LatencySLI | FreshnessSLI


@dataclass(frozen=True)
class Occurrences:
    """Event-weighted budgeting: SLI = Σgood / Σvalid over the window."""


@dataclass(frozen=True)
class Timeslices:
    """Slice budgeting: a slice is good when its own good/valid ≥ slice_target."""

    slice_minutes: int = 1
    slice_target: float = 1.0  # fraction in (0, 1]
    no_data: NoData = "bad"  # how a slice without valid events counts


Budgeting = Occurrences | Timeslices


@dataclass(frozen=True)
class SamuSelector:
    """Which SAMU a spec applies to: all, or by id and registry labels, minus exclusions."""

    all: bool = True
    ids: frozenset[str] = frozenset()
    match: tuple[tuple[str, frozenset[str]], ...] = ()  # label → accepted values, all must hold
    exclude: frozenset[str] = frozenset()

    def matches(self, samu_id: str, labels: Mapping[str, object]) -> bool:
        """Whether the SAMU with `samu_id` and registry `labels` is selected."""
        if samu_id in self.exclude:
            return False
        if self.all:
            return True
        if samu_id in self.ids:
            return True
        if not self.match:
            return False
        return all(label_text(labels.get(key)) in values for key, values in self.match)


def label_text(value: object) -> str:
    """A registry label value as selectors compare it (booleans as `true`/`false`)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


@dataclass(frozen=True)
class Alerting:
    """How an SLO alerts: its policy (with derived factors), whether it pages, its guards."""

    enabled: bool
    policy: Policy
    pages: bool
    guards: Guards


@dataclass(frozen=True)
class SamuOverride:
    """Per-SAMU replacement of the objective and/or the (fully resolved) guards."""

    selector: SamuSelector
    objective: float | None = None
    guards: Guards | None = None


@dataclass(frozen=True)
class SamuTarget:
    """The objective and guards that apply to one SAMU after overrides."""

    objective: float
    guards: Guards


@dataclass(frozen=True)
class SLO:
    """One service level objective the engine evaluates (one objective, one SLI, one window)."""

    id: str
    name: str
    description: str
    slo_class: SloClass
    objective: float  # a fraction in (0, 1): 99.95 % is 0.9995
    sli: SLI
    budgeting: Budgeting
    window: Window
    fleet: SamuSelector
    scope: Scope
    by_component: bool
    alerting: Alerting
    overrides: tuple[SamuOverride, ...] = ()
    labels: tuple[tuple[str, str], ...] = ()
    spec_id: str = ""  # the spec document it came from (several SLOs when it lists objectives)
    source: str = ""  # file:line of the spec document

    def target_for(self, samu_id: str, labels: Mapping[str, object]) -> SamuTarget:
        """Objective and guards for one SAMU; later matching overrides win."""
        objective, guards = self.objective, self.alerting.guards
        for override in self.overrides:
            if override.selector.matches(samu_id, labels):
                objective = override.objective if override.objective is not None else objective
                guards = override.guards if override.guards is not None else guards
        return SamuTarget(objective, guards)


@dataclass(frozen=True)
class Baseline:
    """How a traffic baseline is built: the same weekday and hour over past weeks."""

    lookback_weeks: int = 8
    # Public holidays of this country are compared with Sundays, not with their weekday.
    holidays: str | None = "FR"


@dataclass(frozen=True)
class PlausibilityGuard:
    """S4: traffic far below its same-weekday/hour baseline is an alert; no SLO, no budget."""

    id: str
    name: str
    description: str
    metric: str
    valid: CountFilter  # what counts as traffic
    collapse: TrafficCollapse
    baseline: Baseline
    fleet: SamuSelector
    severity: Literal["page", "ticket"]
    source: str = ""
