"""Schedules: layers (the highest with someone wins), overrides, next shifts and iCal."""

from __future__ import annotations

from datetime import datetime

import pytest

from alerts.oncall.ical import calendar
from alerts.oncall.schedule import next_shifts, person_shifts, timeline, who_is_on_call
from tests.test_oncall_support import good_config, paris, utc

CONFIG = good_config()
NOC = CONFIG.schedules["noc"]


@pytest.mark.parametrize(
    ("name", "at", "expected"),
    [
        ("the weekly rotation alone on a weekday", paris("2024-03-26 12:00"), ["bob"]),
        ("the weekly rotation on a Friday night", paris("2024-03-29 21:00"), ["bob"]),
        ("the weekend-night layer wins on Saturday night", paris("2024-03-30 21:00"), ["carol"]),
        ("a window started on Saturday runs past midnight", paris("2024-03-31 07:59"), ["carol"]),
        ("the rotation is back on Sunday daytime", paris("2024-03-31 08:00"), ["bob"]),
        (
            "the Sunday-night window ends at the Monday handoff",
            paris("2024-04-01 08:00"),
            ["alice"],
        ),
        ("a replace override puts someone in alice's place", paris("2024-04-03 13:00"), ["dave"]),
        ("the override ends (end exclusive)", paris("2024-04-04 12:00"), ["alice"]),
        ("an add override joins the person on call", paris("2024-04-10 09:30"), ["bob", "erin"]),
    ],
)
def test_who_is_on_call(name: str, at: datetime, expected: list[str]) -> None:
    assert [p.id for p in who_is_on_call(CONFIG, NOC, at)] == expected, name


def test_next_shifts_say_who_is_next_and_when_across_the_march_change() -> None:
    shifts = next_shifts(CONFIG, NOC, paris("2024-03-29 12:00"), 4)
    assert [(s.start, s.end, s.people) for s in shifts] == [
        (utc("2024-03-30 19:00"), utc("2024-03-31 06:00"), ("carol",)),
        (utc("2024-03-31 06:00"), utc("2024-03-31 18:00"), ("bob",)),
        (utc("2024-03-31 18:00"), utc("2024-04-01 06:00"), ("carol",)),
        (utc("2024-04-01 06:00"), utc("2024-04-03 10:00"), ("alice",)),
    ]


def test_a_remove_override_leaves_the_schedule_empty_rather_than_falling_through() -> None:
    from dataclasses import replace

    from alerts.oncall.model import Override

    hole = Override("remove", "bob", paris("2024-03-26 10:00"), paris("2024-03-26 11:00"))
    schedule = replace(NOC, overrides=(hole,))
    assert who_is_on_call(CONFIG, schedule, paris("2024-03-26 10:30")) == []
    assert [p.id for p in who_is_on_call(CONFIG, schedule, paris("2024-03-26 11:00"))] == ["bob"]


def test_person_shifts_merge_adjacent_stretches() -> None:
    shifts = timeline(CONFIG, NOC, paris("2024-03-30 00:00"), paris("2024-04-02 00:00"))
    carol = person_shifts(shifts, "carol")
    assert [(s.start, s.end) for s in carol] == [
        (utc("2024-03-30 19:00"), utc("2024-03-31 06:00")),
        (utc("2024-03-31 18:00"), utc("2024-04-01 06:00")),
    ]


def test_ical_has_one_vevent_per_shift_in_utc_with_a_stable_uid() -> None:
    shifts = timeline(CONFIG, NOC, paris("2024-03-30 00:00"), paris("2024-04-01 00:00"))
    names = {p.id: p.name for p in CONFIG.people.values()}
    text = calendar(
        "noc", "NOC national", person_shifts(shifts, "carol"), names, utc("2024-03-29 10:00")
    )
    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Vigie 15//on-call//FR\r\n")
    assert text.endswith("END:VCALENDAR\r\n")
    assert (
        "BEGIN:VEVENT\r\n"
        "UID:noc-carol-20240330T190000Z@vigie15\r\n"
        "DTSTAMP:20240329T100000Z\r\n"
        "DTSTART:20240330T190000Z\r\n"
        "DTEND:20240331T060000Z\r\n"
        "SUMMARY:Astreinte NOC national : Carol Petit\r\n"
        "TRANSP:TRANSPARENT\r\n"
        "END:VEVENT\r\n"
    ) in text
    assert text.count("BEGIN:VEVENT") == 2  # Sunday 20:00 to the end of the window
    assert "DTSTART:20240331T180000Z\r\nDTEND:20240331T220000Z\r\n" in text
    later = calendar(
        "noc", "NOC national", person_shifts(shifts, "carol"), names, utc("2024-03-30 10:00")
    )
    assert "UID:noc-carol-20240330T190000Z@vigie15" in later


def test_ical_folds_long_lines_at_75_octets_without_splitting_a_character() -> None:
    shifts = timeline(CONFIG, NOC, paris("2024-03-26 00:00"), paris("2024-03-27 00:00"))
    text = calendar("noc", "é" * 60, shifts, {}, utc("2024-03-26 00:00"))
    for line in text.split("\r\n"):
        assert len(line.encode()) <= 75
    unfolded = text.replace("\r\n ", "")
    assert "X-WR-CALNAME:Astreinte " + "é" * 60 + "\r\n" in unfolded
