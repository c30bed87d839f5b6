"""The engine's ledger, kept current: loaded once, then only the minutes the store marks changed.

At start the ledger reads its horizon (every SLO window and alert window at `now`); each tick
it moves the horizon when an hour begins, reads the SAMU-minutes written since the last tick
(`slo_changes`, stamped by the store's own clock; re-read with a margin so that an insert still
committing is never missed), makes sure the window edges and maintenance hours are held to the
minute, and hands back the `Tallies` the tick evaluates. A full reload and this incremental path
give equal figures (tests/test_slo_incremental.py).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from alerts.maintenance import MaintenanceWindow
from slo import ledger_sql
from slo.evaluate import SloStatus, evaluate_all
from slo.layout import Layout, layout_for
from slo.ledger import HOUR_S, Ledger, ceil_hour_s, empty, floor_hour_s
from slo.model import SLO
from slo.reader import maintenance_ranges
from slo.tally import Tallies
from slo.windows import elapsed_interval
from store.client import Store
from store.errors import StoreError

CHANGE_MARGIN = timedelta(seconds=60)  # re-read changes this far back (inserts committing)
MINUTE_ZONE = timedelta(days=3, hours=1)  # minutes held for the alert windows (≤ 3 d)
GUARD_LOOKBACK = timedelta(days=1)  # the no-data guard's: who sent anything in the last day
COLLECTOR_HOURS = 2  # the collector's heartbeat re-read each tick (its rows come within 15 s)
BySamu = Mapping[str, Sequence[tuple[datetime, datetime]]]


def horizon(slos: Sequence[SLO], now: datetime) -> tuple[int, int, int]:
    """(first hour, end hour, first hour held to the minute) the engine needs at `now`."""
    starts = [elapsed_interval(s.window, now).start for s in slos]
    starts += [now - w for s in slos for w in s.alerting.policy.windows()]
    starts.append(now - GUARD_LOOKBACK)
    first = floor_hour_s(min(starts, default=now).timestamp())
    end = ceil_hour_s(now.timestamp() + 1)
    recent = floor_hour_s((now - MINUTE_ZONE).timestamp())
    return first, end, max(first, recent)


class LiveLedger:
    """A ledger over the engine's horizon, refreshed from the store's change marks."""

    def __init__(self, store: Store, samus: Sequence[str]) -> None:
        self._store = store
        self._samus = tuple(samus)
        self._ledger: Ledger | None = None
        self._layout: Layout | None = None
        self._cursor: datetime | None = None
        self.cells_read = 0  # SAMU-minutes re-read by the last sync (for the tick's metrics)

    @property
    def ledger(self) -> Ledger | None:
        return self._ledger

    def sync(self, slos: Sequence[SLO], now: datetime, maintenance: BySamu) -> Tallies:
        """The ledger brought up to date for `slos` at `now`, as tallies (`maintenance`: the
        planned minutes per SAMU id, '' for every SAMU)."""
        layout = layout_for(slos)
        first, end, recent = horizon(slos, now)
        led = self._ledger
        if led is None or layout != self._layout:
            server, _, _ = ledger_sql.changes(self._store, None)
            led = empty(layout, self._samus, first, end)
            led.load(self._store, first, end, recent)
            self._ledger, self._layout = led, layout
            self.cells_read = 0
        else:
            server, samus, minutes = ledger_sql.changes(self._store, self._cursor)
            led.shift(self._store, first, end, recent)
            self.cells_read = led.refresh(self._store, samus, minutes)
            led.read_collector(self._store, end - COLLECTOR_HOURS * HOUR_S, end)
        self._cursor = server - CHANGE_MARGIN
        tallies = Tallies(led, now, maintenance_rows(maintenance, led.index))
        edges: set[int] = set()
        for slo in slos:
            window = elapsed_interval(slo.window, now)
            edges.update(tallies.edge_hours(window.start, min(window.end, now)))
        led.ensure_blocks(self._store, [h for h in edges if h < recent])
        return tallies

    def reset(self) -> None:
        """Forget everything: the next sync reloads the horizon (after a store outage)."""
        self._ledger = None
        self._cursor = None

    def tallies(
        self,
        slos: Sequence[SLO],
        now: datetime,
        maintenance: Sequence[MaintenanceWindow],
        regions: Mapping[str, str],
    ) -> Tallies:
        """`sync` with the planned windows over the horizon; after a store error everything is
        forgotten (the next call reloads what may have been missed) and the error raised."""
        first, _, _ = horizon(slos, now)
        ranges = maintenance_ranges(
            maintenance, datetime.fromtimestamp(first, now.tzinfo), now, regions
        )
        try:
            return self.sync(slos, now, ranges)
        except StoreError:
            self.reset()
            raise


def maintenance_rows(ranges: BySamu, index: Mapping[str, int]) -> dict[int, list[tuple[int, int]]]:
    """Maintenance ranges per SAMU id ('' = every SAMU) as ledger rows and merged, disjoint
    [start, end) Unix seconds (overlapping windows are excluded once)."""
    out: dict[int, list[tuple[int, int]]] = {}
    every = ranges.get("", [])
    for samu, row in index.items():
        spans = sorted(
            (int(a.timestamp()), int(b.timestamp())) for a, b in [*every, *ranges.get(samu, [])]
        )
        merged: list[tuple[int, int]] = []
        for a, b in spans:
            if merged and a <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], b))
            else:
                merged.append((a, b))
        if merged:
            out[row] = merged
    return out


__all__ = ["HOUR_S", "BySamu", "LiveLedger", "LiveStatuses", "horizon", "maintenance_rows"]


class LiveStatuses:
    """The engine's figures without its alerts: every SLO's status (and the national and
    regional composites) from a ledger kept current the engine's way, for a process that shows
    them without running the engine (`vigie ui` beside a server DSN)."""

    def __init__(
        self, store: Store, labels: Mapping[str, Mapping[str, object]], regions: Mapping[str, str]
    ) -> None:
        self._labels = labels
        self._regions = regions
        self._ledger = LiveLedger(store, list(labels))
        self._lock = threading.Lock()

    def statuses(
        self, slos: Sequence[SLO], now: datetime, maintenance: Sequence[MaintenanceWindow]
    ) -> list[SloStatus]:
        with self._lock:
            tallies = self._ledger.tallies(slos, now, maintenance, self._regions)
            found = evaluate_all(slos, self._labels, tallies, now, composites=True)
        return [*found.statuses, *found.composites]
