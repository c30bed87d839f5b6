"""`platform_services`, the one call the composition root makes to build `UiServices` from the
services this process runs (dashboards/adapters.py) or, without the engine, from what the
engine wrote in the store (dashboards/stored.py)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence

from alerts.oncall.service import OnCallService
from alerts.service import AlertingService
from dashboards.adapters import AlertingAdapter, IncidentsAdapter
from dashboards.monthly import ReportsAdapter, ReportServiceLike
from dashboards.ports import (
    AlertingPort,
    IncidentsPort,
    MaintenancePort,
    NoAlerting,
    NoIncidents,
    NoMaintenance,
    NoReports,
    NoWaves,
    ReportsPort,
    UiServices,
    WavesPort,
)
from dashboards.stored import (
    StoredAlerting,
    StoredIncidents,
    StoredMaintenance,
    StoredSources,
)
from slo.evaluate import SloStatus
from slo.model import SLO
from store.client import Store
from store.clock import Clock
from store.registry import Registry


def latest_statuses(engine: object) -> Callable[[], Sequence[SloStatus]]:
    """`slo_status` over an engine: its latest tick's statuses and composites (none yet: ())."""

    def read() -> Sequence[SloStatus]:
        latest = getattr(engine, "latest", None)
        if latest is None:
            return ()
        return (*latest.statuses, *latest.composites)

    return read


def loaded_slos(engine: object) -> Callable[[], Sequence[SLO]]:
    """`slos` over an engine: its running specs (reloads included)."""

    def read() -> Sequence[SLO]:
        specs = getattr(engine, "specs", None)
        return tuple(getattr(specs, "slos", ()))

    return read


def platform_services(
    store: Store,
    registry: Registry,
    clock: Clock,
    *,
    engine: object | None = None,
    alerting: AlertingService | None = None,
    oncall: OnCallService | None = None,
    loop: asyncio.AbstractEventLoop | None = None,
    refresh_s: float = 10.0,
    reports: ReportServiceLike | None = None,
    stored: StoredSources | None = None,
    waves: WavesPort | None = None,
) -> UiServices:
    """The UI's services from what this process runs; without the engine, from what the engine
    wrote in the store (`stored`); what neither gives shows as empty."""
    alerts: AlertingPort = NoAlerting()
    incidents: IncidentsPort = NoIncidents()
    maintenance: MaintenancePort = NoMaintenance()
    if alerting is not None:
        maintenance = alerting.maintenance
        if oncall is not None:
            alerts = AlertingAdapter(alerting, oncall)
    if oncall is not None and loop is not None:
        incidents = IncidentsAdapter(oncall, loop)
    monthly: ReportsPort = ReportsAdapter(reports) if reports is not None else NoReports()
    statuses, slos = latest_statuses(engine), loaded_slos(engine)
    if engine is None and stored is not None:
        alerts = StoredAlerting(stored.state, stored.engine)
        incidents = StoredIncidents(stored.state, stored.engine)
        maintenance = StoredMaintenance(stored.state)
        statuses, slos = stored.statuses, stored.slos
    return UiServices(
        store=store,
        registry=registry,
        clock=clock,
        slo_status=statuses,
        slos=slos,
        alerting=alerts,
        incidents=incidents,
        maintenance=maintenance,
        refresh_s=refresh_s,
        reports=monthly,
        waves=waves or NoWaves(),
    )
