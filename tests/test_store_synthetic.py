"""store.synthetic: regular points written by the engine, with the instants asked to skip."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from store.client import Store
from store.clock import utc
from store.synthetic import regular_points

FIRST = datetime(2030, 1, 7, 10, tzinfo=UTC)
EVERY = timedelta(seconds=10)


def _ms(at: datetime) -> int:
    return int(at.timestamp() * 1000)


def test_regular_points_end_each_interval_and_skip_the_instants_given(store: Store) -> None:
    second = _ms(FIRST) + 2 * 10_000 - 1  # the end of the second interval
    outside = _ms(FIRST) + 100 * 10_000 - 1  # past the series: not counted as skipped
    between = _ms(FIRST) + 5  # not an instant of the series
    written = regular_points(
        store, "fr.health.samu075", "m", "ok", FIRST, EVERY, 6, [second, outside, between]
    )
    rows = store.query(
        "SELECT ts, received_at, outcome, value FROM {db}.points WHERE samu_id = {s:String} "
        "ORDER BY ts",
        {"s": "fr.health.samu075"},
    )
    assert written == len(rows) == 5
    ends = [FIRST + EVERY * (i + 1) - timedelta(milliseconds=1) for i in (0, 2, 3, 4, 5)]
    assert [utc(r[0]) for r in rows] == ends
    assert [r[1] - r[0] for r in rows] == [timedelta(milliseconds=300)] * 5
    assert {(r[2], r[3]) for r in rows} == {("ok", 1.0)}


def test_points_of_a_late_window_are_received_that_much_later(store: Store) -> None:
    late = (_ms(FIRST) + 20_000, _ms(FIRST) + 40_000, 7_200_000)  # the 3rd and 4th points, 2 h
    written = regular_points(store, "fr.health.samu013", "m", "ok", FIRST, EVERY, 6, late_ms=[late])
    rows = store.query(
        "SELECT ts, received_at FROM {db}.points WHERE samu_id = {s:String} ORDER BY ts",
        {"s": "fr.health.samu013"},
    )
    assert written == len(rows) == 6
    base = timedelta(milliseconds=300)
    later = base + timedelta(hours=2)
    assert [r[1] - r[0] for r in rows] == [base, base, later, later, base, base]
