"""A wave compared: for each of its SAMU, every figure over the N days before its night vs the N
days after, the difference with a confidence interval, and a verdict (better / same / worse).

The one comparison every reader shows: `vigie migration compare`, the API, the UI's wave page
and the monthly report's annex call `compare` and lay its result out. The night itself (a
planned maintenance window) is in neither side; other planned maintenance is excluded as in
every SLO figure. Until the N days after the night have passed, the result is provisional
(`complete` is False) and the after side holds the hours so far.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

import numpy as np
import numpy.typing as npt

from alerts.maintenance import MaintenanceWindow
from slo.quantiles import quantile
from slo.windows import Interval
from store.client import Store
from waves.measures import FIGURES, UNIT_HOURS, Figure, Method, Sources
from waves.model import Wave
from waves.sides import Side, read_side
from waves.stats import Difference, Verdict, bootstrap, ratio, seed_of, verdict

Floats = npt.NDArray[np.float64]
_SOURCE = {"setup_p50": "setup", "setup_p95": "setup", "setup_p99": "setup"}


@dataclass(frozen=True)
class FigureResult:
    """One figure of one SAMU: before, after, after − before in [low, high], and the verdict."""

    figure: str
    before: float | None
    after: float | None
    difference: float | None
    low: float | None
    high: float | None
    verdict: Verdict
    units_before: int  # resampling units (hours or days) with data
    units_after: int


@dataclass(frozen=True)
class SamuResult:
    """One SAMU of the wave: where it moved, and each figure compared."""

    samu_id: str
    source: str
    target: str
    figures: tuple[FigureResult, ...]

    def figure(self, key: str) -> FigureResult | None:
        return next((f for f in self.figures if f.figure == key), None)

    @property
    def verdict(self) -> Verdict:
        """worse when any figure is worse, better when some are better and none worse."""
        found = {f.verdict for f in self.figures}
        for v in ("worse", "better", "same"):
            if v in found:
                return v
        return "no_data"


@dataclass(frozen=True)
class Comparison:
    """A wave's before/after comparison at `as_of`, with the method that made it."""

    wave: Wave
    method: Method
    before: Interval
    after: Interval  # the N days asked for (the hours after `as_of` are not in it yet)
    as_of: datetime
    complete: bool
    samu: tuple[SamuResult, ...]

    def only(self, samu_ids: Collection[str]) -> Comparison:
        """The same comparison restricted to some SAMU (a SAMU-scoped person's rows)."""
        return replace(self, samu=tuple(r for r in self.samu if r.samu_id in samu_ids))


def _statistic(figure: Figure, bounds: Sequence[float]) -> Callable[[Floats], Floats]:
    q = figure.quantile
    if q is None:
        return ratio
    return lambda counts: quantile(bounds, counts, q)


def _units(counts: Floats, hours_per_unit: int) -> Floats:
    """hour × k counts summed into consecutive units of `hours_per_unit` hours."""
    if hours_per_unit == 1 or not counts.shape[0]:
        return counts
    n, k = counts.shape
    padded = np.zeros((-(-n // hours_per_unit) * hours_per_unit, k))
    padded[:n] = counts
    out: Floats = padded.reshape(-1, hours_per_unit, k).sum(axis=1)
    return out


def _with_data(units: Floats) -> int:
    return int((units[:, -1] > 0).sum())


def _figure(
    figure: Figure,
    before: Side,
    after: Side | None,
    row: int,
    wave: Wave,
    sources: Sources,
    method: Method,
) -> FigureResult:
    source = _SOURCE.get(figure.key, figure.key)
    if source not in before.counts:
        return FigureResult(figure.key, None, None, None, None, None, "no_data", 0, 0)
    size = UNIT_HOURS[method.unit]
    b = _units(before.counts[source][row], size)
    a = _units(after.counts[source][row], size) if after is not None else b[:0]
    samu = before.samus[row]
    d = bootstrap(
        b,
        a,
        _statistic(figure, sources.setup_bounds),
        confidence=method.confidence,
        resamples=method.resamples,
        seed=seed_of(wave.id, samu, figure.key),
    )
    if figure.key in before.slis:  # the SLI as the SLO package states it for each side
        sli_b = before.slis[figure.key].get(samu)
        sli_a = after.slis[figure.key].get(samu) if after is not None else None
        diff = None if sli_a is None or sli_b is None else sli_a - sli_b
        d = Difference(sli_b, sli_a, diff, d.low, d.high) if diff is not None else d
    return FigureResult(
        figure.key,
        d.before,
        d.after,
        d.difference,
        d.low,
        d.high,
        verdict(d, figure.margin, figure.higher_is_better),
        _with_data(b),
        _with_data(a),
    )


def compare(
    store: Store,
    wave: Wave,
    sources: Sources,
    labels: Mapping[str, Mapping[str, object]],
    now: datetime,
    method: Method | None = None,
    maintenance: Sequence[MaintenanceWindow] = (),
    regions: Mapping[str, str] | None = None,
) -> Comparison:
    """Every SAMU of `wave` (with registry `labels`) compared over `method.days` on each side of
    its night, as the store holds the data at `now`."""
    method = method or Method()
    days = timedelta(days=method.days)
    before_iv = Interval(wave.starts_at - days, wave.starts_at)
    after_iv = Interval(wave.ends_at, wave.ends_at + days)
    wave_labels = {s: labels.get(s, {}) for s in wave.samu_ids}
    before = read_side(store, sources, wave_labels, before_iv, now, maintenance, regions)
    after = None
    if now > after_iv.start:
        after = read_side(store, sources, wave_labels, after_iv, now, maintenance, regions)
    rows = []
    for i, move in enumerate(wave.moves):
        results = tuple(_figure(f, before, after, i, wave, sources, method) for f in FIGURES)
        rows.append(SamuResult(move.samu_id, move.source, move.target, results))
    return Comparison(wave, method, before_iv, after_iv, now, now >= after_iv.end, tuple(rows))
