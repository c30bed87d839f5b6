"""The on-call core values: people, contact rules, rotations, schedules, escalation policies."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Literal

from alerts.notify import ContactMethod

RotationKind = Literal["daily", "weekly"]
OverrideKind = Literal["add", "remove", "replace"]


@dataclass(frozen=True)
class NotificationRule:
    """Contact `contact` (a method name of the person) `delay` after the person is paged."""

    contact: str
    delay: timedelta


@dataclass(frozen=True)
class Person:
    """Someone who can be on call; `samu` or `team` says where they belong."""

    id: str
    name: str
    time_zone: str = "Europe/Paris"
    samu: str = ""
    team: str = ""
    contact_methods: tuple[ContactMethod, ...] = ()
    notification_rules: tuple[NotificationRule, ...] = ()

    def method(self, name: str) -> ContactMethod | None:
        """The contact method with this name, or None."""
        return next((m for m in self.contact_methods if m.name == name), None)

    def rules(self) -> tuple[NotificationRule, ...]:
        """The notification rules; without any, every contact method at once."""
        if self.notification_rules:
            return self.notification_rules
        return tuple(NotificationRule(m.name, timedelta(0)) for m in self.contact_methods)


@dataclass(frozen=True)
class Rotation:
    """Participants taking turns; a shift hands off at `handoff` local time in `time_zone`."""

    id: str
    kind: RotationKind
    participants: tuple[str, ...]
    start: date  # the first shift starts on this local date at `handoff`
    handoff: time
    time_zone: str = "Europe/Paris"
    shift_length: int = 1  # in days or weeks


@dataclass(frozen=True)
class Rule:
    """Part of a layer: a rotation or fixed people, active at times of day on some weekdays."""

    rotation: str | None = None
    people: tuple[str, ...] = ()
    start_time: time | None = None  # None: all day; end before start spans midnight
    end_time: time | None = None
    weekdays: frozenset[int] | None = None  # Python weekdays (0 = Monday) the window starts on


@dataclass(frozen=True)
class Layer:
    """A set of rules; the highest layer that has someone on call wins."""

    name: str
    rules: tuple[Rule, ...]


@dataclass(frozen=True)
class Override:
    """A temporary change: add `person`, remove `person`, or replace `person` by `by`."""

    kind: OverrideKind
    person: str
    start: datetime
    end: datetime
    by: str = ""

    def active(self, at: datetime) -> bool:
        """Whether the override applies at `at` (start inclusive, end exclusive)."""
        return self.start <= at < self.end


@dataclass(frozen=True)
class Schedule:
    """Who is on call, as layers of rules (later layers win) and overrides, in one zone."""

    id: str
    name: str
    layers: tuple[Layer, ...]
    overrides: tuple[Override, ...] = ()
    time_zone: str = "Europe/Paris"


TargetKind = Literal["schedule", "person", "receiver"]


@dataclass(frozen=True)
class Target:
    """Whom an escalation step notifies: a schedule's on-call, a person, or a receiver."""

    kind: TargetKind
    name: str


@dataclass(frozen=True)
class Step:
    """An escalation step: notify `targets`, then wait `delay` for an acknowledgement."""

    targets: tuple[Target, ...]
    delay: timedelta


@dataclass(frozen=True)
class EscalationPolicy:
    """Steps run in order; after the last one the policy starts over `repeat` more times."""

    name: str
    steps: tuple[Step, ...]
    repeat: int = 0


@dataclass(frozen=True)
class HeartbeatMonitor:
    """An external system that must check in at least every `interval`."""

    name: str
    interval: timedelta
    labels: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Entraide:
    """Which schedule to inform when a SAMU's backup must expect overflow calls."""

    samu_schedules: Mapping[str, str] = field(default_factory=dict)
    region_schedules: Mapping[str, str] = field(default_factory=dict)
    default_schedule: str = ""

    def schedule_for(self, samu_id: str, region: str) -> str:
        """The schedule informed for a backup SAMU: its own, its region's, or the default."""
        return (
            self.samu_schedules.get(samu_id)
            or self.region_schedules.get(region)
            or self.default_schedule
        )


@dataclass(frozen=True)
class OnCallConfig:
    """A validated `oncall.yaml`, as core values keyed by id or name."""

    people: Mapping[str, Person]
    rotations: Mapping[str, Rotation]
    schedules: Mapping[str, Schedule]
    policies: Mapping[str, EscalationPolicy]
    heartbeats: Mapping[str, HeartbeatMonitor]
    entraide: Entraide = field(default_factory=Entraide)
    source: str = "<oncall>"
