"""Error-budget arithmetic on hand-computed cases (pure, no store)."""

from __future__ import annotations

import copy
from datetime import timedelta

import pytest

from slo.budget import (
    budget_state,
    burn_rate,
    burn_sample,
    count_slices,
    judge_slice,
    occurrence_budget,
    sli,
    time_to_exhaustion,
    timeslice_budget,
)
from slo.model import Timeslices

WINDOW_28D = 28 * 24 * 60  # 40,320 minutes


def test_a_hand_computed_occurrence_budget() -> None:
    # 100,000 valid setups at 99.95 %: 50 bad allowed; 40 bad spend 80 % of the budget.
    b = occurrence_budget(good=99_960, valid=100_000, objective=0.9995, window_minutes=WINDOW_28D)
    assert b.sli == pytest.approx(0.9996)
    assert b.bad == 40
    assert b.allowed_bad == pytest.approx(50)
    assert b.consumed == pytest.approx(0.8)
    assert b.remaining == pytest.approx(0.2)
    assert b.remaining_events == pytest.approx(10)
    # 28 days at 99.95 % allow 20.16 minutes of full outage; 80 % of it is spent.
    assert b.budget_minutes == pytest.approx(20.16)
    assert b.consumed_minutes == pytest.approx(16.128)
    assert b.remaining_minutes == pytest.approx(4.032)
    assert budget_state(b, current_burn=0.5) == "ok"


def test_no_valid_events_is_no_data_never_a_perfect_score() -> None:
    b = occurrence_budget(good=0, valid=0, objective=0.9995, window_minutes=WINDOW_28D)
    assert b.sli is None
    assert b.consumed is None
    assert b.remaining is None
    assert burn_rate(0, 0, 0.9995) is None
    assert budget_state(b, current_burn=None) == "no_data"
    assert time_to_exhaustion(b, 3.0, timedelta(days=28)) is None


def test_an_overspent_budget_is_exhausted_and_negative() -> None:
    b = occurrence_budget(good=99_940, valid=100_000, objective=0.9995, window_minutes=WINDOW_28D)
    assert b.consumed == pytest.approx(1.2)
    assert b.remaining == pytest.approx(-0.2)
    assert budget_state(b, current_burn=0.0) == "exhausted"
    assert time_to_exhaustion(b, 1.0, timedelta(days=28)) == timedelta(0)


def test_a_budget_burning_above_one_is_burning() -> None:
    b = occurrence_budget(good=99_990, valid=100_000, objective=0.9995, window_minutes=WINDOW_28D)
    assert budget_state(b, current_burn=2.0) == "burning"


@pytest.mark.parametrize(
    ("good", "valid", "objective", "expected"),
    [
        pytest.param(990, 1000, 0.999, 10.0, id="1 % errors at 99.9 % burn at 10"),
        pytest.param(999, 1000, 0.999, 1.0, id="exactly the objective burns at 1"),
        pytest.param(1000, 1000, 0.999, 0.0, id="no errors burn at 0"),
        pytest.param(0, 1, 0.9995, 2000.0, id="one failed call alone burns at 2000"),
    ],
)
def test_burn_rate_is_the_bad_fraction_over_the_allowed_fraction(
    good: float, valid: float, objective: float, expected: float
) -> None:
    assert burn_rate(good, valid, objective) == pytest.approx(expected)


def test_a_burn_sample_carries_the_bad_events() -> None:
    sample = burn_sample(good=3, valid=4, objective=0.9995)
    assert sample.bad_events == 1
    assert sample.valid_events == 4
    assert sample.burn_rate == pytest.approx(500.0)


def test_time_to_exhaustion_at_the_current_burn() -> None:
    # 40 of 50 bad events spent (20 % left); at a burn of 2 a 28-day budget lasts 28 d / 2 × 0.2.
    b = occurrence_budget(good=99_960, valid=100_000, objective=0.9995, window_minutes=WINDOW_28D)
    left = time_to_exhaustion(b, 2.0, timedelta(days=28))
    assert left is not None
    assert left.total_seconds() == pytest.approx(timedelta(days=2.8).total_seconds())
    assert time_to_exhaustion(b, 0.0, timedelta(days=28)) is None


def test_a_hand_computed_timeslice_budget() -> None:
    # 28 days of 1-minute slices at 99.95 %: 20.16 bad minutes allowed, whatever the traffic.
    b = timeslice_budget(
        good_slices=30_000, bad_slices=10, objective=0.9995, window_minutes=WINDOW_28D
    )
    assert b.allowed_bad == pytest.approx(20.16)
    assert b.budget_minutes == pytest.approx(20.16)
    assert b.consumed == pytest.approx(10 / 20.16)
    assert b.consumed_minutes == 10
    assert b.remaining_minutes == pytest.approx(10.16)
    assert b.sli == pytest.approx(30_000 / 30_010)


def test_five_minute_slices_count_five_minutes_each() -> None:
    b = timeslice_budget(1000, 2, objective=0.99, window_minutes=WINDOW_28D, slice_minutes=5)
    assert b.allowed_bad == pytest.approx(WINDOW_28D / 5 * 0.01)
    assert b.consumed_minutes == 10


def test_a_timeslice_budget_without_judged_slices_is_no_data() -> None:
    b = timeslice_budget(0, 0, objective=0.9995, window_minutes=WINDOW_28D)
    assert b.sli is None
    assert budget_state(b, None) == "no_data"


PROBE = Timeslices(slice_minutes=1, slice_target=1.0, no_data="bad")


@pytest.mark.parametrize(
    ("good", "valid", "rule", "verdict"),
    [
        pytest.param(1, 1, PROBE, "good", id="a succeeded probe minute is good"),
        pytest.param(0, 1, PROBE, "bad", id="a failed probe minute is bad"),
        pytest.param(0, 0, PROBE, "bad", id="a silent probe minute is bad"),
        pytest.param(1, 2, PROBE, "bad", id="one failure of two probes spoils the minute"),
        pytest.param(0, 0, Timeslices(1, 0.95, "skip"), "skip", id="skip ignores empty slices"),
        pytest.param(0, 0, Timeslices(1, 0.95, "good"), "good", id="good counts empty slices good"),
        pytest.param(95, 100, Timeslices(1, 0.95, "skip"), "good", id="a ratio at target is good"),
        pytest.param(94, 100, Timeslices(1, 0.95, "skip"), "bad", id="a ratio below is bad"),
    ],
)
def test_slices_are_judged_by_their_own_ratio(
    good: float, valid: float, rule: Timeslices, verdict: str
) -> None:
    assert judge_slice(good, valid, rule) == verdict


def test_counting_slices_tallies_every_verdict() -> None:
    slices = [(1.0, 1.0), (0.0, 1.0), (0.0, 0.0), (1.0, 1.0)]
    snapshot = copy.deepcopy(slices)
    counts = count_slices(slices, Timeslices(1, 1.0, "skip"))
    assert (counts.good, counts.bad, counts.skipped) == (2, 1, 1)
    assert slices == snapshot  # the input is not mutated


def test_the_sli_is_a_ratio_of_sums_not_an_average_of_ratios() -> None:
    # SAMU A: 1 of 1 good; SAMU B: 900 of 1000 good. The fleet SLI is 901/1001, not 95 %.
    assert sli(1 + 900, 1 + 1000) == pytest.approx(901 / 1001)
