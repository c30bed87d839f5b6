"""One side of a comparison (the N days before a night, or after it): per SAMU and hour, the
additive counts every compared figure is made of, from the SLO package's one computation.

The SLIs come from `slo.figures.period` over the side's interval (the same ledger, judgement and
arithmetic as the engine, `vigie slo status --window` and the report: planned maintenance is
excluded, late data counted); its tallies are cut by hour for the resampling. The setup-latency
buckets are extra ledger columns (`slo.quantiles`), so they are cut and excluded the same way.
Gauges come from `store.gauges`, their maintenance minutes left out as the ledger's.

Hours are UTC hours; the first and last are clipped to the interval.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import numpy.typing as npt

from alerts.maintenance import MaintenanceWindow
from slo import figures
from slo.layout import count_columns, slice_source
from slo.ledger import at
from slo.model import SLO, FreshnessSLI
from slo.quantiles import histogram_columns
from slo.tally import Tallies
from slo.windows import Interval
from store import gauges
from store.client import Store
from waves.measures import Sources

HOUR_S = 3600
Floats = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Side:
    """Per figure, SAMU × hour × k counts, and the SLIs the SLO package states for the side."""

    interval: Interval
    samus: tuple[str, ...]
    hours: tuple[tuple[int, int], ...]  # [start, end) Unix seconds of each unit
    counts: Mapping[str, Floats]  # figure key → SAMU × hour × k
    slis: Mapping[str, Mapping[str, float | None]]  # availability/reachability → SAMU → SLI


def hours_of(interval: Interval) -> tuple[tuple[int, int], ...]:
    """The UTC hours of [start, end), the first and last clipped."""
    start, end = int(interval.start.timestamp()), int(interval.end.timestamp())
    out = []
    h = start // HOUR_S * HOUR_S
    while h < end:
        out.append((max(h, start), min(h + HOUR_S, end)))
        h += HOUR_S
    return tuple(out)


def _stack(
    hours: Sequence[tuple[int, int]], cut: Callable[[int, int], Floats], n: int, k: int
) -> Floats:
    """SAMU × hour × k counts, `cut(start, end)` giving SAMU × k for one hour."""
    if not hours:
        return np.zeros((n, 0, k))
    return np.stack([cut(a, b) for a, b in hours], axis=1)


def _event(tallies: Tallies, slo: SLO, rows: list[int]) -> Callable[[int, int], Floats]:
    assert not isinstance(slo.sli, FreshnessSLI)
    layout = tallies.ledger.layout
    good, valid = (layout.count_index(c) for c in count_columns(slo.sli))

    def cut(a: int, b: int) -> Floats:
        pair: Floats = np.stack(
            [tallies.counts(good, at(a), at(b)), tallies.counts(valid, at(a), at(b))], -1
        )
        return pair[rows]

    return cut


def _slices(tallies: Tallies, slo: SLO, rows: list[int]) -> Callable[[int, int], Floats]:
    source = slice_source(slo)
    assert source is not None
    k = tallies.ledger.layout.slice_index(source)

    def cut(a: int, b: int) -> Floats:
        t = tallies.slices(k, at(a), at(b))
        pair: Floats = np.stack([t.good, t.good + t.bad], -1)
        return pair[rows]

    return cut


def _counts(slo: SLO, tallies: Tallies, rows: list[int]) -> Callable[[int, int], Floats]:
    return _event(tallies, slo, rows) if slice_source(slo) is None else _slices(tallies, slo, rows)


def read_side(
    store: Store,
    sources: Sources,
    labels: Mapping[str, Mapping[str, object]],
    interval: Interval,
    now: datetime,
    maintenance: Sequence[MaintenanceWindow] = (),
    regions: Mapping[str, str] | None = None,
) -> Side:
    """The counts and SLIs of the SAMU of `labels` over `interval` (clipped at `now`)."""
    end = max(interval.start, min(interval.end, now))
    interval = Interval(interval.start, end)
    samus = tuple(labels)
    hours = hours_of(interval)
    buckets = histogram_columns(sources.setup_metric, sources.setup_bounds)
    period = figures.period(
        store, sources.slos, labels, interval, now, maintenance, regions, buckets
    )
    tallies = period.tallies
    rows = [tallies.ledger.index[s] for s in samus]
    n = len(samus)
    counts: dict[str, Floats] = {}
    slis: dict[str, dict[str, float | None]] = {}
    for key, slo in (
        ("availability", sources.availability),
        ("reachability", sources.reachability),
    ):
        if slo is None:
            continue
        counts[key] = _stack(hours, _counts(slo, tallies, rows), n, 2)
        found = {s: period.status(slo.id, s) for s in samus}
        slis[key] = {s: (st.sli if st is not None else None) for s, st in found.items()}
    layout = tallies.ledger.layout
    cols = [layout.count_index(c) for c in buckets]

    def bucket_cut(a: int, b: int) -> Floats:
        out: Floats = np.stack([tallies.counts(c, at(a), at(b)) for c in cols], -1)
        return out[rows]

    counts["setup"] = _stack(hours, bucket_cut, n, len(cols))
    leave_out = {
        samus.index(s): tallies.maintenance.get(r, ()) for s, r in zip(samus, rows, strict=True)
    }
    for key, metric in (
        ("network_latency", sources.latency_metric),
        ("component_health", sources.health_metric),
    ):
        minutes = gauges.read_minutes(store, metric, samus, interval.start, interval.end)
        minutes = minutes.without(leave_out)

        def gauge_cut(a: int, b: int, m: gauges.GaugeMinutes = minutes) -> Floats:
            total, points = m.sums(a, b)
            out: Floats = np.stack([total, points], -1)
            return out

        counts[key] = _stack(hours, gauge_cut, n, 2)
    return Side(interval, samus, hours, counts, slis)
