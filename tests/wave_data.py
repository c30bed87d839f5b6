"""Simulated history around a migration night, stored as the collector's views would store it.

The simulator's fleet is stepped minute by minute (its own scenarios: the night, the cutover
after it); what it emitted is written straight into `minute_counts` (counters and cumulative
histogram buckets), `minute_gauges` (one point per gauge series and minute) and `minute_ingest`
(every SAMU-minute sent data). The collector path itself (OTLP → these rows) is proven by
test_simulator_e2e; going around it keeps two weeks of ten SAMU to seconds.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, datetime

import numpy as np

from collector.conventions import METRICS
from collector.simulator.fleet import Fleet, FleetConfig
from collector.simulator.scenarios import Scenario, Timeline
from collector.simulator.tally import rollup
from collector.simulator.traffic import SamuInfo
from store.client import Store

COUNT_COLUMNS = ("minute", "samu_id", "metric", "component", "outcome", "le", "value")
GAUGE_COLUMNS = ("minute", "samu_id", "metric", "component", "min", "max", "sum", "n")
INGEST_COLUMNS = ("minute", "samu_id", "points", "max_lag_s")
_CHUNK = 200_000


def _insert(store: Store, table: str, rows: list[list[object]], columns: Sequence[str]) -> None:
    for i in range(0, len(rows), _CHUNK):
        store.insert(table, rows[i : i + _CHUNK], columns)


def simulate_into(
    store: Store,
    samus: Sequence[SamuInfo],
    start: datetime,
    end: datetime,
    scenarios: Sequence[Scenario],
    seed: int = 7,
) -> None:
    """Step the fleet over [start, end) a day at a time and store what it emitted."""
    first, last = int(start.timestamp()), int(end.timestamp())
    ids = [s.id for s in samus]
    fleet = Fleet(samus, Timeline(scenarios, float(first), ids), FleetConfig(seed=seed))
    for begin in range(first, last, 86400):
        minutes = np.arange(begin, min(begin + 86400, last), 60, dtype=np.int64)
        stamps = [datetime.fromtimestamp(int(m), UTC) for m in minutes]
        counts: list[list[object]] = []
        gauges: list[list[object]] = []
        for samu_id, batch in fleet.step(minutes.astype(np.float64), 60.0).items():
            for (metric, attributes), values in batch.sums.items():
                component, outcome = rollup(metric, attributes)
                for i in np.flatnonzero(values):
                    counts.append(
                        [stamps[i], samu_id, metric, component, outcome, math.inf, values[i]]
                    )
            for (metric, attributes), (buckets, _sums) in batch.hists.items():
                component, outcome = rollup(metric, attributes)
                cumulative = np.cumsum(buckets, axis=1)
                bounds = (*METRICS[metric].bounds, math.inf)
                for i in np.flatnonzero(cumulative[:, -1]):
                    for j, le in enumerate(bounds):
                        if cumulative[i, j]:
                            counts.append(
                                [
                                    stamps[i],
                                    samu_id,
                                    metric,
                                    component,
                                    outcome,
                                    le,
                                    cumulative[i, j],
                                ]
                            )
            for (metric, attributes), values in batch.gauges.items():
                component = dict(attributes).get("component", "")
                for i, v in enumerate(values.tolist()):
                    gauges.append([stamps[i], samu_id, metric, component, v, v, v, 1])
        _insert(store, "minute_counts", counts, COUNT_COLUMNS)
        _insert(store, "minute_gauges", gauges, GAUGE_COLUMNS)
        ingest = [[t, s, len(METRICS), 0.5] for s in ids for t in stamps]
        _insert(store, "minute_ingest", ingest, INGEST_COLUMNS)
