"""Window arithmetic on a ledger, pure: Σ of an event column, or the judged minutes of a slice
SLI, per SAMU over any window [start, end), planned maintenance excluded.

Event windows hold whole minutes, except the oldest minute of a window that starts mid-minute,
weighted by the share of it inside the window (a rolling 1 h window then burns exactly 51.84 s
of a total outage at 99.9 % on steady traffic); the current minute counts what arrived so far.
Whole hours come from the hour sums, the rest from the minutes. Slice windows hold the slices
that start and end inside them (`slo.judge` says which are settled and how each is judged).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import numpy.typing as npt

from slo import judge
from slo.ledger import HOUR_S, MINUTE_S, Ledger, ceil_hour_s, floor_hour_s
from slo.model import Timeslices

Floats = npt.NDArray[np.float64]
Words = npt.NDArray[np.uint64]
Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]
Ranges = Mapping[int, Sequence[tuple[int, int]]]  # SAMU row → [start, end) seconds, whole minutes


def floor_min(seconds: float) -> int:
    return int(seconds // MINUTE_S) * MINUTE_S


def ceil_min(seconds: float) -> int:
    return -int(-seconds // MINUTE_S) * MINUTE_S


def seconds(moment: datetime) -> float:
    return moment.timestamp()


@dataclass(frozen=True)
class SliceTally:
    """Per SAMU, minutes (slices) of a window in each state."""

    good: Floats
    bad: Floats
    gap: Floats
    no_data: Floats
    excluded: Floats  # before the SAMU's first data, or planned maintenance


class _Counted:
    """Per-hour popcounts of words and their prefix sums, for range counts."""

    def __init__(self, words: Words, t0: int) -> None:
        self.words = words
        self.t0 = t0
        per_hour = np.bitwise_count(words).astype(np.int64)
        self.cum = np.zeros((words.shape[0], words.shape[1] + 1), dtype=np.int64)
        np.cumsum(per_hour, axis=1, out=self.cum[:, 1:])

    def count(self, start: int, end: int) -> Floats:
        """Per SAMU, set bits of the minutes in [start, end) (whole minutes)."""
        nh = self.words.shape[1]
        lo, hi = max(start, self.t0), min(end, self.t0 + nh * HOUR_S)
        out = np.zeros(self.words.shape[0], dtype=np.int64)
        if hi <= lo:
            return out.astype(np.float64)
        a, b = ceil_hour_s(lo), floor_hour_s(hi)
        if a > b:  # inside one hour
            return self._part(lo, hi)
        out = self.cum[:, (b - self.t0) // HOUR_S] - self.cum[:, (a - self.t0) // HOUR_S]
        result = out.astype(np.float64)
        if lo < a:
            result += self._part(lo, a)
        if b < hi:
            result += self._part(b, hi)
        return result

    def _part(self, start: int, end: int) -> Floats:
        h = floor_hour_s(start)
        mask = judge.minute_masks(h, 1, start, end)[0]
        column = self.words[:, (h - self.t0) // HOUR_S]
        out: Floats = np.bitwise_count(column & mask).astype(np.float64)
        return out


class Tallies:
    """Everything a tick (or a period's status) asks of one ledger at one instant `now`."""

    def __init__(self, ledger: Ledger, now: datetime, maintenance: Ranges) -> None:
        self.ledger = ledger
        self.now = seconds(now)
        self.maintenance = maintenance
        nh = ledger.nh
        self._shed = ledger.ours()  # the collector's own gaps (Ledger.ours)
        self._maint_words = self._words_of(maintenance)
        settled_end = floor_min(self.now - judge.SETTLE_S)
        self._settled = judge.minute_masks(ledger.t0, nh, ledger.t0, settled_end)
        self._monitored = judge.since_masks(ledger.t0, nh, ledger.first_alive)
        self._slices: dict[int, tuple[_Counted, ...]] = {}
        self._gap: Words | None = None
        self._alive: _Counted | None = None
        self._words: dict[int, judge.SliceWords] = {}

    def _words_of(self, ranges: Ranges) -> Words:
        led = self.ledger
        out = np.zeros((len(led.samus), led.nh), dtype=np.uint64)
        for row, spans in ranges.items():
            for a, b in spans:
                lo, hi = max(a, led.t0), min(b, led.end)
                for h in range(floor_hour_s(lo), hi, HOUR_S):
                    out[row, (h - led.t0) // HOUR_S] |= judge.minute_masks(h, 1, lo, hi)[0]
        return out

    def fleet_gap(self) -> Words:
        """Per hour, the settled minutes that were a Vigie gap (`slo.judge.fleet_gap`)."""
        if self._gap is None:
            led = self.ledger
            self._gap = judge.fleet_gap(
                led.alive, self._monitored, self._maint_words, self._settled[None, :], self._shed
            )
        return self._gap

    # -- slices -------------------------------------------------------------------------------

    def states(self, k: int) -> judge.SliceWords:
        """The judged minutes of slice source `k` over the whole ledger."""
        if k not in self._words:
            led = self.ledger
            source = led.layout.slices[k]
            self._words[k] = judge.judge(
                led.data[k],
                led.passed[k],
                led.alive,
                judge.since_masks(led.t0, led.nh, led.first[k]),
                self._monitored,
                self._maint_words,
                self._settled,
                self._shed,
                source.rule,
                source.freshness,
            )
        return self._words[k]

    def slices(self, k: int, start: datetime, end: datetime) -> SliceTally:
        """Per SAMU, the slices of source `k` that start and end inside [start, end)."""
        if k not in self._slices:
            w = self.states(k)
            t0 = self.ledger.t0
            self._slices[k] = tuple(
                _Counted(x, t0) for x in (w.good, w.bad, w.gap, w.no_data, w.excluded)
            )
        rule: Timeslices = self.ledger.layout.slices[k].rule
        size = max(1, rule.slice_minutes) * MINUTE_S
        a = ceil_min(seconds(start))
        b = floor_min(seconds(end)) - size + MINUTE_S
        good, bad, gap, no_data, excluded = (c.count(a, b) for c in self._slices[k])
        return SliceTally(good, bad, gap, no_data, excluded)

    def state_matrix(self, k: int, start: int, end: int) -> dict[str, Bools]:
        """SAMU × minute booleans of each state of slice source `k` over [start, end) (Unix
        seconds, whole hours inside the ledger): good, bad, gap, no_data, excluded."""
        w = self.states(k)
        led = self.ledger
        a, b = (start - led.t0) // HOUR_S, (end - led.t0) // HOUR_S
        out: dict[str, Bools] = {}
        for name in ("good", "bad", "gap", "no_data", "excluded"):
            words = np.ascontiguousarray(getattr(w, name)[:, a:b])
            bits = np.unpackbits(words.view(np.uint8), axis=1, bitorder="little")
            out[name] = (
                bits.reshape(len(led.samus), b - a, 64)[:, :, :60]
                .reshape(len(led.samus), -1)
                .astype(bool)
            )
        return out

    # -- event columns ------------------------------------------------------------------------

    def counts(self, col: int, start: datetime, end: datetime, maintenance: bool = True) -> Floats:
        """Per SAMU, Σ of event column `col` over [start, end), planned maintenance excluded
        (unless `maintenance` is False: volumes, which maintenance does not erase)."""
        lo, hi = seconds(start), seconds(end)
        total = self._span(col, lo, hi)
        if not maintenance:
            return total
        for row, spans in self.maintenance.items():
            for a, b in spans:
                x, y = max(a, lo), min(b, hi)
                if y > x:
                    total[row] -= self._span(col, x, y)[row]
        return total

    def _span(self, col: int, start: float, end: float) -> Floats:
        led = self.ledger
        m0 = floor_min(start)
        m1 = ceil_min(end)
        total = np.zeros(len(led.samus))
        if m1 <= m0:
            return total
        weight = 1.0 - (start - m0) / MINUTE_S
        if weight < 1.0:
            total += weight * led.minute_values(col, m0, m0 + MINUTE_S)
            m0 += MINUTE_S
        if m1 <= m0:
            return total
        a, b = ceil_hour_s(m0), floor_hour_s(m1)
        if a >= b:
            return total + led.minute_values(col, m0, m1)
        if m0 < a:
            total += led.minute_values(col, m0, a)
        total += led.hour_values(col, a, b)
        if b < m1:
            total += led.minute_values(col, b, m1)
        return total

    def edge_hours(self, start: datetime, end: datetime) -> list[int]:
        """Hours whose minutes an event window over [start, end) reads (partial hours)."""
        lo, hi = floor_min(seconds(start)), ceil_min(seconds(end))
        out = {floor_hour_s(lo), floor_hour_s(hi - 1)} if hi > lo else set()
        for spans in self.maintenance.values():
            for a, b in spans:
                x, y = max(a, lo), min(b, hi)
                if y > x:
                    out.update({floor_hour_s(x), floor_hour_s(y - 1)})
        return sorted(out)

    def alive_minutes(self, start: datetime, end: datetime) -> Floats:
        """Per SAMU, the minutes of [start, end) in which it sent any point."""
        if self._alive is None:
            self._alive = _Counted(self.ledger.alive, self.ledger.t0)
        return self._alive.count(floor_min(seconds(start)), ceil_min(seconds(end)))

    def components(self, col: int, start: datetime, end: datetime) -> Floats:
        """SAMU × component Σ of column `col` over the hours overlapping [start, end)."""
        return self.ledger.component_values(col, int(seconds(start)), int(seconds(end)))
