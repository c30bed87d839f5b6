"""The UI's ports: what it reads and does through the platform, as small protocols with plain
values, and `UiServices`, the bundle the composition root hands to `create_ui`.

The null implementations serve a UI process that runs without alerting (`vigie ui`): it shows
what the store knows and says that alerting is elsewhere.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from alerts.maintenance import MaintenanceWindow
from alerts.oncall.incidents import Incident
from slo.evaluate import SloStatus
from slo.model import SLO
from store.client import Store
from store.clock import Clock
from store.registry import Registry
from waves.compare import Comparison
from waves.history import StoredWave


@dataclass(frozen=True)
class AlertView:
    """One active alert of a group, with its mute state."""

    fingerprint: str
    labels: Mapping[str, str]
    summary: str
    starts_at: datetime
    state: str  # "active" or "suppressed"
    silenced_by: tuple[str, ...] = ()


@dataclass(frozen=True)
class GroupView:
    """One aggregation group as routed: its receiver, group labels and active alerts."""

    key: str
    receiver: str
    labels: Mapping[str, str]
    alerts: tuple[AlertView, ...]


@dataclass(frozen=True)
class SilenceView:
    """A silence as listed on the alerts page."""

    id: str
    matchers: tuple[str, ...]
    starts_at: datetime
    ends_at: datetime
    created_by: str
    comment: str
    state: str  # pending, active, expired


@dataclass(frozen=True)
class ShiftView:
    """Who is on call now for a schedule, and the next hand-off."""

    schedule: str
    on_call: tuple[str, ...]
    next_start: datetime | None = None
    next_people: tuple[str, ...] = ()


class AlertingPort(Protocol):
    """Alerts grouped as routed, silences, and who is on call."""

    def groups(self) -> list[GroupView]: ...

    def silences(self) -> list[SilenceView]: ...

    def create_silence(
        self, matchers: Mapping[str, str], ends_at: datetime, comment: str, actor: str, source: str
    ) -> str: ...

    def expire_silence(self, silence_id: str, actor: str, source: str) -> None: ...

    def on_call(self) -> list[ShiftView]: ...


class IncidentsPort(Protocol):
    """Incidents of the on-call service and the people's actions on them."""

    def open_incidents(self) -> list[Incident]: ...

    def between(self, start: datetime, end: datetime) -> list[Incident]: ...

    def act(self, incident_id: str, action: str, actor: str, source: str) -> Incident: ...


class MaintenancePort(Protocol):
    """Planned maintenance windows (cancelled ones flagged)."""

    def list(self) -> list[MaintenanceWindow]: ...


@dataclass(frozen=True)
class ReportSummary:
    """A month's national summary as the Reports page shows it; None figures mean no data."""

    month: str
    status: str  # "ok", "no_data" (nothing stored for the month) or "error" (see message)
    availability: float | None = None  # national S1, event-weighted
    objective: float | None = None
    met: bool | None = None
    budget_consumed: float | None = None
    incidents: int = 0
    minutes_down: int = 0
    samu_met: int = 0
    samu_missed: int = 0
    samu_no_data: int = 0
    completeness: float | None = None  # minutes with data / minutes of the month, all SAMU
    version: int | None = None  # the archived issue, None when never issued
    message: str = ""


@dataclass(frozen=True)
class ReportCheck:
    """The result of checking a month's archived files against their signed manifest."""

    ok: bool
    detail: str
    files: tuple[str, ...] = ()
    version: int | None = None
    fingerprint: str = ""  # of the public key the signature verified with


class ReportsPort(Protocol):
    """Monthly availability reports: archived months, a month's summary, issue and verify."""

    def months(self) -> list[str]: ...

    def summary(self, month: str) -> ReportSummary: ...

    def issue(self, month: str, lang: str, actor: str) -> int: ...

    def verify(self, month: str, lang: str) -> ReportCheck: ...


class NoReports:
    """A ReportsPort for a process without the report service: nothing archived, no figures."""

    def months(self) -> list[str]:
        return []

    def summary(self, month: str) -> ReportSummary:
        return ReportSummary(month, "error", message="reports do not run in this process")

    def issue(self, month: str, lang: str, actor: str) -> int:
        raise LookupError("reports do not run in this process")

    def verify(self, month: str, lang: str) -> ReportCheck:
        return ReportCheck(False, "reports do not run in this process")


class WavesPort(Protocol):
    """Migration waves and each SAMU's figures before vs after (waves.service.WaveService)."""

    def waves(self) -> list[StoredWave]: ...

    def get(self, wave_id: str) -> StoredWave: ...

    def compare(self, wave_id: str, days: int | None = None) -> Comparison: ...


class NoWaves:
    """A WavesPort for a process without the waves service: no wave to show."""

    def waves(self) -> list[StoredWave]:
        return []

    def get(self, wave_id: str) -> StoredWave:
        raise LookupError("migration waves are not read in this process")

    def compare(self, wave_id: str, days: int | None = None) -> Comparison:
        raise LookupError("migration waves are not read in this process")


@dataclass(frozen=True)
class UiServices:
    """Everything the Dash UI reads or acts through; built by the composition root."""

    store: Store
    registry: Registry
    clock: Clock
    slo_status: Callable[[], Sequence[SloStatus]]  # the engine's latest, composites included
    slos: Callable[[], Sequence[SLO]]  # the loaded specs (history queries use their SLI)
    alerting: AlertingPort
    incidents: IncidentsPort
    maintenance: MaintenancePort
    primary_slo: str = "s1-call-setup"  # colours the map and sorts the risk table
    national_slo: str = "s1-call-setup-national"
    refresh_s: float = 10.0  # wall mode auto-refresh
    wall_pages: tuple[str, ...] = ("national", "trouble", "alerts")  # rotated on the wall
    wall_rotate_s: float = 20.0
    reports: ReportsPort = field(default_factory=NoReports)
    waves: WavesPort = field(default_factory=NoWaves)
    extra: Mapping[str, object] = field(default_factory=dict)


class NoAlerting:
    """An AlertingPort for a process without the alert pipeline: nothing to show or do."""

    def groups(self) -> list[GroupView]:
        return []

    def silences(self) -> list[SilenceView]:
        return []

    def create_silence(
        self, matchers: Mapping[str, str], ends_at: datetime, comment: str, actor: str, source: str
    ) -> str:
        raise LookupError("alerting does not run in this process")

    def expire_silence(self, silence_id: str, actor: str, source: str) -> None:
        raise LookupError("alerting does not run in this process")

    def on_call(self) -> list[ShiftView]:
        return []


class NoIncidents:
    """An IncidentsPort for a process without on-call."""

    def open_incidents(self) -> list[Incident]:
        return []

    def between(self, start: datetime, end: datetime) -> list[Incident]:
        return []

    def act(self, incident_id: str, action: str, actor: str, source: str) -> Incident:
        raise LookupError("on-call does not run in this process")


class NoMaintenance:
    """A MaintenancePort without any window."""

    def list(self) -> list[MaintenanceWindow]:
        return []
