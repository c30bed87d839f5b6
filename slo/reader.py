"""The guards' small reads from the store (heartbeat points, traffic baselines) and planned
maintenance as minute ranges per SAMU, as plain values (no SLO logic here). The backtest reads
the same checks over its whole replay at once (`GuardReader.checks`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

import numpy as np
import numpy.typing as npt

from alerts.maintenance import MaintenanceWindow
from slo.windows import ceil_minute, floor_minute
from store.client import Store
from store.clock import utc

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]


def maintenance_ranges(
    windows: Sequence[MaintenanceWindow],
    start: datetime,
    end: datetime,
    regions: Mapping[str, str],
) -> dict[str, list[tuple[datetime, datetime]]]:
    """Merged maintenance minute ranges per SAMU id ('' = every SAMU) overlapping [start, end)."""
    by_samu: dict[str, list[tuple[datetime, datetime]]] = defaultdict(list)
    for window in windows:
        for a, b in window.occurrences(start, end):
            a, b = floor_minute(a), ceil_minute(b)
            if not window.samu_ids and not window.regions:
                by_samu[""].append((a, b))
                continue
            for samu_id, region in regions.items():
                if window.covers(samu_id, region):
                    by_samu[samu_id].append((a, b))
    return {samu: _merge(ranges) for samu, ranges in by_samu.items()}


def _merge(ranges: list[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    out: list[tuple[datetime, datetime]] = []
    for a, b in sorted(ranges):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


_HEARTBEAT_SQL = """
SELECT samu_id, last_ok, last_seen,
       arraySum(x -> if(last_ok IS NULL OR x.1 > last_ok, x.2, 0), fails) AS fails_since_ok
FROM (
  SELECT samu_id,
         maxIf(ts, outcome = 'ok' AND value > 0) AS ok_ts,
         if(countIf(outcome = 'ok' AND value > 0) = 0, NULL, ok_ts) AS last_ok,
         max(ts) AS last_seen,
         groupArrayIf((ts, value), outcome = 'fail') AS fails
  FROM {db}.points
  WHERE metric = {metric:String} AND ts >= {since:DateTime64(3, 'UTC')}
    AND ts < {now:DateTime64(3, 'UTC')}
  GROUP BY samu_id
)
"""


_CHECKS_SQL = """
SELECT samu_id, outcome = 'ok' AND value > 0 AS ok, outcome = 'fail' AS fail,
       groupArray(toUnixTimestamp64Milli(ts)) AS at, groupArray(value) AS values
FROM {db}.points
WHERE metric = {metric:String} AND ts >= {a:DateTime64(3, 'UTC')} AND ts < {b:DateTime64(3, 'UTC')}
GROUP BY samu_id, ok, fail
"""

# One SAMU's reachability checks of a span, by kind: (ms since the epoch, value) pairs.
CheckRows = dict[str, dict[str, list[tuple[int, float]]]]


class GuardReader:
    """The small reads of the fast-path guards."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def heartbeat(
        self, metric: str, now: datetime, lookback: timedelta = timedelta(minutes=15)
    ) -> dict[str, tuple[datetime | None, datetime | None, float]]:
        """Per SAMU: last successful check, last check of any kind, failures since the success."""
        rows = self._store.query(
            _HEARTBEAT_SQL, {"metric": metric, "since": now - lookback, "now": now}
        )
        return {str(r[0]): (_opt(r[1]), _opt(r[2]), float(r[3])) for r in rows}

    def checks(self, metric: str, start: datetime, end: datetime) -> CheckRows:
        """Per SAMU, the check rows with `ts` in [start, end) as `heartbeat` reads them, by kind:
        `ok` (a success), `fail` (a failure) and `other` (any other row, seen but neither)."""
        rows = self._store.query(_CHECKS_SQL, {"metric": metric, "a": start, "b": end})
        out: CheckRows = {}
        for samu, ok, fail, at, values in rows:
            kind = "ok" if ok else "fail" if fail else "other"
            pairs = zip(at, values, strict=True)
            out.setdefault(str(samu), {}).setdefault(kind, []).extend(
                (int(t), float(v)) for t, v in pairs
            )
        return out

    def minute_counts(
        self,
        metric: str,
        outcomes: frozenset[str] | None,
        not_outcomes: frozenset[str],
        ranges: Sequence[tuple[datetime, datetime]],
    ) -> dict[str, tuple[Ints, Floats]]:
        """Per SAMU, the minutes (Unix seconds, sorted) with Σ of a counter's rows (le = inf) over
        the given minute ranges, and those sums."""
        if not ranges:
            return {}
        params: dict[str, object] = {
            "metric": metric,
            "outcomes": sorted(outcomes or ()),
            "any": outcomes is None,
            "not_outcomes": sorted(not_outcomes),
        }
        conds = []
        for i, (a, b) in enumerate(ranges):
            params[f"a{i}"], params[f"b{i}"] = a, b
            conds.append(
                f"minute >= {{a{i}:DateTime('UTC')}} AND minute < {{b{i}:DateTime('UTC')}}"
            )
        sql = (
            "SELECT samu_id, toUnixTimestamp(minute) AS m, sum(value) FROM {db}.slo_minute_counts\n"  # noqa: S608
            "WHERE metric = {metric:String} AND le = inf\n"
            "  AND ({any:Bool} OR outcome IN {outcomes:Array(String)})\n"
            "  AND outcome NOT IN {not_outcomes:Array(String)}\n"
            "  AND (" + " OR ".join(conds) + ")\nGROUP BY samu_id, m ORDER BY samu_id, m"
        )
        samus, minutes, values = self._store.query_columns(sql, params, 3)
        names = np.asarray(samus, dtype=object)
        at = np.asarray(minutes, dtype=np.int64)
        sums = np.asarray(values, dtype=np.float64)
        out: dict[str, tuple[Ints, Floats]] = {}
        for samu in np.unique(names):
            sel = names == samu
            out[str(samu)] = (at[sel], sums[sel])
        return out


def _opt(value: object) -> datetime | None:
    if value is None:
        return None
    moment = utc(value)
    return None if moment.year < 1971 else moment
