"""The heartbeat and no-data guards replayed over stored history, vectorised per SAMU.

They read what the live engine reads (`points` of the reachability checks, `slo_minute_ingest`)
once for the whole replay, then answer every tick with sorted-array searches: the same facts as
`GuardReader.heartbeat` and `GuardReader.last_ingest` at each tick, fed to the same rules as
`heartbeat_findings` and `no_data_findings` (a test holds them equal to the engine's alerts).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import numpy.typing as npt

from slo.judge import fleet_silent_counts
from slo.policy import Guards
from store.client import Store

Bools = npt.NDArray[np.bool_]
Ints = npt.NDArray[np.int64]
HEARTBEAT_LOOKBACK = timedelta(minutes=15)  # GuardReader.heartbeat's default
INGEST_LOOKBACK = timedelta(days=1)  # GuardReader.last_ingest's default
_NONE = np.iinfo(np.int64).min

_CHECKS_SQL = """
SELECT samu_id, outcome = 'ok' AND value > 0 AS ok, outcome = 'fail' AS fail,
       groupArray(toUnixTimestamp64Milli(ts)) AS at, groupArray(value) AS values
FROM {db}.points
WHERE metric = {metric:String} AND ts >= {a:DateTime64(3, 'UTC')} AND ts < {b:DateTime64(3, 'UTC')}
GROUP BY samu_id, ok, fail
"""

_INGEST_SQL = """
SELECT samu_id, groupArray(toUnixTimestamp(minute)) FROM (
  SELECT samu_id, minute FROM {db}.slo_minute_ingest
  WHERE minute >= {a:DateTime('UTC')} AND minute <= {b:DateTime('UTC')}
  GROUP BY samu_id, minute HAVING sum(points) > 0
)
GROUP BY samu_id
"""


@dataclass(frozen=True)
class GuardHeld:
    """Per-SAMU rows of ticks at which a guard holds, and the fleet-wide stall row."""

    samu: tuple[str, ...]
    heartbeat: Bools  # SAMU × tick: HeartbeatLost
    no_data: Bools  # SAMU × tick: TelemetryNoData
    stalled: npt.NDArray[np.bool_]  # tick: VigieIngestGap (from either guard)


def _ms(moments: Sequence[datetime]) -> Ints:
    return np.array([int(t.timestamp() * 1000) for t in moments], dtype=np.int64)


@dataclass(frozen=True)
class _Checks:
    ok: Ints  # sorted ms of successful checks
    seen: Ints  # sorted ms of every check row
    fail_at: Ints  # sorted ms of failed checks
    fail_cum: npt.NDArray[np.float64]  # prefix sums of failed-check values (len + 1)


def _checks(rows: Sequence[tuple[object, ...]]) -> dict[str, _Checks]:
    parts: dict[str, dict[str, list[tuple[int, float]]]] = {}
    for samu, ok, fail, at, values in rows:
        kind = "ok" if ok else "fail" if fail else "other"
        pairs = zip(at, values, strict=True)  # type: ignore[call-overload]
        parts.setdefault(str(samu), {}).setdefault(kind, []).extend(pairs)
    out = {}
    for samu, kinds in parts.items():
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


def replay_guards(
    store: Store,
    samu: Sequence[str],
    ticks: Sequence[datetime],
    guards: Guards,
    heartbeat_metric: str,
) -> GuardHeld:
    """HeartbeatLost, TelemetryNoData and VigieIngestGap at every tick, as the engine decides
    (`slo.guards`: a silence shared by a large share of the fleet is ours)."""
    now = _ms(ticks)
    n = len(ticks)
    first, last = ticks[0], ticks[-1]
    rows = store.query(
        _CHECKS_SQL, {"metric": heartbeat_metric, "a": first - HEARTBEAT_LOOKBACK, "b": last}
    )
    checks = _checks(rows)
    facts = np.zeros((len(samu), n), bool)
    failed = np.zeros((len(samu), n), bool)
    missing = np.zeros((len(samu), n), bool)
    seen = np.full((len(samu), n), _NONE)
    for i, s in enumerate(samu):
        facts[i], failed[i], missing[i], seen[i] = _heartbeat(checks.get(s), now, guards)
    window = int(guards.heartbeat_window.total_seconds() * 1000)
    silent = facts & ((seen == _NONE) | (now[None, :] - seen > window))
    hb_stalled = facts.any(axis=0) & fleet_silent_counts(silent.sum(axis=0), facts.sum(axis=0))
    lost = failed | (missing & ~(hb_stalled[None, :] & silent))

    minutes = _ingest_minutes(store, first - INGEST_LOOKBACK, last)
    quiet_ms = int((guards.no_data_after + timedelta(minutes=1)).total_seconds() * 1000)
    active = np.zeros((len(samu), n), bool)
    quiet = np.zeros((len(samu), n), bool)
    day = int(INGEST_LOOKBACK.total_seconds() * 1000)
    for i, s in enumerate(samu):
        at = minutes.get(s)
        if at is None or not len(at):
            continue
        k = np.searchsorted(at, now, "right") - 1
        last_minute = at[np.maximum(k, 0)]
        active[i] = (k >= 0) & (last_minute >= now - day)
        quiet[i] = active[i] & (now - last_minute >= quiet_ms)
    nd_stalled = fleet_silent_counts(quiet.sum(axis=0), active.sum(axis=0))
    quiet &= ~nd_stalled[None, :]
    return GuardHeld(tuple(samu), lost, quiet, hb_stalled | nd_stalled)


def _ingest_minutes(store: Store, first: datetime, last: datetime) -> dict[str, Ints]:
    rows = store.query(_INGEST_SQL, {"a": first, "b": last})
    return {str(s): np.sort(np.array(at, dtype=np.int64)) * 1000 for s, at in rows}


def guard_labels(
    name: str, samu: str, samu_labels: Mapping[str, Mapping[str, object]]
) -> dict[str, str]:
    """The label set the engine gives a guard finding of one SAMU ('' = fleet-wide)."""
    labels = {"alertname": name, "severity": "page"}
    if samu:
        labels["samu"] = samu
        region = samu_labels.get(samu, {}).get("region")
        if region:
            labels["region"] = str(region)
    return labels
