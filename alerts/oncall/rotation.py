"""Rotation arithmetic: shifts hand off at a local wall-clock time, DST-correct.

A shift boundary is computed as a local date plus the handoff time in the rotation's zone,
then converted to UTC, so a weekly Monday 08:00 Europe/Paris handoff stays at 08:00 local
across the March and October changes (the shift is then 167 or 169 hours long).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from alerts.oncall.model import Rotation


@dataclass(frozen=True)
class RotationShift:
    """One shift of a rotation: `index` counts shifts since the rotation's start."""

    index: int
    person: str
    start: datetime
    end: datetime


def local_instant(day: date, rotation: Rotation) -> datetime:
    """The UTC instant of `handoff` on a local `day` (a time skipped by DST moves forward)."""
    zone = ZoneInfo(rotation.time_zone)
    naive = datetime.combine(day, rotation.handoff)
    # Round-trip through UTC: for a time in the spring-forward gap this gives the instant
    # just after the gap (02:30 → 03:30 CEST), as the wall clock would show it.
    return naive.replace(tzinfo=zone, fold=0).astimezone(UTC)


def _period_days(rotation: Rotation) -> int:
    return rotation.shift_length * (7 if rotation.kind == "weekly" else 1)


def shift_start(rotation: Rotation, index: int) -> datetime:
    """The UTC start of shift number `index`."""
    return local_instant(rotation.start + timedelta(days=index * _period_days(rotation)), rotation)


def shift(rotation: Rotation, index: int) -> RotationShift:
    """Shift number `index` with its participant."""
    person = rotation.participants[index % len(rotation.participants)]
    return RotationShift(
        index, person, shift_start(rotation, index), shift_start(rotation, index + 1)
    )


def shift_at(rotation: Rotation, at: datetime) -> RotationShift | None:
    """The shift running at `at`, or None before the rotation starts or without participants."""
    if not rotation.participants:
        return None
    local_day = at.astimezone(ZoneInfo(rotation.time_zone)).date()
    index = (local_day - rotation.start).days // _period_days(rotation)
    while index >= 0 and shift_start(rotation, index) > at:
        index -= 1
    while shift_start(rotation, index + 1) <= at:
        index += 1
    if index < 0:
        return None
    return shift(rotation, index)


def on_call(rotation: Rotation, at: datetime) -> str | None:
    """The participant on shift at `at`."""
    found = shift_at(rotation, at)
    return found.person if found else None


def handoffs(rotation: Rotation, start: datetime, end: datetime) -> Iterator[datetime]:
    """Every shift boundary in [start, end)."""
    if not rotation.participants:
        return
    current = shift_at(rotation, start)
    index = current.index + 1 if current else 0
    while (at := shift_start(rotation, index)) < end:
        if at >= start:
            yield at
        index += 1
