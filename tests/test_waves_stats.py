"""Before vs after, pure: histogram quantiles, the bootstrap interval and the verdict rule."""

from __future__ import annotations

import numpy as np
import pytest

from slo.layout import INF
from slo.quantiles import histogram_columns, quantile
from waves.stats import Difference, bootstrap, ratio, seed_of, verdict

BOUNDS = (0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0)


def cumulative(values: list[float]) -> np.ndarray:
    """Cumulative bucket counts of observations, as minute_counts holds them (le, then inf)."""
    return np.array([sum(v <= b for v in values) for b in (*BOUNDS, INF)], dtype=float)


@pytest.mark.parametrize(
    ("counts", "q", "expected"),
    [
        # 10 observations all in (0.25, 0.5]: the median is halfway through the bucket
        ([0, 0, 10, 10, 10, 10, 10, 10, 10, 10], 0.5, 0.375),
        # the first bucket starts at 0 (Prometheus)
        ([4, 4, 4, 4, 4, 4, 4, 4, 4, 4], 0.5, 0.05),
        # a rank in the +Inf bucket is answered by the highest finite bound
        ([0, 0, 0, 0, 0, 0, 0, 0, 1, 10], 0.99, 10.0),
        # rank exactly on a bound: the bucket that reaches it, at its upper edge
        ([0, 5, 10, 10, 10, 10, 10, 10, 10, 10], 0.5, 0.25),
    ],
)
def test_a_quantile_interpolates_inside_the_bucket_as_histogram_quantile_does(
    counts: list[int], q: float, expected: float
) -> None:
    assert quantile(BOUNDS, counts[: len(BOUNDS) + 1], q) == pytest.approx(expected)


def test_quantiles_of_many_rows_equal_each_row_alone_and_nothing_is_nan() -> None:
    rng = np.random.default_rng(3)
    rows = np.stack([cumulative(list(rng.lognormal(-1.2, 0.5, 200))) for _ in range(20)])
    together = quantile(BOUNDS, rows, 0.95)
    alone = [float(quantile(BOUNDS, r, 0.95)) for r in rows]
    assert together.tolist() == pytest.approx(alone)
    assert (
        quantile(BOUNDS, np.zeros((3, len(BOUNDS) + 1)), 0.5).tolist()
        == [pytest.approx(np.nan, nan_ok=True)] * 3
    )


def test_a_quantile_of_summed_hours_is_the_quantile_of_all_their_calls() -> None:
    first, second = [0.2, 0.3, 0.4], [0.6, 0.7, 1.5, 2.5]
    summed = cumulative(first) + cumulative(second)
    assert float(quantile(BOUNDS, summed, 0.5)) == float(
        quantile(BOUNDS, cumulative(first + second), 0.5)
    )


def test_quantile_arguments_are_checked() -> None:
    with pytest.raises(ValueError, match="within"):
        quantile(BOUNDS, cumulative([0.3]), 1.0)
    with pytest.raises(ValueError, match="bounds"):
        quantile(BOUNDS, [1, 2], 0.5)
    with pytest.raises(ValueError, match="distinct"):
        histogram_columns("samu.call.setup.duration", (1.0, 1.0))


def test_histogram_columns_are_one_per_bound_then_the_total() -> None:
    cols = histogram_columns("samu.call.setup.duration", (1.0, 0.5, INF))
    assert [c.le for c in cols] == [0.5, 1.0, INF]


def hours(good: list[int], valid: list[int]) -> np.ndarray:
    return np.stack([np.array(good, float), np.array(valid, float)], -1)


def test_the_interval_is_reproducible_and_holds_the_difference() -> None:
    before = hours([100] * 48, [100] * 48)
    after = hours([98, 99, 100] * 16, [100] * 48)
    a = bootstrap(before, after, ratio, confidence=0.99, resamples=500, seed=seed_of("w", "s"))
    b = bootstrap(before, after, ratio, confidence=0.99, resamples=500, seed=seed_of("w", "s"))
    assert a == b
    assert a.difference == pytest.approx(-0.01)
    assert a.low is not None and a.high is not None and a.low < -0.01 < a.high < 0


def test_the_bootstrap_does_not_change_its_inputs() -> None:
    before, after = hours([5, 6], [6, 6]), hours([6, 6], [6, 6])
    kept = before.copy(), after.copy()
    bootstrap(before, after, ratio, confidence=0.9, resamples=200, seed=1)
    assert (before == kept[0]).all() and (after == kept[1]).all()


def test_one_bad_hour_on_a_small_samu_is_noise_and_a_week_of_failures_is_worse() -> None:
    """A small SAMU: 3 calls an hour over a week. One failure after the night is noise; a
    failure every few hours all week is a degradation."""
    n = 168
    before = hours([3] * n, [3] * n)
    one_bad = hours([3] * (n - 1) + [2], [3] * n)
    spread = hours([2 if i % 4 == 0 else 3 for i in range(n)], [3] * n)
    noise = bootstrap(before, one_bad, ratio, confidence=0.99, resamples=2000, seed=1)
    real = bootstrap(before, spread, ratio, confidence=0.99, resamples=2000, seed=1)
    assert verdict(noise, 0.0001, higher_is_better=True) == "same"
    assert verdict(real, 0.0001, higher_is_better=True) == "worse"


def test_a_side_without_data_gives_no_data() -> None:
    empty = hours([0, 0], [0, 0])
    found = bootstrap(empty, hours([1], [1]), ratio, confidence=0.99, resamples=100, seed=1)
    assert found.before is None and verdict(found, 0.0, True) == "no_data"
    none_after = bootstrap(
        hours([1], [1]), np.zeros((0, 2)), ratio, confidence=0.99, resamples=100, seed=1
    )
    assert verdict(none_after, 0.0, True) == "no_data"


@pytest.mark.parametrize(
    ("d", "higher_is_better", "expected"),
    [
        (Difference(0.30, 0.35, 0.05, 0.03, 0.07), False, "worse"),  # slower
        (Difference(0.30, 0.35, 0.05, 0.03, 0.07), True, "better"),
        (Difference(0.30, 0.25, -0.05, -0.07, -0.03), False, "better"),
        (Difference(0.30, 0.35, 0.05, -0.01, 0.09), False, "same"),  # the interval holds 0
        (Difference(0.300, 0.302, 0.002, 0.001, 0.003), False, "same"),  # real, below the margin
        (Difference(0.30, 0.30, 0.0, 0.0, 0.0), True, "same"),
        (Difference(None, 0.3, None, None, None), True, "no_data"),
    ],
)
def test_the_verdict_needs_a_real_change_that_is_at_least_the_margin(
    d: Difference, higher_is_better: bool, expected: str
) -> None:
    assert verdict(d, 0.005, higher_is_better) == expected
