"""Simulated history around a migration night, stored as the collector's views would store it.

The simulator's fleet is stepped minute by minute (its own scenarios: the night, the cutover
after it); what it emitted is written straight into `minute_counts` (counters and cumulative
histogram buckets), `minute_gauges` (one point per gauge series and minute) and `minute_ingest`
(every SAMU-minute sent data). The collector path itself (OTLP → these rows) is proven by
test_simulator_e2e; going around it keeps two weeks of ten SAMU to seconds.

The wave the waves tests share (stored once per session by `tests.wave_fixtures`): six SAMU
moved in one night, each as scripted — `EXPECTED` says what each SAMU's verdicts must be:

- 075 (large) and 048 (the smallest): network latency +15 ms after the night, nothing else;
- 069: the move went wrong: +15 ms, 1 % of setups and probes failing, setups ×1.5, the
  database flapping 5 % of minutes — every figure worse;
- 049: its old platform was failing 1 % of setups and probes; after the move it is fine;
- 004 and 001: moved cleanly; 001 also had two hours of planned maintenance after the night
  (its calls overflowed, its probes failed, telephony down), declared, so excluded.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import numpy as np

from alerts.maintenance import MaintenanceWindow
from collector.conventions import METRICS
from collector.simulator.fleet import Fleet, FleetConfig
from collector.simulator.scenarios import Scenario, Timeline
from collector.simulator.tally import rollup
from collector.simulator.traffic import SamuInfo
from store.client import Store
from store.registry import load_registry
from tests.test_slo_eval_factories import shipped
from waves.measures import Method, Sources, sources_of
from waves.model import Move, Wave

COUNT_COLUMNS = ("minute", "samu_id", "metric", "component", "outcome", "le", "value")
GAUGE_COLUMNS = ("minute", "samu_id", "metric", "component", "min", "max", "sum", "n")
INGEST_COLUMNS = ("minute", "samu_id", "points", "max_lag_s")
_CHUNK = 200_000

DAYS = 5
NIGHT = datetime(2026, 11, 17, 21, tzinfo=UTC)  # 22:00 in Paris
NIGHT_END = NIGHT + timedelta(hours=8)
START = NIGHT - timedelta(days=DAYS)
END = NIGHT_END + timedelta(days=DAYS)
AFTER = (NIGHT_END - START).total_seconds()
SHIFTED = ("fr.health.samu075", "fr.health.samu048")
BROKEN = "fr.health.samu069"
HEALED = "fr.health.samu049"
CLEAN = ("fr.health.samu004", "fr.health.samu001")
SAMU = (*SHIFTED, BROKEN, HEALED, *CLEAN)
MAINTAINED = "fr.health.samu001"
MAINT_AT = NIGHT_END + timedelta(days=2, hours=3)

WAVE = Wave(
    "vague-test",
    "Vague de test",
    NIGHT,
    NIGHT_END,
    "ANS, directeur des opérations",
    tuple(Move(s, "hebergement-regional", "cloud-souverain") for s in SAMU),
)
NIGHT_WINDOW = MaintenanceWindow(
    "mw-night", "night", NIGHT, NIGHT_END - NIGHT, "ANS", "noc", samu_ids=SAMU
)
PLANNED = MaintenanceWindow(
    "mw-001", "upgrade", MAINT_AT, timedelta(hours=2), "ANS", "noc", samu_ids=(MAINTAINED,)
)
PLAN = "\n".join(
    [
        "version: 1",
        "waves:",
        f"  - id: {WAVE.id}",
        f"    title: {WAVE.title}",
        f"    night: {{start: {WAVE.starts_at.isoformat()}, end: {WAVE.ends_at.isoformat()}}}",
        f"    approved_by: {WAVE.approved_by}",
        "    from: hebergement-regional",
        "    to: cloud-souverain",
        "    samu: [" + ", ".join(SAMU) + "]",
        "",
    ]
)
METHOD = Method(days=DAYS)
SCENARIOS = [
    Scenario("migration", SAMU, (NIGHT - START).total_seconds(), 8 * 3600.0),
    Scenario("cutover", SHIFTED, AFTER, DAYS * 86400.0, (("shift", 0.015),)),
    Scenario(
        "cutover",
        (BROKEN,),
        AFTER,
        DAYS * 86400.0,
        (("factor", 1.5), ("flap", 0.05), ("fraction", 0.01), ("shift", 0.015)),
    ),
    Scenario("trunk", (HEALED,), 0.0, (NIGHT - START).total_seconds(), (("fraction", 0.01),)),
    Scenario("maintenance", (MAINTAINED,), (MAINT_AT - START).total_seconds(), 7200.0),
]

# What the scenario makes of each SAMU's figures (every figure not named is `same`).
EXPECTED: dict[str, dict[str, str]] = {
    "fr.health.samu075": {"network_latency": "worse"},
    "fr.health.samu048": {"network_latency": "worse"},
    BROKEN: {
        "availability": "worse",
        "reachability": "worse",
        "setup_p50": "worse",
        "setup_p95": "worse",
        "setup_p99": "worse",
        "network_latency": "worse",
        "component_health": "worse",
    },
    HEALED: {"availability": "better", "reachability": "better"},
    "fr.health.samu004": {},
    MAINTAINED: {},
}


def labels() -> dict[str, dict[str, object]]:
    registry = load_registry()
    return {s.id: {**s.to_dict(), "overseas": s.overseas} for s in registry}


def regions() -> dict[str, str]:
    return {s.id: s.region for s in load_registry()}


def sources() -> Sources:
    return sources_of(list(shipped()[0]), tuple(METRICS["samu.call.setup.duration"].bounds))


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
