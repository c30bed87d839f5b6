"""Rotations hand off at a local wall-clock time, across both DST changes."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

from alerts.oncall.model import Rotation
from alerts.oncall.rotation import handoffs, on_call, shift_at
from tests.test_oncall_support import paris, utc

WEEKLY = Rotation("noc", "weekly", ("alice", "bob"), date(2024, 3, 18), time(8), "Europe/Paris")
DAILY = Rotation("night", "daily", ("a", "b", "c"), date(2024, 10, 25), time(8, 30), "Europe/Paris")
# 02:30 does not exist in Paris on 31 March 2024 (the clocks jump from 02:00 to 03:00).
GAP = Rotation("gap", "daily", ("x", "y"), date(2024, 3, 30), time(2, 30), "Europe/Paris")


@pytest.mark.parametrize(
    ("name", "rotation", "start", "end", "expected"),
    [
        (
            "a weekly Monday 08:00 handoff stays at 08:00 local across the March change",
            WEEKLY,
            utc("2024-03-24 00:00"),
            utc("2024-04-09 00:00"),
            [utc("2024-03-25 07:00"), utc("2024-04-01 06:00"), utc("2024-04-08 06:00")],
        ),
        (
            "a weekly Monday 08:00 handoff stays at 08:00 local across the October change",
            WEEKLY,
            utc("2024-10-20 00:00"),
            utc("2024-11-05 00:00"),
            [utc("2024-10-21 06:00"), utc("2024-10-28 07:00"), utc("2024-11-04 07:00")],
        ),
        (
            "a daily 08:30 handoff makes the shift of the October night 25 hours long",
            DAILY,
            utc("2024-10-26 00:00"),
            utc("2024-10-28 12:00"),
            [utc("2024-10-26 06:30"), utc("2024-10-27 07:30"), utc("2024-10-28 07:30")],
        ),
        (
            "a handoff inside the spring-forward gap happens when the clock shows 03:30",
            GAP,
            utc("2024-03-30 12:00"),
            utc("2024-04-01 12:00"),
            [utc("2024-03-31 01:30"), utc("2024-04-01 00:30")],
        ),
    ],
)
def test_handoffs(
    name: str, rotation: Rotation, start: datetime, end: datetime, expected: list[datetime]
) -> None:
    assert list(handoffs(rotation, start, end)) == expected, name


@pytest.mark.parametrize(
    ("name", "rotation", "at", "expected"),
    [
        ("nobody is on call before the rotation starts", WEEKLY, paris("2024-03-18 07:59"), None),
        ("the first participant takes the first shift", WEEKLY, paris("2024-03-18 08:00"), "alice"),
        (
            "the second participant takes over a week later",
            WEEKLY,
            paris("2024-03-25 08:00"),
            "bob",
        ),
        (
            "one minute before the handoff after the change",
            WEEKLY,
            paris("2024-04-01 07:59"),
            "bob",
        ),
        ("at 08:00 CEST the first participant is back", WEEKLY, paris("2024-04-01 08:00"), "alice"),
        ("the turn wraps around after the last participant", DAILY, paris("2024-10-28 09:00"), "a"),
        (
            "the October repeated hour belongs to the shift of the night",
            DAILY,
            utc("2024-10-27 01:30"),
            "b",
        ),
    ],
)
def test_on_call(name: str, rotation: Rotation, at: datetime, expected: str | None) -> None:
    assert on_call(rotation, at) == expected, name


def test_a_shift_across_the_march_change_lasts_167_hours() -> None:
    found = shift_at(WEEKLY, paris("2024-03-27 12:00"))
    assert found is not None
    assert (found.end - found.start).total_seconds() == 167 * 3600
    assert found.person == "bob"
