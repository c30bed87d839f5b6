"""A simulated month for the report tests: the fleet's exact tally, stored as the collector would.

The simulator's fleet is stepped minute by minute over the whole month (with scripted incidents
and a planned maintenance); its tally (exactly what was emitted, in the shape of `minute_counts`)
is inserted into the store, with one `minute_ingest` row per SAMU-minute that sent data. The
collector path itself (OTLP → minute_counts equals the tally) is proven by test_simulator_e2e.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import count

import numpy as np

from alerts.maintenance import MaintenanceWindow
from collector.conventions import METRICS
from collector.simulator.fleet import Fleet, FleetConfig
from collector.simulator.scenarios import Scenario, Timeline
from collector.simulator.tally import CountKey, Tally
from collector.simulator.traffic import SamuInfo
from reports.compute import compute_month
from reports.model import MonthReport
from slo.windows import window_for
from store.client import Store
from store.registry import Samu, load_registry
from tests.test_slo_eval_factories import shipped

COUNT_COLUMNS = ["minute", "samu_id", "metric", "component", "outcome", "le", "value"]


@dataclass(frozen=True)
class SimulatedMonth:
    """What was emitted, per minute_counts key, and which SAMU-minutes sent anything."""

    counts: dict[CountKey, float]
    data_minutes: frozenset[tuple[str, int]]  # (samu_id, minute epoch)


def simulate(
    samus: Sequence[SamuInfo],
    start: datetime,
    end: datetime,
    scenarios: Sequence[Scenario],
    seed: int = 7,
    gaps: Iterable[tuple[str, datetime, datetime]] = (),
) -> SimulatedMonth:
    """Step the fleet over [start, end) one day at a time; `gaps` drop a SAMU's telemetry."""
    first, last = int(start.timestamp()), int(end.timestamp())
    ids = [s.id for s in samus]
    fleet = Fleet(samus, Timeline(scenarios, float(first), ids), FleetConfig(seed=seed))
    tally = Tally()
    for begin in range(first, last, 86400):
        minutes = np.arange(begin, min(begin + 86400, last), 60, dtype=np.int64)
        for samu_id, batch in fleet.step(minutes.astype(np.float64), 60.0).items():
            for series, values in batch.sums.items():
                nz = np.flatnonzero(values)
                tally.add_sums(minutes[nz].tolist(), samu_id, series, values[nz].tolist())
            for series, (buckets, _) in batch.hists.items():
                for i in np.flatnonzero(buckets.sum(axis=1)):
                    tally.add_histogram(int(minutes[i]), samu_id, series, buckets[i].tolist())
    dropped = [(s, int(a.timestamp()), int(b.timestamp())) for s, a, b in gaps]

    def kept(samu_id: str, minute: int) -> bool:
        return not any(s == samu_id and a <= minute < b for s, a, b in dropped)

    counts = {k: v for k, v in tally.snapshot().items() if kept(k[1], k[0])}
    # Every SAMU-minute sends gauges (component health), so it has data unless dropped.
    data = frozenset((s, m) for s in ids for m in range(first, last, 60) if kept(s, m))
    return SimulatedMonth(counts, data)


def store_month(store: Store, month: SimulatedMonth) -> None:
    """Insert the simulated counts and arrival rows as the collector's views would."""
    rows = [
        [datetime.fromtimestamp(k[0], UTC), k[1], k[2], k[3], k[4], k[5], v]
        for k, v in month.counts.items()
    ]
    for i in range(0, len(rows), 200_000):
        store.insert("minute_counts", rows[i : i + 200_000], COUNT_COLUMNS)
    ingest = [[datetime.fromtimestamp(m, UTC), s, len(METRICS), 0.5] for s, m in month.data_minutes]
    for i in range(0, len(ingest), 200_000):
        store.insert(
            "minute_ingest", ingest[i : i + 200_000], ["minute", "samu_id", "points", "max_lag_s"]
        )


def minute(at: datetime) -> int:
    """Epoch seconds of the minute holding `at`."""
    return int(at.timestamp()) // 60 * 60


def minutes_between(start: datetime, end: datetime) -> range:
    """Epoch minutes of [start, end)."""
    return (
        range(minute(start), minute(end - timedelta(seconds=1)) + 60, 60)
        if end > start
        else range(0)
    )


@dataclass(frozen=True)
class FakeIncident:
    """An incident as alerts.oncall would hand it to the report."""

    id: str
    title: str
    alertname: str
    samu: tuple[str, ...]
    component: str
    cause: str
    opened_at: datetime
    acked_at: datetime | None
    resolved_at: datetime | None


class Incidents:
    """An IncidentSource over constructed incidents."""

    def __init__(self, incidents: Sequence[FakeIncident]) -> None:
        self._incidents = list(incidents)

    def incidents_between(self, start: datetime, end: datetime) -> list[FakeIncident]:
        return [
            i
            for i in self._incidents
            if i.opened_at < end and (i.resolved_at is None or i.resolved_at > start)
        ]


def expected_figures(
    sim: SimulatedMonth,
    ids: Sequence[str],
    start: datetime,
    end: datetime,
    maintenance: dict[str, list[tuple[int, int]]],
) -> dict[str, dict[str, float]]:
    """Each SAMU's month recomputed from the raw tally, without any of the report's code."""
    lo, hi = int(start.timestamp()), int(end.timestamp())
    out: dict[str, dict[str, float]] = {s: dict.fromkeys(_NAMES, 0.0) for s in ids}
    probes: dict[tuple[str, int], list[float]] = {}

    def paused(samu_id: str, m: int) -> bool:
        return any(a <= m < b for a, b in maintenance.get(samu_id, ()))

    for (m, s, metric, _component, outcome, le), v in sim.counts.items():
        if s not in out or not lo <= m < hi:
            continue
        x, slo = out[s], not paused(s, m)
        inf = le == float("inf")
        if metric == "samu.call.setups":
            x["calls"] += v
            x["s1_good"] += v * (slo and outcome == "success")
            x["s1_valid"] += v * (slo and outcome != "caller_cancelled")
        elif metric == "samu.call.setup.duration" and slo:
            x["s2_good"] += v * (le == 1.0)
            x["s2_valid"] += v * inf
        elif metric == "samu.call.answer.duration":
            x["answered"] += v * inf
            x["answered_60"] += v * (le == 60.0)
        elif metric == "samu.call.abandoned":
            x["abandoned_under_15" if outcome == "under_15s" else "abandoned_over_15"] += v
        elif metric == "samu.entraide.transfers":
            x["entraide_" + outcome] += v
        elif metric == "samu.probe.calls":
            pair = probes.setdefault((s, m), [0.0, 0.0])
            pair[outcome != "success"] += v
    for s in ids:
        x = out[s]
        paused_minutes = sum(paused(s, m) for m in range(lo, hi, 60))
        good = sum(
            1
            for (p, m), (ok, ko) in probes.items()
            if p == s and ok > 0 and ko == 0 and not paused(s, m)
        )
        x["maintenance_minutes"] = paused_minutes
        x["s3_minutes_down"] = (hi - lo) // 60 - paused_minutes - good
        x["minutes_with_data"] = sum(1 for p, m in sim.data_minutes if p == s and lo <= m < hi)
    return out


_NAMES = (
    "calls",
    "s1_good",
    "s1_valid",
    "s2_good",
    "s2_valid",
    "answered",
    "answered_60",
    "abandoned_under_15",
    "abandoned_over_15",
    "entraide_in",
    "entraide_out",
)


# The shared month of the report tests (session fixtures: simulated and stored once).
MONTH = "2026-10"
SIMULATED = ("fr.health.samu004", "fr.health.samu005", "fr.health.samu02A", "fr.health.samu02B")
SILENT = "fr.health.samu048"  # in the report, never sent anything
PERIOD = window_for(MONTH)
OUTAGE_AT = PERIOD.start + timedelta(days=3, hours=10)
MAINT_AT = PERIOD.start + timedelta(days=19, hours=2)
GAP = (
    "fr.health.samu02B",
    PERIOD.start + timedelta(days=14),
    PERIOD.start + timedelta(days=14, hours=3),
)
_names = count()


class Windows:
    def __init__(self, *windows: MaintenanceWindow) -> None:
        self.windows = list(windows)

    def list(self) -> list[MaintenanceWindow]:
        return self.windows


MAINTENANCE = MaintenanceWindow(
    id="mw-1",
    title="Montée de version Genesys",
    starts_at=MAINT_AT,
    duration=timedelta(hours=2),
    approved_by="ANS — directeur des opérations",
    created_by="noc",
    samu_ids=("fr.health.samu004",),
    reason="upgrade",
)
INCIDENT = FakeIncident(
    "inc-1",
    "SAMU 05 injoignable",
    "S1CallSetupFastBurn",
    ("fr.health.samu005",),
    "telephony",
    "panne du SBC",
    OUTAGE_AT + timedelta(minutes=2),
    OUTAGE_AT + timedelta(minutes=6),
    OUTAGE_AT + timedelta(minutes=48),
)


def offset(at: datetime) -> float:
    return (at - PERIOD.start).total_seconds()


def report_samus() -> list[Samu]:
    registry = load_registry()
    return [registry.require(i) for i in (*SIMULATED, SILENT)]


def report_of(store: Store) -> MonthReport:
    """The test month's report, computed from the store."""
    return compute_month(
        store, report_samus(), MONTH, shipped()[0], Incidents([INCIDENT]), Windows(MAINTENANCE)
    )
