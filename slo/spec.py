"""The user-facing spec (apiVersion vigie/v1): strict pydantic models of the YAML files.

Unknown keys are errors. Percentages are 0–100. Durations are shorthands (`28d`, `5m`).
These models only describe and check shape; `slo.mapping` turns them into the engine's model.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainValidator, model_validator

from slo.errors import WindowError
from slo.windows import parse_duration, zone

API_VERSION = "vigie/v1"
ID_PATTERN = r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$"


def _duration(value: object) -> timedelta:
    if isinstance(value, timedelta):
        return value
    if not isinstance(value, str):
        raise ValueError("expected a duration such as 28d, 1h or 30s")
    try:
        return parse_duration(value)
    except WindowError as exc:
        raise ValueError(str(exc)) from exc


def _timezone(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError("expected an IANA time zone name such as Europe/Paris")
    try:
        zone(value)
    except WindowError as exc:
        raise ValueError(str(exc)) from exc
    return value


def _threshold(value: object) -> float:
    """A latency threshold: seconds as a number, or a duration such as 1s or 500ms."""
    if isinstance(value, bool):
        raise ValueError("expected seconds (a number) or a duration such as 1s")
    if isinstance(value, int | float):
        return float(value)
    return _duration(value).total_seconds()


Duration = Annotated[timedelta, PlainValidator(_duration)]
TimeZone = Annotated[str, PlainValidator(_timezone)]
Threshold = Annotated[float, PlainValidator(_threshold)]
Percent = Annotated[float, Field(gt=0, lt=100)]
NoDataSpec = Literal["bad", "good", "skip"]
SloClassSpec = Literal["critical", "high", "low"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FilterSpec(Strict):
    """Rows to count: outcomes to include or exclude, components to include."""

    outcome: list[str] | None = None
    outcome_not: list[str] | None = None
    component: list[str] | None = None


class RatioSliSpec(Strict):
    kind: Literal["ratio"]
    metric: str
    good: FilterSpec
    valid: FilterSpec = Field(default_factory=FilterSpec)


class LatencySliSpec(Strict):
    kind: Literal["latency"]
    metric: str
    threshold: Threshold | None = None  # may come from each entry of `objectives` instead
    valid: FilterSpec = Field(default_factory=FilterSpec)


class TimesliceSliSpec(Strict):
    """Per-slice judgement of a counter ratio (good filter) or histogram (threshold)."""

    kind: Literal["timeslice"]
    metric: str
    good: FilterSpec | None = None
    threshold: Threshold | None = None
    valid: FilterSpec = Field(default_factory=FilterSpec)
    slice: Duration = timedelta(minutes=1)
    slice_target: Annotated[float, Field(gt=0, le=100)] = 100.0
    no_data: NoDataSpec = "bad"


class FreshnessSliSpec(Strict):
    kind: Literal["freshness"]
    max_lag: Duration = timedelta(seconds=60)
    min_points: Annotated[int, Field(ge=1)] = 1
    no_data: NoDataSpec = "bad"


SliSpec = Annotated[
    RatioSliSpec | LatencySliSpec | TimesliceSliSpec | FreshnessSliSpec,
    Field(discriminator="kind"),
]


class WindowSpec(Strict):
    """`rolling: 28d`, or `calendar: month|quarter|year` with an optional `timezone`."""

    rolling: Duration | None = None
    calendar: Literal["month", "quarter", "year"] | None = None
    timezone: TimeZone | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> WindowSpec:
        if (self.rolling is None) == (self.calendar is None):
            raise ValueError("give exactly one of `rolling` (e.g. 28d) or `calendar`")
        if self.rolling is not None and self.timezone is not None:
            raise ValueError(
                "a rolling window has no time zone; `timezone` is for calendar windows"
            )
        return self


class SelectorSpec(Strict):
    """`all`, one SAMU id, a list of ids, or {ids, match: {label: value(s)}, exclude}."""

    all: bool = False
    ids: list[str] = Field(default_factory=list)
    match: dict[str, str | bool | list[str | bool]] = Field(default_factory=dict)
    exclude: list[str] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        if value == "all":
            return {"all": True}
        if isinstance(value, str):
            return {"ids": [value]}
        if isinstance(value, list):
            return {"ids": value}
        return value


class TrafficCollapseSpec(Strict):
    below_percent: Percent | None = None
    for_: Annotated[Duration | None, Field(alias="for")] = None
    min_baseline_events: Annotated[float, Field(ge=0)] | None = None


class GuardsSpec(Strict):
    """Guard settings; each one left out keeps the value inherited from the class or policy."""

    min_bad_events: Annotated[int, Field(ge=0)] | None = None
    min_bad_events_short: Annotated[int, Field(ge=0)] | None = None
    probe_failed_minutes: Annotated[int, Field(ge=1)] | None = None
    heartbeat_failed_checks: Annotated[int, Field(ge=1)] | None = None
    heartbeat_interval: Duration | None = None
    traffic_collapse: TrafficCollapseSpec | None = None
    no_data_after: Duration | None = None
    budget_exhausted: bool | None = None
    budget_forecast: Duration | Literal["off"] | None = None


class PairSpec(Strict):
    name: str
    severity: Literal["page", "ticket"]
    budget_percent: Percent  # share of the period's budget; the burn factor is derived from it
    long: Duration
    short: Duration


class AlertingSpec(Strict):
    enabled: bool = True
    policy: str | None = None  # a policy name from slo/policy.yaml; the class default if absent
    pages: bool | None = None
    pairs: list[PairSpec] | None = None  # inline pairs instead of the named policy's
    guards: GuardsSpec = Field(default_factory=GuardsSpec)


class ObjectiveSpec(Strict):
    """One of several objectives over the same SLI; each becomes its own SLO `<id>-<name>`."""

    name: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$")]
    display_name: str | None = None
    objective: Percent
    threshold: Threshold | None = None


class OverrideSpec(Strict):
    samu: SelectorSpec
    objective: Percent | None = None
    guards: GuardsSpec | None = None


class SloSpec(Strict):
    """A `kind: SLO` document."""

    apiVersion: Literal["vigie/v1"]
    kind: Literal["SLO"]
    id: Annotated[str, Field(pattern=ID_PATTERN)]
    name: str
    description: str = ""
    slo_class: Annotated[SloClassSpec, Field(alias="class")]
    objective: Percent | None = None
    objectives: list[ObjectiveSpec] | None = None
    sli: SliSpec
    window: WindowSpec
    budgeting: Literal["occurrences", "timeslices"] | None = None
    samu: SelectorSpec = Field(default_factory=lambda: SelectorSpec(all=True))
    scope: Literal["samu", "region", "national"] = "samu"
    component_breakdown: bool = False
    overrides: list[OverrideSpec] = Field(default_factory=list)
    alerting: AlertingSpec = Field(default_factory=AlertingSpec)
    labels: dict[str, str] = Field(default_factory=dict)


class BaselineSpec(Strict):
    lookback_weeks: Annotated[int, Field(ge=1, le=52)] = 8
    holidays: str | None = "FR"


class PlausibilitySpec(Strict):
    metric: str = "samu.call.setups"
    valid: FilterSpec = Field(default_factory=FilterSpec)
    below_percent: Percent | None = None
    for_: Annotated[Duration | None, Field(alias="for")] = None
    min_baseline_events: Annotated[float, Field(ge=0)] | None = None
    baseline: BaselineSpec = Field(default_factory=BaselineSpec)


class GuardSpec(Strict):
    """A `kind: Guard` document: an alerting check without an objective or a budget (S4)."""

    apiVersion: Literal["vigie/v1"]
    kind: Literal["Guard"]
    id: Annotated[str, Field(pattern=ID_PATTERN)]
    name: str
    description: str = ""
    plausibility: PlausibilitySpec
    samu: SelectorSpec = Field(default_factory=lambda: SelectorSpec(all=True))
    severity: Literal["page", "ticket"] = "page"


class PolicyBodySpec(Strict):
    period: Duration
    pairs: list[PairSpec]


class ClassSpec(Strict):
    policy: str
    pages: bool
    guards: GuardsSpec = Field(default_factory=GuardsSpec)


class PolicyFileSpec(Strict):
    """slo/policy.yaml: named burn-rate policies, class defaults and default guards."""

    apiVersion: Literal["vigie/v1"]
    kind: Literal["AlertPolicy"]
    policies: dict[str, PolicyBodySpec]
    classes: dict[SloClassSpec, ClassSpec]
    guards: GuardsSpec = Field(default_factory=GuardsSpec)
