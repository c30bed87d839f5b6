"""Reading the committed delta state back from `series_last`, so it survives a restart."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, Protocol

from collector.delta import SeriesState
from collector.rows import NS_PER_MS

# As long as the store keeps a series' last state (series_last TTL): older series start afresh.
STATE_RETENTION_NS = 35 * 86_400 * 1_000_000_000

_STATE_SQL = """
SELECT series_key,
       toUnixTimestamp64Milli(max(last_ts)),
       argMax(toUnixTimestamp64Milli(start_ts), last_ts),
       argMax(cumulative, last_ts),
       argMax(cumulative_buckets, last_ts),
       argMax(bounds, last_ts),
       argMax(cumulative_sum, last_ts)
FROM {db}.series_last
WHERE received_at >= fromUnixTimestamp64Milli({since:Int64}, 'UTC')
  AND (length({keys:Array(UInt64)}) = 0 OR has({keys:Array(UInt64)}, series_key))
GROUP BY series_key
"""


class StateSource(Protocol):
    def query(
        self, text: str, parameters: dict[str, Any] | None = None
    ) -> list[tuple[Any, ...]]: ...


def load_series_state(
    store: StateSource, now_ns: int, keys: Collection[int] = ()
) -> dict[int, SeriesState]:
    """The last state of every series received in the retention window (or only of `keys`)."""
    since_ms = (now_ns - STATE_RETENTION_NS) // NS_PER_MS
    rows = store.query(_STATE_SQL, {"since": since_ms, "keys": sorted(keys)})
    return {
        int(key): SeriesState(
            last_ns=int(last_ms) * NS_PER_MS,
            start_ns=int(start_ms) * NS_PER_MS,
            cumulative=float(cumulative),
            cumulative_buckets=tuple(int(b) for b in buckets),
            bounds=tuple(float(b) for b in bounds),
            hist_sum=float(total),
        )
        for key, last_ms, start_ms, cumulative, buckets, bounds, total in rows
    }
