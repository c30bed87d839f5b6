"""Quantiles of explicit-bucket histograms (setup latency p50/p95/p99), from cumulative counts.

Percentiles are not SLIs (they do not add up from SAMU to nation, DOMAIN.md), but people read
them beside the SLIs: the migration comparison, the UI. Their counts come from the one ledger
like an SLI's sums: one event column per bucket bound `le` of the metric (`histogram_columns`,
asked as `extra` columns of `slo.figures.period`), so planned maintenance and late data are
treated exactly as for an SLI, and sums of buckets over any set of hours are exact. This module
only turns summed cumulative counts into a quantile, the way Prometheus's `histogram_quantile`
does: linear inside the bucket where the rank falls, the first bucket starting at 0, a rank in
the +Inf bucket answered by the highest finite bound.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from slo.layout import INF, CountColumn
from slo.model import CountFilter

Floats = npt.NDArray[np.float64]


def histogram_columns(
    metric: str, bounds: Sequence[float], rows: CountFilter | None = None
) -> tuple[CountColumn, ...]:
    """The ledger columns of a histogram: its cumulative count at each bound, then the total."""
    ordered = sorted(float(b) for b in bounds if b != INF)
    if len(set(ordered)) != len(ordered) or not ordered:
        raise ValueError(f"histogram bounds must be distinct and finite: {list(bounds)}")
    where = rows or CountFilter()
    return tuple(CountColumn(metric, le, where) for le in (*ordered, INF))


def quantile(bounds: Sequence[float], cumulative: npt.ArrayLike, q: float) -> Floats:
    """The `q`-quantile (0 < q < 1) of each row of `cumulative` (…, len(bounds) + 1): counts at
    each ascending finite bound, then the total. NaN where a row counts nothing."""
    if not 0.0 < q < 1.0:
        raise ValueError(f"a quantile is within (0, 1), not {q}")
    edges = np.asarray(sorted(bounds), dtype=np.float64)
    cum = np.maximum.accumulate(np.asarray(cumulative, dtype=np.float64), axis=-1)
    if cum.shape[-1] != len(edges) + 1:
        raise ValueError(f"{cum.shape[-1]} counts for {len(edges)} bounds (+Inf)")
    total = cum[..., -1]
    rank = q * total
    # The first bucket whose cumulative count reaches the rank.
    i = np.minimum((cum < rank[..., None]).sum(axis=-1), len(edges))
    below = np.where(i > 0, np.take_along_axis(cum, np.maximum(i - 1, 0)[..., None], -1)[..., 0], 0)
    at = np.take_along_axis(cum, i[..., None], -1)[..., 0]
    lower = np.where(i > 0, edges[np.maximum(i - 1, 0)], 0.0)
    upper = edges[np.minimum(i, len(edges) - 1)]
    inside = at - below
    share = np.divide(rank - below, inside, out=np.ones_like(rank), where=inside > 0)
    value = np.where(i >= len(edges), edges[-1], lower + (upper - lower) * share)
    out: Floats = np.where(total > 0, value, np.nan)
    return out
