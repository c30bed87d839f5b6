"""The engine loop: every tick evaluates every SLO and guard, writes snapshots, sets the SLO
gauges and hands firing and resolved alerts (label sets) to the alert pipeline.

Collaborators are passed in: the store, the specs and policy (reloadable, validated first), the
registry, a clock, an `AlertSink` (the alert pipeline's `put`), a `MaintenanceSource` (its
maintenance store) and a prometheus registry. The figures come from a ledger kept current
incrementally (`slo.live`), evaluated by the one computation every reader uses
(`slo.evaluate`); guards by `slo.findings`; alerts by `slo.alert_state`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Protocol

from prometheus_client import CollectorRegistry

from alerts.maintenance import MaintenanceWindow
from alerts.model import Alert
from slo.alert_state import AlertSink, AlertState, CollectingSink
from slo.catalogue import Catalogue
from slo.errors import SloError, SpecError
from slo.evaluate import SloStatus, evaluate_all
from slo.findings import Findings
from slo.gauges import SloGauges
from slo.guards import Finding
from slo.live import LiveLedger, horizon
from slo.loader import LoadResult, load_policy, load_specs
from slo.policy import PolicySet
from slo.reader import GuardReader
from slo.rollup import BurningView, burning
from slo.windows import format_duration
from store.client import Store
from store.clock import Clock
from store.errors import StoreError
from store.registry import Registry

log = logging.getLogger("vigie.slo")
HEARTBEAT_METRIC = "samu.reachability.checks"
SNAPSHOT_COLUMNS = (
    "time",
    "slo",
    "samu_id",
    "objective",
    "sli",
    "good",
    "valid",
    "budget_remaining",
    "burns",
    "state",
)


class MaintenanceSource(Protocol):
    """The planned maintenance windows (the alert pipeline's maintenance store)."""

    def list(self) -> list[MaintenanceWindow]: ...


class NoMaintenance:
    """A MaintenanceSource without any window."""

    def list(self) -> list[MaintenanceWindow]:
        return []


@dataclass(frozen=True)
class TickResult:
    """What one tick saw and did."""

    at: datetime
    statuses: tuple[SloStatus, ...]
    composites: tuple[SloStatus, ...]
    burning: tuple[BurningView, ...]
    findings: tuple[Finding, ...]
    firing: tuple[Alert, ...]
    sent: tuple[Alert, ...]
    seconds: float
    cells_read: int = 0  # SAMU-minutes re-read from the store (new and late data)


class Engine:
    """Evaluates every SLO and guard on each tick and keeps the alert state."""

    def __init__(
        self,
        store: Store,
        specs: LoadResult,
        policy: PolicySet,
        registry: Registry,
        clock: Clock,
        alert_sink: AlertSink | None = None,
        maintenance: MaintenanceSource | None = None,
        metrics_registry: CollectorRegistry | None = None,
        *,
        generator_url: str = "",
        write_snapshots: bool = True,
        snapshot_every: timedelta = timedelta(minutes=1),
        resend_every: timedelta = timedelta(minutes=1),
        heartbeat_metric: str = HEARTBEAT_METRIC,
    ) -> None:
        self._store = store
        self._registry = registry
        self._clock = clock
        self._maintenance = maintenance or NoMaintenance()
        self._gauges = SloGauges(metrics_registry or CollectorRegistry())
        self._write_snapshots = write_snapshots
        self._snapshot_every = snapshot_every
        self._last_snapshot: datetime | None = None
        self._labels = {s.id: {**s.to_dict(), "overseas": s.overseas} for s in registry}
        self._regions = {s.id: s.region for s in registry}
        self._lock = threading.Lock()
        self._specs, self._policy = self._validated(specs, policy)
        self._live = LiveLedger(store, [s.id for s in registry])
        self._findings = Findings(GuardReader(store), registry, self._labels, heartbeat_metric)
        self._alerts = AlertState(
            alert_sink or CollectingSink(), self._regions, generator_url, resend_every
        )
        self.latest: TickResult | None = None

    @property
    def specs(self) -> LoadResult:
        return self._specs

    @property
    def policy(self) -> PolicySet:
        return self._policy

    def _validated(self, specs: LoadResult, policy: PolicySet) -> tuple[LoadResult, PolicySet]:
        ids = [s.id for s in specs.slos] + [g.id for g in specs.guards]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise SloError(f"duplicate SLO or guard ids: {', '.join(duplicates)}")
        horizon(specs.slos, self._clock.now())  # every window and policy is computable
        return specs, policy

    def reload(self, specs: LoadResult, policy: PolicySet) -> None:
        """Swap specs and policy after validating them; the running state is kept."""
        checked = self._validated(specs, policy)
        with self._lock:
            self._specs, self._policy = checked
            self._findings.reset()
        log.warning("slo specs reloaded: %d SLOs, %d guards", len(specs.slos), len(specs.guards))

    def tick(self) -> TickResult:
        """Evaluate everything at the clock's now, hand alert changes to the sink."""
        started = time.perf_counter()
        with self._lock:
            specs, policy = self._specs, self._policy
        now = self._clock.now()
        slos = specs.slos
        tallies = self._live.tallies(slos, now, self._maintenance.list(), self._regions)
        found = evaluate_all(slos, self._labels, tallies, now, composites=True)
        statuses, comps = found.statuses, found.composites
        findings = self._findings.evaluate(
            now, slos, specs.guards, policy.guards, tallies, statuses
        )
        firing, sent = self._alerts.update(now, statuses, findings)
        self._gauges.export([*statuses, *comps])
        due = self._last_snapshot is None or now - self._last_snapshot >= self._snapshot_every
        if self._write_snapshots and due:  # what the engine saw, kept for the audit
            self._snapshot(now, [*statuses, *comps])
            self._last_snapshot = now
        result = TickResult(
            now,
            tuple(statuses),
            tuple(comps),
            tuple(burning(statuses, self._regions)),
            tuple(findings),
            firing,
            sent,
            time.perf_counter() - started,
            self._live.cells_read,
        )
        self.latest = result
        return result

    async def run(
        self, interval: timedelta = timedelta(seconds=10), stop: asyncio.Event | None = None
    ) -> None:
        """Tick every `interval` until `stop` is set; a store outage is logged, not fatal."""
        stop = stop or asyncio.Event()
        while not stop.is_set():
            try:
                await asyncio.to_thread(self.tick)
            except StoreError as exc:
                log.warning("slo tick skipped: %s", exc)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), interval.total_seconds())

    def _snapshot(self, now: datetime, statuses: Sequence[SloStatus]) -> None:
        rows = [
            (
                now,
                st.slo,
                st.samu,
                st.objective,
                st.sli,
                st.budget.good,
                st.budget.valid,
                st.budget.remaining,
                {
                    format_duration(w): b.burn_rate
                    for w, b in st.burns.items()
                    if b.burn_rate is not None
                },
                st.state,
            )
            for st in statuses
        ]
        self._store.insert("slo_snapshots", rows, SNAPSHOT_COLUMNS)


def reloader(
    engine: Engine, spec_dir: Path, catalogue: Catalogue, policy_file: Path | None = None
) -> Callable[[], LoadResult]:
    """A callable that reloads specs and policy from files (SIGHUP, POST /api/v1/slos/reload).

    Raises SpecError with every issue when a file is invalid; the running specs stay.
    """

    def reload() -> LoadResult:
        policy = load_policy(policy_file)
        specs = load_specs(spec_dir, catalogue, policy)
        engine.reload(specs, policy)
        return specs

    return reload


__all__ = [
    "AlertSink",
    "CollectingSink",
    "Engine",
    "MaintenanceSource",
    "SpecError",
    "reloader",
]
