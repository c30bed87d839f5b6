"""Judging slices, pure: a minute of a slice SLI is good, bad, a Vigie gap, no data or excluded.

One rule for every reader (engine, status, report, backtest), on the ledger's bit words (bit k
of a SAMU's word for an hour is minute k of that hour):

- excluded: not settled yet (ended less than SLICE_SETTLE ago), before the SAMU's first data of
  this SLI (a SAMU that starts mid-month is not blamed for the days before), or planned
  maintenance. Excluded minutes are not in the SAMU's window at all.
- good / bad: the minute had data and met / missed its target.
- silent (no data): a **Vigie gap** when the silence is ours — a large share of the fleet is
  silent in the same minute (at least FLEET_MIN SAMU and FLEET_SHARE of those monitored, or all
  of a fleet of two or more), or the collector shed load in it. Otherwise the SAMU is silent
  while the fleet reports (carrier silence, 2 June 2021) and the spec's `no_data` rule
  applies: `bad` (default), `good`, or `skip` (no data, not judged).
- for freshness (our own O1), a minute whose data arrived late is a gap too when a large share
  of the fleet was late in it: the pipeline was behind, not the SAMU.
Gap and no-data minutes are not judged: they spend no budget and are reported as such.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from slo.model import Timeslices

Words = npt.NDArray[np.uint64]
Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]
ALL = np.uint64((1 << 60) - 1)  # minutes 0–59 of an hour
FLEET_MIN = 3  # at least this many SAMU silent at once …
FLEET_SHARE = 0.5  # … and this share of the monitored fleet: the silence is ours
SETTLE_S = 30  # a minute is judged once it ended this long ago (its last export has arrived)


def fleet_silent(silent: int, monitored: int, share: float = FLEET_SHARE) -> bool:
    """Whether `silent` SAMU out of `monitored` is a silence of ours: a large share of a fleet,
    or the whole of a fleet of two or more."""
    return bool(fleet_silent_counts(np.array([silent]), np.array([monitored]), share)[0])


def fleet_silent_counts(silent: Ints, monitored: Ints, share: float = FLEET_SHARE) -> Bools:
    """`fleet_silent` element-wise (counts per minute or per tick)."""
    out: Bools = ((silent >= FLEET_MIN) & (silent >= share * monitored)) | (
        (silent == monitored) & (monitored >= 2)
    )
    return out


@dataclass(frozen=True)
class SliceWords:
    """Per SAMU and hour, the minutes in each state (disjoint bit sets)."""

    good: Words
    bad: Words
    gap: Words
    no_data: Words
    excluded: Words  # out of the SAMU's window: before its first data, planned maintenance


def minute_masks(t0: int, nh: int, start: int, end: int) -> Words:
    """Per hour of the ledger, the bits of the minutes in [start, end) (Unix seconds, minutes)."""
    hours = t0 + 3600 * np.arange(nh, dtype=np.int64)
    lo = np.clip((start - hours) // 60, 0, 60)
    hi = np.clip((end - hours) // 60, 0, 60)
    return _bits_below(hi) & ~_bits_below(lo)


def _bits_below(n: Ints) -> Words:
    """Words with the low `n` bits set (n in 0..60)."""
    return (np.left_shift(np.uint64(1), n.astype(np.uint64)) - np.uint64(1)).astype(np.uint64)


def since_masks(t0: int, nh: int, first: Ints) -> Words:
    """SAMU × hour: the minutes at or after each SAMU's first minute (`first` in Unix seconds)."""
    hours = t0 + 3600 * np.arange(nh, dtype=np.int64)
    lo = np.clip((first[:, None] - hours[None, :] + 59) // 60, 0, 60)
    return ALL & ~_bits_below(lo)


def slot_mask(rule: Timeslices) -> np.uint64:
    """The bits of the minutes that start a slice (every minute for 1-minute slices)."""
    k = max(1, rule.slice_minutes)
    return np.uint64(sum(1 << m for m in range(0, 60, k)))


def spread(words: Words, k: int) -> Words:
    """Each slice-start bit set when any minute of its k-minute slice is set."""
    out = words.copy()
    for shift in range(1, k):
        out |= np.right_shift(words, np.uint64(shift))
    return out


def fleet_bits(members: Words, hits: Words, share: float = FLEET_SHARE) -> Words:
    """Per hour, the minutes in which `hits` holds for at least FLEET_MIN and `share` of the
    SAMU counted in `members` (both SAMU × hour)."""
    if members.shape[0] == 0:
        return np.zeros(members.shape[1:], dtype=np.uint64)
    m = (
        np.unpackbits(members.view(np.uint8), axis=1, bitorder="little")
        .reshape(members.shape[0], -1)
        .sum(axis=0, dtype=np.int32)
    )
    h = (
        np.unpackbits((hits & members).view(np.uint8), axis=1, bitorder="little")
        .reshape(members.shape[0], -1)
        .sum(axis=0, dtype=np.int32)
    )
    flags = fleet_silent_counts(h, m, share)
    return np.packbits(flags.reshape(-1, 64), axis=1, bitorder="little").view(np.uint64)[:, 0]


def fleet_gap(
    alive: Words, monitored: Words, maintenance: Words, slots: Words, shed: Words
) -> Words:
    """Per hour, the minutes (among `slots`) that are a silence of ours: a large share of the
    monitored fleet sent nothing (`fleet_silent`), or the collector shed load."""
    fleet = monitored & slots & ~maintenance
    return fleet_bits(fleet, ~alive) | shed


def judge(
    data: Words,
    passed: Words,
    alive: Words,
    started: Words,
    monitored: Words,
    maintenance: Words,
    settled: Words,
    shed: Words,
    rule: Timeslices,
    freshness: bool,
) -> SliceWords:
    """The state of every held minute of one slice SLI (all arrays SAMU × hour, `settled` and
    `shed` per hour); `started` = at or after the SAMU's first data of this SLI, `monitored` =
    at or after its first telemetry (who counts in the fleet)."""
    k = max(1, rule.slice_minutes)
    slots = slot_mask(rule) & settled[None, :]
    live = slots & started & ~maintenance
    if k > 1:
        alive = spread(alive, k)
    fleet = monitored & slots & ~maintenance
    ours = fleet_gap(alive, monitored, maintenance, slots, shed)[None, :]
    has = data & live
    good = has & passed
    bad = has & ~passed
    gap = np.zeros_like(good)
    if freshness:
        late = fleet_bits(fleet & alive, ~passed & data)[None, :]
        gap = bad & late
        bad = bad & ~late
    silent = live & ~data
    gap = gap | (silent & ours)
    rest = silent & ~ours
    no_data = np.zeros_like(good)
    if rule.no_data == "bad":
        bad = bad | rest
    elif rule.no_data == "good":
        good = good | rest
    else:
        no_data = rest
    excluded = slot_mask(rule) & (~started | maintenance)
    return SliceWords(good, bad, gap, no_data, excluded)
