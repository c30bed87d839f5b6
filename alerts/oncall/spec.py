"""The user-facing `oncall.yaml` spec (version 1): strict pydantic models, no logic."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from alerts.config.fields import Duration
from alerts.timeintervals import WEEKDAYS, check_location

_CLOCK = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"
_ID = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"
Id = Annotated[str, Field(pattern=_ID)]
Zone = Annotated[str, AfterValidator(check_location)]
Clock = Annotated[str, Field(pattern=_CLOCK)]
Weekday = Annotated[
    str, BeforeValidator(str.lower), Field(pattern="^(" + "|".join(WEEKDAYS) + ")$")
]
E164 = r"^\+[1-9][0-9]{6,14}$"


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ContactMethodSpec(_Spec):
    """A way to reach a person; sms and voice need an E.164 number (+33…)."""

    name: Id
    type: Literal["email", "sms", "voice", "webhook"]
    address: str = Field(min_length=1)


class NotificationRuleSpec(_Spec):
    """Use contact method `contact` this long after the person is paged."""

    contact: str
    after: Duration


class PersonSpec(_Spec):
    id: Id
    name: str = Field(min_length=1)
    samu: str = ""
    team: str = ""
    time_zone: Zone = "Europe/Paris"
    contact_methods: list[ContactMethodSpec] = Field(default_factory=list)
    notification_rules: list[NotificationRuleSpec] = Field(default_factory=list)


class RotationSpec(_Spec):
    id: Id
    type: Literal["daily", "weekly"]
    shift_length: int = Field(1, ge=1, le=52)
    handoff: Clock = "08:00"
    time_zone: Zone = "Europe/Paris"
    start: date
    participants: list[str] = Field(min_length=1)


class RuleSpec(_Spec):
    """A rotation or fixed people; optional window `start_time`–`end_time` on `weekdays`."""

    rotation: str | None = None
    people: list[str] | None = None
    start_time: Clock | None = None
    end_time: Clock | None = None
    weekdays: list[Weekday] | None = None


class LayerSpec(_Spec):
    name: str = ""
    rules: list[RuleSpec] = Field(min_length=1)


class OverrideSpec(_Spec):
    """`add`/`remove` `person`, or `replace` `person` by `by`, from `start` to `end`."""

    type: Literal["add", "remove", "replace"]
    person: str
    by: str = ""
    start: datetime  # without an offset: local time of the schedule
    end: datetime


class ScheduleSpec(_Spec):
    id: Id
    name: str = ""
    time_zone: Zone = "Europe/Paris"
    layers: list[LayerSpec] = Field(min_length=1)
    overrides: list[OverrideSpec] = Field(default_factory=list)


class TargetSpec(_Spec):
    """Exactly one of `schedule`, `person`, `receiver`."""

    schedule: str | None = None
    person: str | None = None
    receiver: str | None = None


class StepSpec(_Spec):
    targets: list[TargetSpec] = Field(min_length=1)
    delay: Duration


class PolicySpec(_Spec):
    name: Id
    repeat: int = Field(0, ge=0, le=10)
    steps: list[StepSpec] = Field(min_length=1)


class HeartbeatSpec(_Spec):
    name: Id
    interval: Duration
    labels: dict[str, str] = Field(default_factory=dict)


class EntraideSpec(_Spec):
    """Schedule informed when the SAMU it covers backs up a paging SAMU."""

    samu_schedules: dict[str, str] = Field(default_factory=dict)
    region_schedules: dict[str, str] = Field(default_factory=dict)
    default_schedule: str = ""


class OnCallSpec(_Spec):
    """The whole `oncall.yaml`."""

    version: Literal["1"]
    people: list[PersonSpec] = Field(default_factory=list)
    rotations: list[RotationSpec] = Field(default_factory=list)
    schedules: list[ScheduleSpec] = Field(default_factory=list)
    escalation_policies: list[PolicySpec] = Field(default_factory=list)
    heartbeats: list[HeartbeatSpec] = Field(default_factory=list)
    entraide: EntraideSpec = Field(default_factory=EntraideSpec)
