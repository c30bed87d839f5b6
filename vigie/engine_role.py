"""Wiring of the engine role: the SLO engine, the monthly report service and its schedule."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter

from alerts.model import Alert
from alerts.oncall.service import OnCallService
from alerts.service import AlertingService
from reports.api import create_reports_router
from reports.archive import Archive
from reports.schedule import due_month
from reports.service import ReportService
from reports.sign import Signer
from slo.api import create_slo_router
from slo.engine import Engine, reloader
from slo.errors import SpecError
from slo.loader import load_policy, load_specs
from slo.windows import window_for
from store.counts import CountsReader
from vigie.catalogue import conventions_catalogue
from vigie.platform import Platform
from vigie.waves_role import PrincipalScope, build_waves
from waves.api import create_waves_router
from waves.service import WaveService

if TYPE_CHECKING:
    from vigie.s3_backups import S3Backups

log = logging.getLogger("vigie.engine")
REPORT_CHECK_S = 3600.0
BACKUP_CHECK_S = 600.0


@dataclass(frozen=True)
class _InProcess:
    """The engine's alert sink: firing and resolved alerts go to the alerting service."""

    service: AlertingService

    def put(self, alerts: list[Alert]) -> None:
        self.service.put(alerts)


@dataclass
class EngineRuntime:
    engine: Engine
    reports: ReportService
    routers: list[APIRouter]
    reload_slos: Callable[[], Any]
    alerts: AlertingService  # where "the monthly report is ready" goes
    counts: CountsReader
    waves: WaveService
    backups: S3Backups | None = None  # scheduled S3 backups, when VIGIE_BACKUP_S3_URL is set
    tasks: list[asyncio.Task[Any]] = field(default_factory=list)
    stop: asyncio.Event = field(default_factory=asyncio.Event)

    def reload(self) -> None:
        try:
            self.reload_slos()
        except SpecError as exc:
            log.warning("SLO specs not reloaded (the running ones stay): %s", exc)

    def start(self, interval: timedelta) -> None:
        self.tasks = [
            asyncio.create_task(self.engine.run(interval, self.stop)),
            asyncio.create_task(self._report_schedule()),
        ]
        if self.backups is not None:
            self.tasks.append(asyncio.create_task(self._backup_schedule(self.backups)))

    async def close(self) -> None:
        self.stop.set()
        await asyncio.gather(*self.tasks, return_exceptions=True)

    def issue_due_report(self) -> str | None:
        """Produce last month's report on the 1st (Europe/Paris) and tell the reporting receiver;
        a month without any data is skipped (a report would only say "no data")."""
        month = due_month(self.reports.clock.now(), self.reports.archive.months())
        if month is None:
            return None
        period = window_for(month, "Europe/Paris")
        if not self.counts.received_between(period.start, period.end):
            return None
        bundle = self.reports.issue(month, actor="scheduler")
        now = self.reports.clock.now()
        self.alerts.put(
            [
                Alert(
                    labels={"alertname": "MonthlyReportReady", "severity": "info", "month": month},
                    starts_at=now,
                    ends_at=now + timedelta(hours=1),
                    annotations={
                        "summary": f"Rapport mensuel de disponibilité {month} disponible",
                        "version": str(bundle.version),
                    },
                )
            ]
        )
        return month

    async def _report_schedule(self) -> None:
        while not self.stop.is_set():
            try:
                month = await asyncio.to_thread(self.issue_due_report)
                if month:
                    log.warning("monthly report %s issued", month)
            except Exception:  # the schedule retries next hour; the error is visible
                log.exception("monthly report not issued")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stop.wait(), REPORT_CHECK_S)

    async def _backup_schedule(self, backups: S3Backups) -> None:
        """Every BACKUP_CHECK_S: the S3 backup the policy says is due, then its retention."""
        while not self.stop.is_set():
            try:
                done = await asyncio.to_thread(backups.run_if_due)
                if done is not None:
                    made = done.manifest
                    log.warning("S3 backup %s made (%d bytes)", made.name, made.bytes)
            except Exception:  # the next check retries; the error is visible
                log.exception("scheduled S3 backup failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stop.wait(), BACKUP_CHECK_S)


def build_engine(
    platform: Platform, alerts: AlertingService, incidents: OnCallService
) -> EngineRuntime:
    """The SLO engine (its alerts go to `alerts` in-process) and the report service (incidents
    from on-call, planned maintenance from the alerting service)."""
    s = platform.settings
    catalogue = conventions_catalogue()
    policy = load_policy()
    specs = load_specs(s.slo_specs, catalogue, policy)
    maintenance = alerts.maintenance
    engine = Engine(
        platform.store,
        specs,
        policy,
        platform.registry,
        platform.clock,
        alert_sink=_InProcess(alerts),
        maintenance=maintenance,
        metrics_registry=platform.metrics,
        generator_url=s.public_url,
    )
    reload_slos = reloader(engine, s.slo_specs, catalogue)
    waves = build_waves(
        platform.store,
        platform.clock,
        platform.registry,
        platform.audit,
        maintenance,
        lambda: engine.specs.slos,
    )
    signer = Signer(s.data_dir / "keys" / "report-signing.pem", log.warning)
    reports = ReportService(
        platform.store,
        list(platform.registry),
        lambda: engine.specs.slos,
        signer,
        Archive(platform.store, platform.clock, platform.audit),
        platform.clock,
        incidents=incidents,
        maintenance=maintenance,
        known_outcomes=catalogue.outcomes(),
        waves=waves,
    )
    routers = [
        create_slo_router(
            platform.store,
            platform.registry,
            platform.clock,
            lambda: engine.specs,
            reload_slos,
            maintenance.list,
            platform.audit,
        ),
        create_reports_router(reports, platform.audit),
    ]
    routers.append(create_waves_router(waves, PrincipalScope()))
    backups = None
    if s.backup_s3_url:
        from vigie.s3_backups import S3Backups, backup_policy

        backup_policy(s)  # a wrong schedule or retention stops the start, with the reason
        backups = S3Backups(platform.store, s, platform.clock, specs.slos)
    return EngineRuntime(
        engine, reports, routers, reload_slos, alerts, platform.counts, waves, backups
    )
