"""alertmanager.yml as written: the routing tree, inhibition rules, time intervals, the whole file.

Strict pydantic models of the file's shape (Alertmanager's config.go types): they check each
value on its own; what needs the whole file (a route naming a receiver that exists, the rules of
the root route) is `alerts.config.checks`, and turning the spec into the values the engine
works on is `alerts.config.mapping`.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from pydantic import (
    AfterValidator,
    Field,
    StrictBool,
    ValidationInfo,
    field_validator,
    model_validator,
)

from alerts.config.fields import Duration, LabelName, MatcherLine, Regex, Spec, checked, label_name
from alerts.config.notifiers import GlobalSpec, ReceiverSpec
from alerts.timeintervals import (
    check_location,
    parse_days_of_month,
    parse_months,
    parse_time_range,
    parse_weekdays,
    parse_years,
)


class RouteSpec(Spec):
    """One node of the routing tree as written."""

    receiver: str = ""
    group_by: list[str] | None = None
    continue_: StrictBool = Field(False, alias="continue")
    match: dict[LabelName, str] | None = None
    match_re: dict[LabelName, Regex] | None = None
    matchers: list[MatcherLine] | None = None
    group_wait: Duration | None = None
    group_interval: Duration | None = None
    repeat_interval: Duration | None = None
    mute_time_intervals: list[str] | None = None
    active_time_intervals: list[str] | None = None
    routes: list[RouteSpec] | None = None

    @field_validator("group_by")
    @classmethod
    def _group_by(cls, value: list[str] | None) -> list[str] | None:
        labels = [label_name(n) for n in value or [] if n != "..."]
        if labels and "..." in (value or []):
            raise ValueError("cannot have wildcard group_by (`...`) and other labels together")
        if len(set(labels)) != len(labels):
            raise ValueError(f"duplicated label in group_by: {labels}")
        return value

    @field_validator("group_interval", "repeat_interval")
    @classmethod
    def _not_zero(cls, value: timedelta | None, info: ValidationInfo) -> timedelta | None:
        if value == timedelta(0):
            raise ValueError(f"{info.field_name} cannot be zero")
        return value


class InhibitRuleSpec(Spec):
    """An inhibition rule, new (`*_matchers`) or legacy (`*_match`, `*_match_re`) syntax."""

    name: str = ""
    source_match: dict[LabelName, str] | None = None
    source_match_re: dict[LabelName, Regex] | None = None
    source_matchers: list[MatcherLine] | None = None
    target_match: dict[LabelName, str] | None = None
    target_match_re: dict[LabelName, Regex] | None = None
    target_matchers: list[MatcherLine] | None = None
    equal: list[LabelName] | None = None


class TimeRangeSpec(Spec):
    """`start_time`/`end_time` in HH:MM."""

    start_time: str = ""
    end_time: str = ""

    @model_validator(mode="after")
    def _check(self) -> TimeRangeSpec:
        parse_time_range(self.start_time, self.end_time)
        return self


class TimeIntervalSpec(Spec):
    """One time interval; all the fields given must hold."""

    times: list[TimeRangeSpec] | None = None
    weekdays: list[Annotated[str, checked(parse_weekdays)]] | None = None
    days_of_month: list[Annotated[str, checked(parse_days_of_month)]] | None = None
    months: list[Annotated[str, checked(parse_months)]] | None = None
    years: list[Annotated[str, checked(parse_years)]] | None = None
    location: Annotated[str, AfterValidator(check_location)] | None = None


class NamedTimeIntervalSpec(Spec):
    """A named list of time intervals, referenced by routes."""

    name: str = Field(min_length=1)
    time_intervals: list[TimeIntervalSpec] | None = None


class ConfigSpec(Spec):
    """The whole alertmanager.yml."""

    global_: GlobalSpec | None = Field(None, alias="global")
    route: RouteSpec | None = None
    receivers: list[ReceiverSpec] | None = None
    inhibit_rules: list[InhibitRuleSpec] | None = None
    templates: list[str] | None = None
    mute_time_intervals: list[NamedTimeIntervalSpec] | None = None  # deprecated form
    time_intervals: list[NamedTimeIntervalSpec] | None = None
