"""The history a backtest replays, read through the ledger and judged through `slo.judge`.

One ledger (`slo.ledger`) holds the replay's span to the minute, and its tallies (`slo.tally`)
at the last tick judge every slice minute exactly as the engine's tallies judge it at any tick:
a minute's state depends on the store and the planned maintenance, never on the tick, except
whether the minute is settled yet — and the replay never counts a minute at a tick that would
not have settled it. Out come SAMU × minute matrices: event columns with planned maintenance
taken out (as `Tallies.counts` takes it out), the judged states of each slice source, the
minutes in which each SAMU sent anything, and the minutes that were a Vigie gap.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
import numpy.typing as npt

from alerts.maintenance import MaintenanceWindow
from slo.layout import Layout
from slo.ledger import HOUR_S, MINUTE_S, Ledger, ceil_hour_s, empty, floor_hour_s
from slo.ledger import at as instant
from slo.live import maintenance_rows
from slo.reader import maintenance_ranges
from slo.tally import Tallies
from store.client import Store

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]
Words = npt.NDArray[np.uint64]


def minute_bits(words: Words) -> Bools:
    """Rows × hours of 64-bit minute words (bit k = minute k) as rows × minutes booleans."""
    rows = np.ascontiguousarray(words.reshape(-1, words.shape[-1]))
    bits = np.unpackbits(rows.view(np.uint8), axis=1, bitorder="little")
    out: Bools = bits.reshape(rows.shape[0], -1, 64)[:, :, :60].reshape(rows.shape[0], -1) > 0
    return out


@dataclass
class History:
    """SAMU × minute views of a ledger over [t0, t0 + 60·minutes) judged at the last tick."""

    ledger: Ledger
    tallies: Tallies
    _events: dict[int, Floats] = field(default_factory=dict)
    _states: dict[int, dict[str, Bools]] = field(default_factory=dict)

    @property
    def t0(self) -> int:
        return self.ledger.t0

    @property
    def minutes(self) -> int:
        return self.ledger.nh * 60

    @property
    def samus(self) -> tuple[str, ...]:
        return self.ledger.samus

    def index(self, instant: datetime) -> int:
        """The index of the minute that starts at `instant` (a whole minute)."""
        return (int(instant.timestamp()) - self.t0) // MINUTE_S

    def at(self, index: int) -> datetime:
        return instant(self.t0 + index * MINUTE_S)

    def events(self, col: int) -> Floats:
        """Σ of event column `col` per SAMU and minute, planned maintenance minutes at zero."""
        if col not in self._events:
            values = self.ledger.minute_matrix(col, self.t0, self.ledger.end)
            for row, spans in self.tallies.maintenance.items():
                for a, b in spans:
                    lo = max(0, (a - self.t0) // MINUTE_S)
                    hi = min(self.minutes, (b - self.t0) // MINUTE_S)
                    values[row, lo:hi] = 0.0
            self._events[col] = values
        return self._events[col]

    def states(self, k: int) -> dict[str, Bools]:
        """The judged minutes of slice source `k`: good, bad, gap, no_data, excluded."""
        if k not in self._states:
            self._states[k] = self.tallies.state_matrix(k, self.t0, self.ledger.end)
        return self._states[k]

    def alive(self) -> Bools:
        """SAMU × minute: the SAMU sent at least one point in that minute."""
        return minute_bits(self.ledger.alive)

    def fleet_gap(self) -> Bools:
        """Per minute: a settled minute that was a Vigie gap (`Tallies.fleet_gap`)."""
        out: Bools = minute_bits(self.tallies.fleet_gap()[None, :])[0]
        return out

    def first(self, k: int) -> npt.NDArray[np.int64]:
        """Per SAMU, Unix seconds of its first minute with data of slice source `k`."""
        out: npt.NDArray[np.int64] = self.ledger.first[k]
        return out

    def data_minutes(self) -> tuple[datetime, datetime] | None:
        """The first and last minute held with any data of any SAMU: a point received
        (`alive`), a slice with data or an event count (None: nothing held)."""
        held: Bools = np.asarray(self.alive().any(axis=0))
        for k in range(len(self.ledger.layout.slices)):
            held |= minute_bits(self.ledger.data[k]).any(axis=0)
        for block_start, block in self.ledger.blocks.items():
            minutes = np.flatnonzero((block != 0).any(axis=(0, 1)))
            held[(block_start - self.t0) // MINUTE_S + minutes] = True
        found = np.flatnonzero(held)
        return None if not len(found) else (self.at(int(found[0])), self.at(int(found[-1])))


@dataclass(frozen=True)
class Series:
    """Prefix sums per group (column j = Σ of minutes before j) of one SLO's judged minutes."""

    names: list[str]  # a SAMU id, `national` or `region:<name>` per row
    sizes: Ints  # each group's SAMU count
    good: Floats
    bad: Floats
    judged: int  # a tick at minute index T counts judged minutes before T − judged
    idle: Floats | None = None  # slices: Vigie gap and no-data minutes (judged like good/bad)
    excluded: Floats | None = None  # slices: before first data or maintenance, before T − edge
    edge: int = 0
    slice_minutes: int = 1

    def window(self, values: Floats, at: Ints, start: Ints, end_shift: int) -> Floats:
        """Σ per group and tick over minutes [start, at − end_shift)."""
        out: Floats = values[:, at - end_shift] - values[:, start]
        return out


def load_ledger(
    store: Store, layout: Layout, samus: Sequence[str], start: datetime, end: datetime
) -> Ledger:
    """A ledger of the hours covering [start, end), every hour held to the minute."""
    ledger = empty(layout, samus, floor_hour_s(start.timestamp()), ceil_hour_s(end.timestamp()))
    ledger.load(store, ledger.t0, ledger.end, ledger.t0)
    return ledger


def judged(
    ledger: Ledger,
    at: datetime,
    maintenance: Sequence[MaintenanceWindow],
    regions: Mapping[str, str],
) -> History:
    """The ledger's minutes as the engine judges them at `at`, planned maintenance applied."""
    first, last = instant(ledger.t0), instant(ledger.end)
    ranges = maintenance_ranges(maintenance, first, min(last, at), regions)
    return History(ledger, Tallies(ledger, at, maintenance_rows(ranges, ledger.index)))


__all__ = ["HOUR_S", "History", "Series", "judged", "load_ledger", "minute_bits"]
