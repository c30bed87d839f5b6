"""Before vs after, with a confidence interval and a verdict (pure: arrays in, values out).

Each side of a comparison is a set of *units* (hours, or days) and, per unit, a vector of
additive counts: (good, valid) events, (good, judged) minutes, the cumulative counts of each
histogram bucket, (Σ values, points) of a gauge. A figure is a function of the counts summed
over units — Σgood/Σvalid, a quantile of the summed buckets, Σvalues/Σpoints — so the figure of
a side is exactly the period's figure, never an average of hourly figures.

The interval is a percentile bootstrap of the difference (after − before): both sides are
resampled, unit by unit with replacement, `resamples` times, from a seeded generator (the same
data always gives the same interval, so a report is reproducible). Resampling whole hours keeps
the bursts of failures a real incident makes together, which is what tells one bad hour on a
small SAMU (noise: the interval holds 0) from a degradation spread over the week.

The verdict asks two things of a change: that it is real (the interval excludes 0) and that it
matters (the difference is at least the figure's margin). Anything else is `same`; a side
without any data gives `no_data`.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

Floats = npt.NDArray[np.float64]
Verdict = Literal["better", "same", "worse", "no_data"]
Statistic = Callable[[Floats], Floats]  # (…, k) summed counts → (…) figure, NaN without data


@dataclass(frozen=True)
class Difference:
    """after − before, with its confidence interval [low, high] (None without data)."""

    before: float | None
    after: float | None
    difference: float | None
    low: float | None
    high: float | None


def seed_of(*parts: str) -> int:
    """A stable seed from names (wave, SAMU, figure): the same comparison, the same draws."""
    return zlib.crc32("\x1f".join(parts).encode())


def _value(x: Floats) -> float | None:
    v = float(x)
    return None if np.isnan(v) else v


def _resampled(units: Floats, rng: np.random.Generator, resamples: int) -> Floats:
    """`resamples` × k sums of `units` (n × k) drawn n at a time with replacement."""
    n = units.shape[0]
    drawn = rng.integers(0, n, size=(resamples, n)) + n * np.arange(resamples)[:, None]
    weights = np.bincount(drawn.ravel(), minlength=resamples * n).reshape(resamples, n)
    # einsum, not @: a BLAS call spins up threads that cost more than this small product.
    out: Floats = np.einsum("bn,nk->bk", weights.astype(np.float64), units)
    return out


def bootstrap(
    before: npt.ArrayLike,
    after: npt.ArrayLike,
    statistic: Statistic,
    *,
    confidence: float,
    resamples: int,
    seed: int,
) -> Difference:
    """The figure of each side, their difference and its percentile-bootstrap interval."""
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence is within (0, 1), not {confidence}")
    b = np.atleast_2d(np.asarray(before, dtype=np.float64))
    a = np.atleast_2d(np.asarray(after, dtype=np.float64))
    fb = _value(statistic(b.sum(axis=0))) if b.shape[0] else None
    fa = _value(statistic(a.sum(axis=0))) if a.shape[0] else None
    if fb is None or fa is None:
        return Difference(fb, fa, None, None, None)
    rng = np.random.default_rng(seed)
    diffs = statistic(_resampled(a, rng, resamples)) - statistic(_resampled(b, rng, resamples))
    diffs = diffs[~np.isnan(diffs)]
    if not len(diffs):
        return Difference(fb, fa, fa - fb, None, None)
    tail = (1.0 - confidence) / 2.0 * 100.0
    low, high = np.percentile(diffs, [tail, 100.0 - tail])
    return Difference(fb, fa, fa - fb, float(low), float(high))


def verdict(d: Difference, margin: float, higher_is_better: bool) -> Verdict:
    """better / worse when the interval excludes 0 and the change is at least `margin` (in the
    figure's unit), same otherwise, no_data when a side has none."""
    if d.difference is None:
        return "no_data"
    if d.low is None or d.high is None:
        return "same"
    if d.low > 0 and d.difference >= margin:
        return "better" if higher_is_better else "worse"
    if d.high < 0 and d.difference <= -margin:
        return "worse" if higher_is_better else "better"
    return "same"


def ratio(counts: Floats) -> Floats:
    """Σ numerator / Σ denominator of (…, 2) counts; NaN without a denominator."""
    num, den = counts[..., 0], counts[..., 1]
    out: Floats = np.divide(num, den, out=np.full_like(num, np.nan), where=den > 0)
    return out
