"""Ground truth: what the simulator sent, in the shape of the store's `minute_counts` rows."""

from __future__ import annotations

import math
import threading
from collections import defaultdict
from collections.abc import Iterable, Sequence

from collector.conventions import METRICS

Attrs = tuple[tuple[str, str], ...]
SeriesId = tuple[str, Attrs]  # (metric, sorted attributes)
# (minute epoch seconds, samu_id, metric, component, outcome, le) — the minute_counts key.
CountKey = tuple[int, str, str, str, str, float]
INF = math.inf


def attrs(**values: str) -> Attrs:
    """Sorted attributes, without empty values; keys use '_' for '.' (sip_status_code)."""
    names = {"sip_status_code": "sip.status_code", "peer_samu_id": "peer.samu.id"}
    return tuple(sorted((names.get(k, k), v) for k, v in values.items() if v))


def rollup(metric: str, attributes: Attrs) -> tuple[str, str]:
    """The (component, outcome) columns the collector derives from a series' attributes."""
    found = dict(attributes)
    spec = METRICS[metric]
    outcome = found.get(spec.rollup_key, "") if spec.rollup_key else ""
    return found.get("component", ""), outcome


class Tally:
    """Exact per-minute counts of what was emitted (thread-safe), for comparing with the store."""

    def __init__(self, retention_minutes: int | None = None) -> None:
        """Keep every minute, or only the last `retention_minutes` (bounded memory)."""
        self._counts: defaultdict[CountKey, float] = defaultdict(float)
        self._lock = threading.Lock()
        self._retention_s = None if retention_minutes is None else retention_minutes * 60
        self._newest = 0

    def _prune(self, minute: int) -> None:
        """Forget minutes past the retention (called with the lock held)."""
        if self._retention_s is None or minute <= self._newest:
            return
        self._newest = minute
        horizon = minute - self._retention_s
        for key in [k for k in self._counts if k[0] <= horizon]:
            del self._counts[key]

    def add_sum(self, minute: int, samu_id: str, series: SeriesId, value: float) -> None:
        """Count a counter increment in a minute (epoch seconds at the start of the minute)."""
        if value:
            component, outcome = rollup(*series)
            with self._lock:
                self._prune(minute)
                self._counts[(minute, samu_id, series[0], component, outcome, INF)] += value

    def add_histogram(
        self, minute: int, samu_id: str, series: SeriesId, bucket_counts: Sequence[int]
    ) -> None:
        """Count histogram observations: cumulative count at each bound, and the total at inf."""
        total = sum(bucket_counts)
        if not total:
            return
        component, outcome = rollup(*series)
        metric = series[0]
        bounds = (*METRICS[metric].bounds, INF)
        running = 0
        with self._lock:
            self._prune(minute)
            for bound, count in zip(bounds, bucket_counts, strict=True):
                running += count
                if running:
                    self._counts[(minute, samu_id, metric, component, outcome, bound)] += running

    def add_sums(
        self, minutes: Sequence[int], samu_id: str, series: SeriesId, values: Sequence[float]
    ) -> None:
        """Count one counter's increments over many minutes at once."""
        component, outcome = rollup(*series)
        with self._lock:
            if minutes:
                self._prune(max(minutes))
            for minute, value in zip(minutes, values, strict=True):
                if value:
                    self._counts[(minute, samu_id, series[0], component, outcome, INF)] += value

    def merge(self, other: Tally) -> None:
        """Add another tally's counts into this one."""
        with self._lock:
            for key, value in other.snapshot().items():
                self._counts[key] += value

    def snapshot(self) -> dict[CountKey, float]:
        """A copy of every non-zero count."""
        with self._lock:
            return {k: v for k, v in self._counts.items() if v}

    def total(
        self,
        samu_id: str | None = None,
        metric: str | None = None,
        outcome: str | None = None,
        component: str | None = None,
        le: float = INF,
        minutes: Iterable[int] | None = None,
    ) -> float:
        """Sum of the counts matching every given filter (le defaults to the totals row)."""
        wanted = set(minutes) if minutes is not None else None
        return sum(
            v
            for (m, s, name, comp, out, bound), v in self.snapshot().items()
            if bound == le
            and (samu_id is None or s == samu_id)
            and (metric is None or name == metric)
            and (outcome is None or out == outcome)
            and (component is None or comp == component)
            and (wanted is None or m in wanted)
        )
