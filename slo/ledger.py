"""The ledger: what the store holds for a set of SLOs, per SAMU, hour and minute, in memory.

One structure serves every reader. The engine keeps one for its horizon and refreshes only the
SAMU-minutes the store marked as changed (`slo_changes`: new data and late data alike), so a
tick reads a few hundred rows whatever the history; `vigie slo status --window`, the report and
the backtest load one for the period they ask about. Both go through the same reads, the same
judgement (`slo.judge`) and the same window arithmetic (`slo.tally`), so their figures agree.

Held, for hours [t0, t0 + nh·3600) (UTC, Unix seconds):
- event columns per SAMU, component and hour (`hours`), and per minute for the hours that
  need minute precision (`blocks`: the recent ones, window edges, maintenance hours);
- per slice source and SAMU, one 64-bit word per hour: minutes with data, minutes that passed;
- per SAMU, minutes with any telemetry (`alive`); per source, each SAMU's first minute of data;
- per hour, the minutes some collector was up (`up`) and shed exports (`shed`), from its own
  heartbeat (`store.ingest_health`), and the first minute it ever wrote one (`first_up`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np
import numpy.typing as npt

from slo import ledger_sql as sql
from slo.judge import minute_masks
from slo.layout import Layout
from store import ingest_health
from store.client import Store

HOUR_S = 3600
MINUTE_S = 60
NEVER = np.iinfo(np.int64).max  # first minute of a SAMU that never sent data
Floats = npt.NDArray[np.float64]
Words = npt.NDArray[np.uint64]
Ints = npt.NDArray[np.int64]


def at(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def floor_hour_s(seconds: float) -> int:
    return int(seconds // HOUR_S) * HOUR_S


def ceil_hour_s(seconds: float) -> int:
    return -int(-seconds // HOUR_S) * HOUR_S


@dataclass
class Ledger:
    """Per-SAMU event sums and slice bits for hours [t0, t0 + nh·3600); see the module doc."""

    layout: Layout
    samus: tuple[str, ...]
    t0: int
    nh: int
    components: list[str] = field(default_factory=lambda: [""])
    hours: Floats = field(default_factory=lambda: np.zeros((0, 0, 1, 0)))
    blocks: dict[int, Floats] = field(default_factory=dict)  # hour start (s) → col × SAMU × 60
    data: Words = field(default_factory=lambda: np.zeros((0, 0, 0), dtype=np.uint64))
    passed: Words = field(default_factory=lambda: np.zeros((0, 0, 0), dtype=np.uint64))
    alive: Words = field(default_factory=lambda: np.zeros((0, 0), dtype=np.uint64))
    first: Ints = field(default_factory=lambda: np.zeros((0, 0), dtype=np.int64))
    first_alive: Ints = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    up: Words = field(default_factory=lambda: np.zeros(0, dtype=np.uint64))
    shed: Words = field(default_factory=lambda: np.zeros(0, dtype=np.uint64))
    first_up: int = NEVER

    def __post_init__(self) -> None:
        self.index = {s: i for i, s in enumerate(self.samus)}
        self.pinned: set[int] = set()  # hours held to the minute for window edges
        self.recent = self.end  # hours from here on are held to the minute
        ns, nc, nsl = len(self.samus), len(self.layout.counts), len(self.layout.slices)
        if self.hours.shape != (nc, ns, len(self.components), self.nh):
            self.hours = np.zeros((nc, ns, len(self.components), self.nh))
        if self.data.shape != (nsl, ns, self.nh):
            self.data = np.zeros((nsl, ns, self.nh), dtype=np.uint64)
            self.passed = np.zeros((nsl, ns, self.nh), dtype=np.uint64)
        if self.alive.shape != (ns, self.nh):
            self.alive = np.zeros((ns, self.nh), dtype=np.uint64)
        if self.first.shape != (nsl, ns):
            self.first = np.full((nsl, ns), NEVER, dtype=np.int64)
            self.first_alive = np.full(ns, NEVER, dtype=np.int64)
        if self.up.shape != (self.nh,):
            self.up = np.zeros(self.nh, dtype=np.uint64)
            self.shed = np.zeros(self.nh, dtype=np.uint64)

    @property
    def end(self) -> int:
        """Unix seconds just past the last hour held."""
        return self.t0 + self.nh * HOUR_S

    def hour_index(self, seconds: int) -> int:
        return (seconds - self.t0) // HOUR_S

    # -- reading from the store ---------------------------------------------------------------

    def load(
        self, store: Store, start: int, end: int, blocks_from: int | None, first: bool = True
    ) -> None:
        """Read hours [start, end) (whole hours inside the ledger) from the store, replacing
        what was held; minutes too for the hours from `blocks_from` on; each SAMU's first data
        from the whole history (`first`), or lowered to what these hours hold."""
        if end <= start:
            return
        self._put_hours(sql.hour_sums(store, self.layout, at(start), at(end)), start, end, None)
        self._put_words_of(
            sql.bit_words(store, self.layout.slices, at(start), at(end)), start, end, None
        )
        if blocks_from is not None and self.layout.counts:
            self.recent = blocks_from
            first_block = max(start, blocks_from)
            if first_block < end:
                self.read_blocks(store, range(first_block, end, HOUR_S))
        self.read_collector(store, start, end)
        if first:
            self.read_first(store)
            found = ingest_health.first_minute(store)
            self.first_up = int(found.timestamp()) if found else NEVER
        else:
            self._lower_first(start, end, None)

    def read_collector(self, store: Store, start: int, end: int) -> None:
        """The collector's heartbeat words for hours [start, end) (inside the ledger)."""
        start, end = max(start, self.t0), min(end, self.end)
        if end <= start:
            return
        a, b = self.hour_index(start), self.hour_index(end)
        self.up[a:b] = 0
        self.shed[a:b] = 0
        for hour, up, shed in ingest_health.hour_words(store, at(start), at(end)):
            if start <= hour < end:
                self.up[self.hour_index(hour)] = np.uint64(up)
                self.shed[self.hour_index(hour)] = np.uint64(shed)
        found = _first_set(self.up[None, a:b], start)[0]
        self.first_up = min(self.first_up, int(found))

    def ours(self) -> Words:
        """Per hour, the minutes whose silence is Vigie's own: the collector shed exports, or no
        collector was up between two minutes it was (it had run before and ran again after)."""
        held = np.flatnonzero(self.up)
        if self.first_up == NEVER or not len(held):
            return self.shed.copy()
        h = int(held[-1])
        last = self.t0 + h * HOUR_S + MINUTE_S * (int(self.up[h]).bit_length() - 1)
        down: Words = ~self.up & minute_masks(self.t0, self.nh, self.first_up, last)
        return self.shed | down

    def read_first(self, store: Store, samus: Sequence[str] | None = None) -> None:
        """Each SAMU's first minute of data, per slice source and for any telemetry."""
        rows = sql.first_minutes(store, None)
        for samu in samus if samus is not None else self.samus:
            self.first_alive[self.index[samu]] = rows.get(samu, NEVER)
        for k, source in enumerate(self.layout.slices):
            rows = sql.first_minutes(store, source)
            for samu in samus if samus is not None else self.samus:
                self.first[k, self.index[samu]] = rows.get(samu, NEVER)

    def read_blocks(self, store: Store, hours: Iterable[int]) -> None:
        """Read the minutes of `hours` (hour starts, s) for every SAMU, runs in one query each."""
        wanted = sorted(h for h in set(hours) if self.t0 <= h < self.end)
        for first, last in _runs(wanted):
            rows = sql.minute_sums(store, self.layout, at(first), at(last + HOUR_S))
            for h in range(first, last + HOUR_S, HOUR_S):
                self.blocks[h] = np.zeros((len(self.layout.counts), len(self.samus), 60))
            self._put_minutes(rows, None)

    def ensure_blocks(self, store: Store, hours: Iterable[int]) -> None:
        """Make sure the minutes of `hours` are held (window edges, maintenance hours); they
        stay held until another call no longer asks for them."""
        if not self.layout.counts:
            return
        wanted = set(hours)
        for h in self.pinned - wanted:
            if h < self.recent:
                self.blocks.pop(h, None)
        self.pinned = wanted
        self.read_blocks(store, [h for h in wanted if h not in self.blocks])

    def refresh(self, store: Store, samus: Sequence[str], minutes: Ints) -> int:
        """Re-read the SAMU-minutes the store marked changed; returns the cells re-read."""
        keep = [i for i, s in enumerate(samus) if s in self.index]
        if not keep:
            return 0
        cells = {(samus[i], int(minutes[i])) for i in keep}
        older = sorted({s for s, m in cells if m < self.t0 and self._may_move_first(s, m)})
        if older:  # data older than the horizon may move a first minute (rare: ask the store)
            self.read_first(store, older)
        cells = {(s, m) for s, m in cells if self.t0 <= m < self.end}
        if not cells:
            return 0
        by_hour: dict[int, set[str]] = {}
        for samu, minute in cells:
            by_hour.setdefault(floor_hour_s(minute), set()).add(samu)
        for first, last in _runs(sorted(by_hour)):
            who = sorted(
                set().union(*(by_hour[h] for h in range(first, last + 1, HOUR_S) if h in by_hour))
            )
            a, b = at(first), at(last + HOUR_S)
            self._put_hours(sql.hour_sums(store, self.layout, a, b, who), first, last + HOUR_S, who)
            words = sql.bit_words(store, self.layout.slices, a, b, who)
            self._put_words_of(words, first, last + HOUR_S, who)
            self._lower_first(first, last + HOUR_S, who)
        in_blocks = sorted({m for s, m in cells if floor_hour_s(m) in self.blocks})
        if in_blocks:
            who = sorted({s for s, m in cells if floor_hour_s(m) in self.blocks})
            rows = sql.minute_sums(
                store,
                self.layout,
                at(in_blocks[0]),
                at(in_blocks[-1] + MINUTE_S),
                who,
                [at(m) for m in in_blocks],
            )
            self._zero_minutes(who, in_blocks)
            self._put_minutes(rows, None)
        return len(cells)

    def _may_move_first(self, samu: str, earliest: int) -> bool:
        i = self.index[samu]
        return bool(self.first_alive[i] > earliest or (self.first[:, i] > earliest).any())

    def _lower_first(self, start: int, end: int, samus: Sequence[str] | None) -> None:
        """First minutes moved earlier to the first data the hours [start, end) hold."""
        rows = self._rows_of(samus)
        a, b = self.hour_index(start), self.hour_index(end)
        for k in range(len(self.layout.slices)):
            found = _first_set(self.data[k][rows, a:b], start)
            self.first[k, rows] = np.minimum(self.first[k, rows], found)
        found = _first_set(self.alive[rows, a:b], start)
        self.first_alive[rows] = np.minimum(self.first_alive[rows], found)

    # -- moving the horizon -------------------------------------------------------------------

    def shift(self, store: Store, start: int, end: int, blocks_from: int) -> None:
        """Hold hours [start, end) (hour aligned): forget older hours, read the new ones, keep
        minutes for the hours from `blocks_from` on (and the edge hours pinned)."""
        if start != self.t0 or end != self.end:
            self._move(store, start, end, blocks_from)
        self.recent = blocks_from
        for h in [h for h in self.blocks if h < blocks_from and h not in self.pinned]:
            del self.blocks[h]
        missing = [h for h in range(max(blocks_from, start), end, HOUR_S) if h not in self.blocks]
        self.read_blocks(store, missing)

    def _move(self, store: Store, start: int, end: int, blocks_from: int) -> None:
        old_t0, old_end = self.t0, self.end
        lo, hi = max(start, old_t0), min(end, old_end)
        nh = (end - start) // HOUR_S
        hours = np.zeros((*self.hours.shape[:3], nh))
        data = np.zeros((*self.data.shape[:2], nh), dtype=np.uint64)
        passed = np.zeros_like(data)
        alive = np.zeros((len(self.samus), nh), dtype=np.uint64)
        up, shed = np.zeros(nh, dtype=np.uint64), np.zeros(nh, dtype=np.uint64)
        if hi > lo:
            keep = slice((lo - old_t0) // HOUR_S, (hi - old_t0) // HOUR_S)
            put = slice((lo - start) // HOUR_S, (hi - start) // HOUR_S)
            hours[..., put] = self.hours[..., keep]
            data[..., put] = self.data[..., keep]
            passed[..., put] = self.passed[..., keep]
            alive[..., put] = self.alive[..., keep]
            up[put], shed[put] = self.up[keep], self.shed[keep]
        self.t0, self.nh = start, nh
        self.up, self.shed = up, shed
        self.hours, self.data, self.passed, self.alive = hours, data, passed, alive
        self.blocks = {h: b for h, b in self.blocks.items() if start <= h < end}
        self.pinned = {h for h in self.pinned if start <= h < end}
        if hi <= lo:
            self.load(store, start, end, blocks_from)
            return
        if start < lo:
            self.load(store, start, lo, blocks_from, first=False)
        if hi < end:
            self.load(store, hi, end, blocks_from, first=False)

    # -- writing what was read ----------------------------------------------------------------

    def _rows_of(self, samus: Sequence[str] | None) -> Ints:
        if samus is None:
            return np.arange(len(self.samus))
        return np.array([self.index[s] for s in samus if s in self.index], dtype=np.int64)

    def _component(self, name: str) -> int:
        if name not in self.components:
            self.components.append(name)
            pad = np.zeros((*self.hours.shape[:2], 1, self.nh))
            self.hours = np.concatenate([self.hours, pad], axis=2)
        return self.components.index(name)

    def _put_hours(
        self, rows: sql.CountRows, start: int, end: int, samus: Sequence[str] | None
    ) -> None:
        a, b = self.hour_index(start), self.hour_index(end)
        self.hours[:, self._rows_of(samus)[:, None], :, np.arange(a, b)] = 0.0
        if not len(rows.at):
            return
        si = np.array([self.index.get(s, -1) for s in rows.samu], dtype=np.int64)
        ci = np.array([self._component(c) for c in rows.component], dtype=np.int64)
        hi = (rows.at - self.t0) // HOUR_S
        ok = (si >= 0) & (hi >= 0) & (hi < self.nh)
        for col in range(len(self.layout.counts)):
            np.add.at(self.hours[col], (si[ok], ci[ok], hi[ok]), rows.values[col][ok])

    def _zero_minutes(self, samus: Sequence[str], minutes: Sequence[int]) -> None:
        rows = self._rows_of(samus)
        for m in minutes:
            block = self.blocks.get(floor_hour_s(m))
            if block is not None:
                block[:, rows, (m % HOUR_S) // MINUTE_S] = 0.0

    def _put_minutes(self, rows: sql.CountRows, samus: Sequence[str] | None) -> None:
        if not len(rows.at):
            return
        si = np.array([self.index.get(s, -1) for s in rows.samu], dtype=np.int64)
        hours = rows.at // HOUR_S * HOUR_S
        col = (rows.at % HOUR_S) // MINUTE_S
        for h in np.unique(hours):
            block = self.blocks.get(int(h))
            if block is None:
                continue
            sel = (hours == h) & (si >= 0)
            for c in range(block.shape[0]):
                np.add.at(block[c], (si[sel], col[sel]), rows.values[c][sel])

    def _put_words(
        self,
        target: Words,
        rows: sql.BitRows,
        values: Words,
        start: int,
        end: int,
        samus: Sequence[str] | None,
    ) -> None:
        a, b = self.hour_index(start), self.hour_index(end)
        target[self._rows_of(samus)[:, None], np.arange(a, b)] = 0
        if not len(rows.hour):
            return
        si = np.array([self.index.get(s, -1) for s in rows.samu], dtype=np.int64)
        hi = (rows.hour - self.t0) // HOUR_S
        ok = (si >= 0) & (hi >= 0) & (hi < self.nh)
        target[si[ok], hi[ok]] = values[ok]

    def _put_words_of(
        self, parts: Sequence[sql.BitRows], start: int, end: int, samus: Sequence[str] | None
    ) -> None:
        """The slice sources' words then the alive words, as `sql.bit_words` returns them."""
        for k, rows in enumerate(parts[:-1]):
            self._put_words(self.data[k], rows, rows.data, start, end, samus)
            self._put_words(self.passed[k], rows, rows.passed, start, end, samus)
        self._put_words(self.alive, parts[-1], parts[-1].data, start, end, samus)

    # -- reading the held values --------------------------------------------------------------

    def minute_values(self, col: int, start: int, end: int) -> Floats:
        """Per SAMU, Σ of column `col` over whole minutes [start, end) inside held blocks."""
        out = np.zeros(len(self.samus))
        t = start
        while t < end:
            h = floor_hour_s(t)
            stop = min(end, h + HOUR_S)
            block = self.blocks.get(h)
            if block is None:
                raise KeyError(f"minutes of hour {at(h).isoformat()} are not held")
            out += block[col, :, (t - h) // MINUTE_S : (stop - h) // MINUTE_S].sum(axis=1)
            t = stop
        return out

    def minute_matrix(self, col: int, start: int, end: int) -> Floats:
        """SAMU × minute values of column `col` over whole minutes [start, end) (held blocks)."""
        out = np.zeros((len(self.samus), (end - start) // MINUTE_S))
        t = start
        while t < end:
            h = floor_hour_s(t)
            stop = min(end, h + HOUR_S)
            block = self.blocks.get(h)
            if block is None:
                raise KeyError(f"minutes of hour {at(h).isoformat()} are not held")
            a, b = (t - start) // MINUTE_S, (stop - start) // MINUTE_S
            out[:, a:b] = block[col, :, (t - h) // MINUTE_S : (stop - h) // MINUTE_S]
            t = stop
        return out

    def hour_values(self, col: int, start: int, end: int) -> Floats:
        """Per SAMU, Σ of column `col` over whole hours [start, end) (clipped to the ledger)."""
        a = max(0, self.hour_index(start))
        b = min(self.nh, self.hour_index(end))
        if b <= a:
            return np.zeros(len(self.samus))
        out: Floats = self.hours[col, :, :, a:b].sum(axis=(1, 2))
        return out

    def component_values(self, col: int, start: int, end: int) -> Floats:
        """SAMU × component Σ of column `col` over the hours overlapping [start, end)."""
        a = max(0, self.hour_index(floor_hour_s(start)))
        b = min(self.nh, self.hour_index(ceil_hour_s(end)))
        if b <= a:
            return np.zeros((len(self.samus), len(self.components)))
        out: Floats = self.hours[col, :, :, a:b].sum(axis=2)
        return out


def _first_set(words: Words, start: int) -> Ints:
    """Per row, Unix seconds of the first set bit of hour words starting at `start` (NEVER)."""
    nonzero = words != 0
    hour = np.argmax(nonzero, axis=1)
    word = words[np.arange(words.shape[0]), hour]
    low = word & (~word + np.uint64(1))
    bit = np.log2(np.maximum(low, np.uint64(1)).astype(np.float64)).astype(np.int64)
    out: Ints = np.where(nonzero.any(axis=1), start + hour * HOUR_S + bit * MINUTE_S, NEVER)
    return out


def _runs(hours: Sequence[int]) -> list[tuple[int, int]]:
    """Consecutive hour starts grouped as (first, last)."""
    out: list[tuple[int, int]] = []
    for h in hours:
        if out and h == out[-1][1] + HOUR_S:
            out[-1] = (out[-1][0], h)
        else:
            out.append((h, h))
    return out


def empty(layout: Layout, samus: Sequence[str], start: int, end: int) -> Ledger:
    """A ledger of hours [floor_hour(start), ceil_hour(end)) holding nothing yet."""
    t0 = floor_hour_s(start)
    return Ledger(layout, tuple(samus), t0, (ceil_hour_s(end) - t0) // HOUR_S)
