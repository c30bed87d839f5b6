"""The heartbeat, no-data and Vigie ingest gap alerts replayed over a history, vectorised.

The facts are the engine's: the reachability checks `GuardReader.heartbeat` reads (here read
once for the whole replay, `GuardReader.checks`), and the ledger's minutes (`slo.replay`): which
minutes each SAMU sent anything in (the no-data guard, `slo.findings._last_alive`) and which
settled minutes were a Vigie gap. Each tick is answered with sorted-array searches and prefix
sums under the same rules as `heartbeat_findings`, `no_data_findings` and the settled-gap check
(a silence shared by a large share of the fleet is ours: one gap alert, no SAMU page).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import numpy.typing as npt

from slo.findings import GAP_MINUTES
from slo.guards import GAP_ALERT
from slo.judge import fleet_silent_counts
from slo.policy import Guards
from slo.reader import CheckRows, GuardReader
from slo.replay import History
from store.client import Store

Bools = npt.NDArray[np.bool_]
Ints = npt.NDArray[np.int64]
HEARTBEAT_LOOKBACK = timedelta(minutes=15)  # GuardReader.heartbeat's default
INGEST_LOOKBACK = timedelta(days=1)  # the no-data guard's (slo.live.GUARD_LOOKBACK)
_NONE = np.iinfo(np.int64).min


@dataclass(frozen=True)
class Firing:
    """One alert as the backtest saw it: labels, first tick it held, first tick it did not."""

    labels: tuple[tuple[str, str], ...]
    starts_at: datetime
    ends_at: datetime | None  # None: still firing at the last tick

    def label(self, name: str) -> str:
        return dict(self.labels).get(name, "")


def labels_of(
    name: str,
    severity: str,
    samu: str,
    samu_labels: Mapping[str, Mapping[str, object]],
    **more: str,
) -> dict[str, str]:
    """The label set the engine gives an alert (`AlertState.labels_for`; '' = fleet-wide)."""
    labels = {"alertname": name, "severity": severity, **more}
    if samu:
        labels["samu"] = samu
        region = samu_labels.get(samu, {}).get("region")
        if region:
            labels["region"] = str(region)
    return labels


def intervals(
    held: Bools, ticks: Sequence[datetime], labels: Sequence[Mapping[str, str]]
) -> list[Firing]:
    """Rows of ticks at which an alert holds, as firings (one per run of ticks)."""
    out = []
    for i, row in enumerate(held):
        if not row.any():
            continue
        edges = np.diff(np.concatenate(([0], row.astype(np.int8), [0])))
        key = tuple(sorted(labels[i].items()))
        for a, b in zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1), strict=True):
            out.append(Firing(key, ticks[int(a)], ticks[int(b)] if b < len(ticks) else None))
    return out


@dataclass(frozen=True)
class _Checks:
    ok: Ints  # sorted ms of successful checks
    seen: Ints  # sorted ms of every check row
    fail_at: Ints  # sorted ms of failed checks
    fail_cum: npt.NDArray[np.float64]  # prefix sums of failed-check values (len + 1)


def _checks(rows: CheckRows) -> dict[str, _Checks]:
    out = {}
    for samu, kinds in rows.items():
        ok = np.sort(np.array([t for t, _ in kinds.get("ok", [])], dtype=np.int64))
        every = [t for pairs in kinds.values() for t, _ in pairs]
        fails = sorted(kinds.get("fail", []))
        fail_at = np.array([t for t, _ in fails], dtype=np.int64)
        cum = np.concatenate(([0.0], np.cumsum([v for _, v in fails], dtype=np.float64)))
        out[samu] = _Checks(ok, np.sort(np.array(every, dtype=np.int64)), fail_at, cum)
    return out


def _heartbeat(
    checks: _Checks | None, now: Ints, guards: Guards
) -> tuple[Bools, Bools, Bools, Ints]:
    """(has facts, checks failed, success missing, last seen ms) at each tick for one SAMU."""
    n = len(now)
    if checks is None:
        return np.zeros(n, bool), np.zeros(n, bool), np.zeros(n, bool), np.full(n, _NONE)
    since = now - int(HEARTBEAT_LOOKBACK.total_seconds() * 1000)
    lo = np.searchsorted(checks.seen, since, "left")
    hi = np.searchsorted(checks.seen, now, "left")
    has = hi > lo
    last_seen = np.where(has, checks.seen[np.maximum(hi - 1, 0)] if len(checks.seen) else 0, _NONE)
    k = np.searchsorted(checks.ok, now, "left") - 1
    last_ok = checks.ok[np.maximum(k, 0)] if len(checks.ok) else np.zeros(n, np.int64)
    has_ok = (k >= 0) & (last_ok >= since) if len(checks.ok) else np.zeros(n, bool)
    lower = np.where(
        has_ok,
        np.searchsorted(checks.fail_at, last_ok, "right"),
        np.searchsorted(checks.fail_at, since, "left"),
    )
    upper = np.searchsorted(checks.fail_at, now, "left")
    fails = checks.fail_cum[np.maximum(upper, lower)] - checks.fail_cum[lower]
    window = int(guards.heartbeat_window.total_seconds() * 1000)
    failed = fails >= guards.heartbeat_failed_checks
    missing = ~has_ok | (now - last_ok > window)
    return has, has & failed, has & missing, last_seen


def resting(hist: History, samus: Sequence[str], stamps: Ints, grace: timedelta) -> Bools:
    """SAMU × tick: in planned maintenance, or out of it for less than `grace`
    (`slo.findings.resting_samus`)."""
    out = np.zeros((len(samus), len(stamps)), dtype=bool)
    spare = grace.total_seconds()
    for i, samu in enumerate(samus):
        for a, b in hist.tallies.maintenance.get(hist.ledger.index[samu], ()):
            out[i] |= (a <= stamps) & (stamps < b + spare)
    return out


def _heartbeats(
    store: Store,
    samus: Sequence[str],
    ticks: Sequence[datetime],
    guards: Guards,
    metric: str,
    resting: Bools,
) -> tuple[Bools, Bools, bool]:
    """HeartbeatLost per SAMU × tick, the ticks the heartbeat sees a gap, whether any check was
    read at all (points are kept 35 days); SAMU `resting` at a tick are not judged at it."""
    now = np.array([int(t.timestamp() * 1000) for t in ticks], dtype=np.int64)
    rows = GuardReader(store).checks(metric, ticks[0] - HEARTBEAT_LOOKBACK, ticks[-1])
    checks = _checks(rows)
    shape = (len(samus), len(ticks))
    facts, failed, missing = np.zeros(shape, bool), np.zeros(shape, bool), np.zeros(shape, bool)
    seen = np.full(shape, _NONE)
    for i, s in enumerate(samus):
        facts[i], failed[i], missing[i], seen[i] = _heartbeat(checks.get(s), now, guards)
    facts &= ~resting
    failed &= ~resting
    missing &= ~resting
    window = int(guards.heartbeat_window.total_seconds() * 1000)
    silent = facts & ((seen == _NONE) | (now[None, :] - seen > window))
    stalled = facts.any(axis=0) & fleet_silent_counts(silent.sum(axis=0), facts.sum(axis=0))
    return failed | (missing & ~(stalled[None, :] & silent)), stalled, bool(rows)


def _no_data(
    hist: History, at: Ints, stamps: Ints, guards: Guards, resting: Bools
) -> tuple[Bools, Bools]:
    """TelemetryNoData per SAMU × tick, and the ticks at which the silence is the fleet's (SAMU
    `resting` at a tick are not judged at it)."""
    alive = hist.alive()
    index = np.where(alive, np.arange(alive.shape[1])[None, :], -1)
    last = np.maximum.accumulate(index, axis=1)[:, at - 1]  # last alive minute before the tick
    last_s = hist.t0 + 60 * last
    day = int(INGEST_LOOKBACK.total_seconds())
    active = (last >= 0) & (last_s >= stamps[None, :] - day) & ~resting
    quiet = active & (stamps[None, :] - (last_s + 60) >= guards.no_data_after.total_seconds())
    stalled = fleet_silent_counts(quiet.sum(axis=0), active.sum(axis=0))
    return quiet & ~stalled[None, :], stalled


def _settled_gap(hist: History, at: Ints) -> Bools:
    """The last GAP_MINUTES settled minutes were all a Vigie gap (`slo.findings`)."""
    gap = np.concatenate(([0], np.cumsum(hist.fleet_gap(), dtype=np.int64)))
    end = at - 1  # floor_minute(now − settle) at a whole-minute tick
    out: Bools = gap[end] - gap[end - GAP_MINUTES] >= GAP_MINUTES
    return out


def guard_firings(
    store: Store,
    hist: History,
    samu_labels: Mapping[str, Mapping[str, object]],
    ticks: Sequence[datetime],
    guards: Guards,
    heartbeat_metric: str,
) -> tuple[list[Firing], list[str]]:
    """HeartbeatLost, TelemetryNoData and VigieIngestGap at every tick, and notes on what could
    not be replayed."""
    at = np.array([hist.index(t) for t in ticks], dtype=np.int64)
    stamps = np.array([int(t.timestamp()) for t in ticks], dtype=np.int64)
    hb_samus = [s for s in hist.samus if s in samu_labels]
    rest = resting(hist, hb_samus, stamps, guards.heartbeat_window)
    lost, hb_gap, read = _heartbeats(store, hb_samus, ticks, guards, heartbeat_metric, rest)
    rest = resting(hist, hist.samus, stamps, guards.no_data_after)
    quiet, nd_gap = _no_data(hist, at, stamps, guards, rest)
    out: list[Firing] = []
    out += intervals(
        lost, ticks, [labels_of("HeartbeatLost", "page", s, samu_labels) for s in hb_samus]
    )
    out += intervals(
        quiet, ticks, [labels_of("TelemetryNoData", "page", s, samu_labels) for s in hist.samus]
    )
    gap = hb_gap | nd_gap | _settled_gap(hist, at)
    out += intervals(gap[None, :], ticks, [labels_of(GAP_ALERT, "page", "", samu_labels)])
    notes = []
    if not read:
        notes.append(
            "no reachability checks in the store for this span (points are kept 35 days): "
            "the heartbeat guard had nothing to replay"
        )
    return out, notes
