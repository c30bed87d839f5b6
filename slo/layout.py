"""What a ledger holds for a set of SLOs: event-count columns and slice sources, deduplicated.

An event SLI is two sums over `minute_counts` rows (good, valid); two SLIs that share a sum
(the S2 thresholds share their valid events; S1 per SAMU, national and monthly share both) read
it once. A slice SLI (synthetic probes, freshness) is judged minute by minute from its source.
How each SLI reads the store is defined here and only here (`slo.model` says it in words).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from slo.model import SLO, CountFilter, FreshnessSLI, LatencySLI, RatioSLI, Timeslices

INF = math.inf


@dataclass(frozen=True)
class CountColumn:
    """Σ value of the `minute_counts` rows of `metric` at bucket bound `le` that `rows` accepts."""

    metric: str
    le: float
    rows: CountFilter


@dataclass(frozen=True)
class SliceSource:
    """A slice SLI: per minute, whether it had data and whether it passed its target."""

    sli: RatioSLI | LatencySLI | FreshnessSLI
    rule: Timeslices

    @property
    def freshness(self) -> bool:
        return isinstance(self.sli, FreshnessSLI)


@dataclass(frozen=True)
class Layout:
    """The columns and slice sources of a set of SLOs, each once, in a stable order."""

    counts: tuple[CountColumn, ...] = ()
    slices: tuple[SliceSource, ...] = ()

    def count_index(self, column: CountColumn) -> int:
        return self.counts.index(column)

    def slice_index(self, source: SliceSource) -> int:
        return self.slices.index(source)


def slice_rule(slo: SLO) -> Timeslices | None:
    """The slice rule of a slice-budgeted SLO (freshness is always judged per minute)."""
    if isinstance(slo.budgeting, Timeslices):
        return slo.budgeting
    if isinstance(slo.sli, FreshnessSLI):
        return Timeslices()
    return None


def count_columns(sli: RatioSLI | LatencySLI) -> tuple[CountColumn, CountColumn]:
    """The (good, valid) columns of an event SLI."""
    valid = CountColumn(sli.metric, INF, sli.valid)
    if isinstance(sli, RatioSLI):
        return CountColumn(sli.metric, INF, sli.good), valid
    return CountColumn(sli.metric, sli.threshold_s, sli.valid), valid


def slice_source(slo: SLO) -> SliceSource | None:
    """The slice source of a slice SLO, None for an event SLO."""
    rule = slice_rule(slo)
    return None if rule is None else SliceSource(slo.sli, rule)


def layout_for(slos: Sequence[SLO], extra: Sequence[CountColumn] = ()) -> Layout:
    """Every column and slice source `slos` need (and `extra` columns), each once."""
    counts: list[CountColumn] = [c for i, c in enumerate(extra) if c not in extra[:i]]
    slices: list[SliceSource] = []
    for slo in slos:
        source = slice_source(slo)
        if source is not None:
            if source not in slices:
                slices.append(source)
            continue
        assert not isinstance(slo.sli, FreshnessSLI)
        for column in count_columns(slo.sli):
            if column not in counts:
                counts.append(column)
    return Layout(tuple(counts), tuple(slices))
