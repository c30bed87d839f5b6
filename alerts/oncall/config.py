"""Load `oncall.yaml`: strict spec, cross-checked references, one mapping to core values.

Every problem is reported as `file:line: path: reason`, all problems at once.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

from alerts.config.load import load_yaml, report, validate
from alerts.errors import ConfigError
from alerts.notify import ContactMethod
from alerts.oncall import spec as s
from alerts.oncall.errors import OnCallConfigError
from alerts.oncall.model import (
    Entraide,
    EscalationPolicy,
    HeartbeatMonitor,
    Layer,
    NotificationRule,
    OnCallConfig,
    Override,
    Person,
    Rotation,
    Rule,
    Schedule,
    Step,
    Target,
)
from alerts.timeintervals import WEEKDAYS
from store.registry import Registry
from store.yamldoc import YamlPath

Problem = tuple[YamlPath, str]
_E164 = re.compile(s.E164)
_SINGULAR = {"people": "person", "rotations": "rotation", "schedules": "schedule"}


def load_oncall(path: str | Path, registry: Registry | None = None) -> OnCallConfig:
    """Read and validate an `oncall.yaml`; SAMU ids are checked when a registry is given."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise OnCallConfigError(f"{file}: cannot read: {exc}") from exc
    return parse_oncall(text, str(file), registry)


def parse_oncall(
    text: str, source: str = "<oncall>", registry: Registry | None = None
) -> OnCallConfig:
    """Validate on-call configuration text; `OnCallConfigError` lists every problem."""
    try:
        doc = load_yaml(text, source)
    except ConfigError as exc:
        raise OnCallConfigError(exc.problems) from None
    if doc is None or not isinstance(doc.data, dict):
        raise OnCallConfigError(f"{source}:1: the on-call configuration must be a mapping")
    spec = validate(s.OnCallSpec, doc, source, OnCallConfigError)
    problems = _cross_check(spec, registry)
    if problems:
        raise OnCallConfigError(report(problems, doc, source))
    return _to_core(spec, source)


def _unique(items: list[str], key: str, field: str) -> list[Problem]:
    seen: set[str] = set()
    problems: list[Problem] = []
    for index, name in enumerate(items):
        if name in seen:
            problems.append(((key, index, field), f"{field} {name!r} is defined twice"))
        seen.add(name)
    return problems


def _cross_check(spec: s.OnCallSpec, registry: Registry | None) -> list[Problem]:
    people = {p.id for p in spec.people}
    rotations = {r.id for r in spec.rotations}
    schedules = {x.id for x in spec.schedules}
    problems = [
        *_unique([p.id for p in spec.people], "people", "id"),
        *_unique([r.id for r in spec.rotations], "rotations", "id"),
        *_unique([x.id for x in spec.schedules], "schedules", "id"),
        *_unique([p.name for p in spec.escalation_policies], "escalation_policies", "name"),
        *_unique([h.name for h in spec.heartbeats], "heartbeats", "name"),
    ]

    def known(names: Mapping[str, set[str]], what: str, path: YamlPath, name: str) -> None:
        if name not in names[what]:
            problems.append((path, f"unknown {_SINGULAR[what]} {name!r}"))

    sets = {"people": people, "rotations": rotations, "schedules": schedules}
    for i, person in enumerate(spec.people):
        if registry is not None and person.samu and person.samu not in registry:
            problems.append((("people", i, "samu"), f"unknown SAMU id {person.samu!r}"))
        methods = {m.name for m in person.contact_methods}
        for j, method in enumerate(person.contact_methods):
            if method.type in ("sms", "voice") and not _E164.match(method.address):
                where: YamlPath = ("people", i, "contact_methods", j, "address")
                problems.append((where, f"{method.type} needs an E.164 number like +33612345678"))
        for j, rule in enumerate(person.notification_rules):
            if rule.contact not in methods:
                where = ("people", i, "notification_rules", j, "contact")
                problems.append((where, f"unknown contact method {rule.contact!r}"))
    for i, rotation in enumerate(spec.rotations):
        for j, pid in enumerate(rotation.participants):
            known(sets, "people", ("rotations", i, "participants", j), pid)
    for i, schedule in enumerate(spec.schedules):
        for j, layer in enumerate(schedule.layers):
            for k, item in enumerate(layer.rules):
                where = ("schedules", i, "layers", j, "rules", k)
                if (item.rotation is None) == (item.people is None):
                    problems.append((where, "a rule needs exactly one of rotation or people"))
                if (item.start_time is None) != (item.end_time is None):
                    problems.append((where, "give both start_time and end_time, or neither"))
                if item.rotation is not None:
                    known(sets, "rotations", (*where, "rotation"), item.rotation)
                for m, pid in enumerate(item.people or []):
                    known(sets, "people", (*where, "people", m), pid)
        for j, override in enumerate(schedule.overrides):
            where = ("schedules", i, "overrides", j)
            known(sets, "people", (*where, "person"), override.person)
            if (override.type == "replace") != bool(override.by):
                problems.append((where, "`by` is required for replace and only for replace"))
            elif override.by:
                known(sets, "people", (*where, "by"), override.by)
            if override.end <= override.start:
                problems.append((where, "the override ends before it starts"))
    for i, policy in enumerate(spec.escalation_policies):
        for j, step in enumerate(policy.steps):
            for k, target in enumerate(step.targets):
                where = ("escalation_policies", i, "steps", j, "targets", k)
                given = [n for n in ("schedule", "person", "receiver") if getattr(target, n)]
                if len(given) != 1:
                    problems.append(
                        (where, "a target needs exactly one of schedule, person, receiver")
                    )
                elif target.schedule:
                    known(sets, "schedules", (*where, "schedule"), target.schedule)
                elif target.person:
                    known(sets, "people", (*where, "person"), target.person)
    for key in ("samu_schedules", "region_schedules"):
        for samu, name in getattr(spec.entraide, key).items():
            known(sets, "schedules", ("entraide", key, samu), name)
            if key == "samu_schedules" and registry is not None and samu not in registry:
                problems.append((("entraide", key, samu), f"unknown SAMU id {samu!r}"))
    if spec.entraide.default_schedule:
        known(sets, "schedules", ("entraide", "default_schedule"), spec.entraide.default_schedule)
    return problems


def _clock(text: str | None) -> time | None:
    return None if text is None else time.fromisoformat(text)


def _aware(value: datetime, zone: str) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=ZoneInfo(zone))


def _person(p: s.PersonSpec) -> Person:
    methods = tuple(ContactMethod(p.id, m.name, m.type, m.address) for m in p.contact_methods)
    rules = tuple(NotificationRule(r.contact, r.after) for r in p.notification_rules)
    return Person(p.id, p.name, p.time_zone, p.samu, p.team, methods, rules)


def _rule(r: s.RuleSpec) -> Rule:
    days = (
        None if r.weekdays is None else frozenset((WEEKDAYS.index(d) - 1) % 7 for d in r.weekdays)
    )
    return Rule(r.rotation, tuple(r.people or ()), _clock(r.start_time), _clock(r.end_time), days)


def _schedule(x: s.ScheduleSpec) -> Schedule:
    layers = tuple(
        Layer(layer.name or f"layer {i + 1}", tuple(_rule(r) for r in layer.rules))
        for i, layer in enumerate(x.layers)
    )
    overrides = tuple(
        Override(o.type, o.person, _aware(o.start, x.time_zone), _aware(o.end, x.time_zone), o.by)
        for o in x.overrides
    )
    return Schedule(x.id, x.name or x.id, layers, overrides, x.time_zone)


def _target(t: s.TargetSpec) -> Target:
    if t.schedule:
        return Target("schedule", t.schedule)
    if t.person:
        return Target("person", t.person)
    return Target("receiver", t.receiver or "")


def _to_core(spec: s.OnCallSpec, source: str) -> OnCallConfig:
    return OnCallConfig(
        people={p.id: _person(p) for p in spec.people},
        rotations={
            r.id: Rotation(
                r.id,
                r.type,
                tuple(r.participants),
                r.start,
                time.fromisoformat(r.handoff),
                r.time_zone,
                r.shift_length,
            )
            for r in spec.rotations
        },
        schedules={x.id: _schedule(x) for x in spec.schedules},
        policies={
            p.name: EscalationPolicy(
                p.name,
                tuple(Step(tuple(_target(t) for t in st.targets), st.delay) for st in p.steps),
                p.repeat,
            )
            for p in spec.escalation_policies
        },
        heartbeats={
            h.name: HeartbeatMonitor(h.name, h.interval, h.labels) for h in spec.heartbeats
        },
        entraide=Entraide(
            dict(spec.entraide.samu_schedules),
            dict(spec.entraide.region_schedules),
            spec.entraide.default_schedule,
        ),
        source=source,
    )
