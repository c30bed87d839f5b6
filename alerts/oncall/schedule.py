"""Who is on call: layers of rules (the highest layer with someone wins), then overrides.

Pure functions of the configuration and an instant. `timeline` cuts an interval at every
instant where the answer may change (handoffs, rule windows, local midnights, overrides).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

from alerts.oncall.model import OnCallConfig, Person, Rule, Schedule
from alerts.oncall.rotation import handoffs, on_call

_MAX_HORIZON = timedelta(days=366)


@dataclass(frozen=True)
class Shift:
    """A stretch of time during which the same people are on call for a schedule."""

    start: datetime
    end: datetime
    people: tuple[str, ...]


def _at(day: date, clock: time, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, clock).replace(tzinfo=zone).astimezone(UTC)


def _window(rule: Rule, day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    start = rule.start_time or time(0)
    end = rule.end_time or time(0)
    end_day = day + timedelta(days=1) if end <= start else day
    return _at(day, start, zone), _at(end_day, end, zone)


def rule_active(rule: Rule, zone: ZoneInfo, at: datetime) -> bool:
    """Whether the rule's window (on an allowed weekday) contains `at`."""
    local_day = at.astimezone(zone).date()
    for day in (local_day, local_day - timedelta(days=1)):
        if rule.weekdays is not None and day.weekday() not in rule.weekdays:
            continue
        begin, end = _window(rule, day, zone)
        if begin <= at < end:
            return True
    return False


def on_call_ids(config: OnCallConfig, schedule: Schedule, at: datetime) -> tuple[str, ...]:
    """Ids of the people on call for `schedule` at `at`, in a stable order."""
    zone = ZoneInfo(schedule.time_zone)
    found: list[str] = []
    for layer in reversed(schedule.layers):
        for rule in layer.rules:
            if not rule_active(rule, zone, at):
                continue
            ids = rule.people
            if rule.rotation is not None:
                person = on_call(config.rotations[rule.rotation], at)
                ids = (person,) if person else ()
            found.extend(i for i in ids if i not in found)
        if found:
            break
    for override in schedule.overrides:
        if not override.active(at):
            continue
        if override.kind == "add" and override.person not in found:
            found.append(override.person)
        elif override.kind == "remove" and override.person in found:
            found.remove(override.person)
        elif override.kind == "replace" and override.person in found:
            index = found.index(override.person)
            found[index] = override.by
            found = list(dict.fromkeys(found))
    return tuple(found)


def who_is_on_call(config: OnCallConfig, schedule: Schedule, at: datetime) -> list[Person]:
    """The people on call for `schedule` at `at`."""
    return [config.people[i] for i in on_call_ids(config, schedule, at)]


def boundaries(
    config: OnCallConfig, schedule: Schedule, start: datetime, end: datetime
) -> list[datetime]:
    """Every instant in (start, end) where the people on call may change."""
    zone = ZoneInfo(schedule.time_zone)
    found: set[datetime] = set()
    day = start.astimezone(zone).date() - timedelta(days=1)
    while (midnight := _at(day, time(0), zone)) < end:
        found.add(midnight)
        for layer in schedule.layers:
            for rule in layer.rules:
                if rule.start_time is not None or rule.end_time is not None:
                    found.update(_window(rule, day, zone))
        day += timedelta(days=1)
    for rotation_id in {r.rotation for layer in schedule.layers for r in layer.rules}:
        if rotation_id is not None:
            found.update(handoffs(config.rotations[rotation_id], start, end))
    for override in schedule.overrides:
        found.update((override.start, override.end))
    return sorted(at for at in found if start < at < end)


def timeline(
    config: OnCallConfig, schedule: Schedule, start: datetime, end: datetime
) -> list[Shift]:
    """The on-call shifts covering [start, end), consecutive shifts with the same people merged."""
    cuts = [start, *boundaries(config, schedule, start, end), end]
    shifts: list[Shift] = []
    for begin, finish in pairwise(cuts):
        people = on_call_ids(config, schedule, begin)
        if shifts and shifts[-1].people == people:
            shifts[-1] = Shift(shifts[-1].start, finish, people)
        else:
            shifts.append(Shift(begin, finish, people))
    return shifts


def next_shifts(config: OnCallConfig, schedule: Schedule, at: datetime, n: int) -> list[Shift]:
    """The next `n` changes of who is on call after `at` (each with its people and end)."""
    horizon = timedelta(days=14)
    while True:
        shifts = timeline(config, schedule, at, at + horizon)[1:]
        if len(shifts) > n or horizon >= _MAX_HORIZON:
            return shifts[:n]
        horizon *= 2


def person_shifts(shifts: list[Shift], person: str) -> list[Shift]:
    """The stretches of `shifts` during which `person` is on call, adjacent ones merged."""
    out: list[Shift] = []
    for item in shifts:
        if person not in item.people:
            continue
        if out and out[-1].end == item.start:
            out[-1] = Shift(out[-1].start, item.end, (person,))
        else:
            out.append(Shift(item.start, item.end, (person,)))
    return out
