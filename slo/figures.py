"""Figures for a period, from the store as it is now: the batch reader of the one computation.

`vigie slo status [--window 2026-10]`, the API, the UI's month pages, the monthly report and the
migration comparison ask here. A ledger is loaded for the period (`slo.ledger`), judged by
`slo.judge` and summed by `slo.tally` exactly as the engine's live ledger is, then evaluated by
`slo.evaluate`: the figures equal the engine's at the same instant (tests tie both to an
independent recomputation from raw events). Late data that arrived since is counted.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from alerts.maintenance import MaintenanceWindow
from slo.evaluate import Evaluation, SloStatus, evaluate, evaluate_all
from slo.layout import CountColumn, layout_for
from slo.ledger import Ledger, empty
from slo.live import maintenance_rows
from slo.model import SLO
from slo.reader import maintenance_ranges
from slo.tally import Tallies
from slo.windows import DEFAULT_TIMEZONE, CalendarWindow, Interval, elapsed_interval, window_for
from store.client import Store

Labels = Mapping[str, Mapping[str, object]]


def periods(slos: Sequence[SLO], label: str) -> dict[str, Interval]:
    """Each SLO's window replaced by the calendar period `label` (2026-10, 2026-Q4, 2026), in
    the SLO's own time zone (Europe/Paris unless its calendar window says otherwise)."""
    out = {}
    for slo in slos:
        tz = slo.window.timezone if isinstance(slo.window, CalendarWindow) else DEFAULT_TIMEZONE
        out[slo.id] = window_for(label, tz)
    return out


def _span(
    slos: Sequence[SLO], now: datetime, window_of: Mapping[str, Interval]
) -> tuple[datetime, datetime]:
    starts, ends = [], []
    for slo in slos:
        custom = window_of.get(slo.id)
        window = custom if custom is not None else elapsed_interval(slo.window, now)
        end = min(window.end, now)
        starts.append(
            min(window.start, end - max(slo.alerting.policy.windows(), default=timedelta()))
        )
        ends.append(end)
    return min(starts, default=now), max(ends, default=now)


def load(
    store: Store,
    slos: Sequence[SLO],
    samus: Sequence[str],
    now: datetime,
    window_of: Mapping[str, Interval] | None = None,
    extra: Sequence[CountColumn] = (),
) -> Ledger:
    """A ledger holding what `slos` need at `now` (their windows, or `window_of`'s periods),
    and the `extra` columns."""
    start, end = _span(slos, now, window_of or {})
    layout = layout_for(slos, extra)
    ledger = empty(layout, samus, int(start.timestamp()), int(end.timestamp()) + 1)
    ledger.load(store, ledger.t0, ledger.end, None)
    return ledger


@dataclass(frozen=True)
class Period:
    """One period's statuses, and the tallies they came from (for finer cuts: days, hours)."""

    statuses: list[SloStatus]
    tallies: Tallies

    def status(self, slo: str, samu: str) -> SloStatus | None:
        return next((s for s in self.statuses if s.slo == slo and s.samu == samu), None)


def period(
    store: Store,
    slos: Sequence[SLO],
    labels: Labels,
    interval: Interval,
    now: datetime,
    maintenance: Sequence[MaintenanceWindow] = (),
    regions: Mapping[str, str] | None = None,
    extra: Sequence[CountColumn] = (),
) -> Period:
    """Every SLO over `interval` (a calendar month…) for the SAMU of `labels`, at `now`."""
    window_of = {slo.id: interval for slo in slos}
    ledger = load(store, slos, list(labels), now, window_of, extra)
    tallies = tallies_for(store, ledger, slos, now, window_of, maintenance, regions or {})
    return Period(evaluate(slos, labels, tallies, now, window_of), tallies)


def statuses(
    store: Store,
    slos: Sequence[SLO],
    labels: Labels,
    now: datetime,
    window_of: Mapping[str, Interval] | None = None,
    maintenance: Sequence[MaintenanceWindow] = (),
    regions: Mapping[str, str] | None = None,
) -> list[SloStatus]:
    """Every SLO's status at `now` for the SAMU of `labels`, over its window or `window_of`'s.

    Burn rates are taken at the end of the period asked for (now, or the end of a past month).
    """
    return evaluation(store, slos, labels, now, window_of, maintenance, regions).statuses


def evaluation(
    store: Store,
    slos: Sequence[SLO],
    labels: Labels,
    now: datetime,
    window_of: Mapping[str, Interval] | None = None,
    maintenance: Sequence[MaintenanceWindow] = (),
    regions: Mapping[str, str] | None = None,
) -> Evaluation:
    """`statuses` with the national and regional composites of the per-SAMU SLOs."""
    window_of = window_of or {}
    ledger = load(store, slos, list(labels), now, window_of)
    tallies = tallies_for(store, ledger, slos, now, window_of, maintenance, regions or {})
    return evaluate_all(slos, labels, tallies, now, window_of, composites=True)


def tallies_for(
    store: Store,
    ledger: Ledger,
    slos: Sequence[SLO],
    now: datetime,
    window_of: Mapping[str, Interval],
    maintenance: Sequence[MaintenanceWindow],
    regions: Mapping[str, str],
) -> Tallies:
    """The ledger's tallies at `now`, its maintenance applied and its window edges read."""
    start = datetime.fromtimestamp(ledger.t0, now.tzinfo)
    end = datetime.fromtimestamp(ledger.end, now.tzinfo)
    ranges = maintenance_ranges(maintenance, start, end, regions)
    tallies = Tallies(ledger, now, maintenance_rows(ranges, ledger.index))
    edges: set[int] = set()
    for slo in slos:
        custom = window_of.get(slo.id)
        window = custom if custom is not None else elapsed_interval(slo.window, now)
        w_end = min(window.end, now)
        edges.update(tallies.edge_hours(window.start, w_end))
        for span in slo.alerting.policy.windows():
            edges.update(tallies.edge_hours(w_end - span, w_end))
    ledger.ensure_blocks(store, edges)
    return tallies
