"""The report's core: frozen dataclasses of one month's figures, built by `reports.compute`.

Ratios are kept with their exact counts (good, valid) so that every percentage can be checked;
a figure that cannot be computed (no data) is None, never 100 %.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal, Protocol

Status = Literal["ok", "no_data"]


class IncidentLike(Protocol):
    """What the report reads from an incident (alerts.oncall.incidents.Incident has it all)."""

    @property
    def id(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def alertname(self) -> str: ...
    @property
    def samu(self) -> tuple[str, ...]: ...
    @property
    def component(self) -> str: ...
    @property
    def cause(self) -> str: ...
    @property
    def opened_at(self) -> datetime: ...
    @property
    def acked_at(self) -> datetime | None: ...
    @property
    def resolved_at(self) -> datetime | None: ...


@dataclass(frozen=True)
class Objectives:
    """The objectives and SLI definitions the report applies, taken from the shipped specs."""

    s1: float = 0.9995  # per SAMU, calendar month
    s1_national: float = 0.9999
    s2: float = 0.99
    s2_threshold_s: float = 1.0
    s3: float = 0.9995
    s1_good: tuple[str, ...] = ("success",)
    s1_excluded: tuple[str, ...] = ("caller_cancelled",)
    qs60_threshold_s: float = 60.0
    versions: tuple[tuple[str, str], ...] = ()  # (spec id, source file) of each definition


@dataclass(frozen=True)
class SamuRow:
    """One SAMU's month: S1/S2/S3, budget, QS60, abandonment, entraide and completeness."""

    samu_id: str
    name: str
    region: str
    status: Status
    calls: int  # setup attempts, caller hang-ups included
    s1_good: int
    s1_valid: int
    s1: float | None
    s2_good: int
    s2_valid: int
    s2: float | None
    s3_minutes_down: int | None  # judged minutes whose probes failed or were missing
    s3_minutes_judged: int  # good + bad minutes: after the first probe, outside maintenance
    s3: float | None
    budget_left: float | None  # fraction of the S1 error budget left (negative: overspent)
    met: bool | None
    answered: int
    answered_60: int
    abandoned_under_15: int
    abandoned_over_15: int
    qs60_raw: float | None  # answered ≤ 60 s / (answered + abandoned)
    qs60_adjusted: float | None  # same, without caller hang-ups under 15 s
    abandonment: float | None  # abandoned / (answered + abandoned)
    entraide_in: int
    entraide_out: int
    minutes_with_data: int
    minutes_in_month: int
    completeness: float
    maintenance_minutes: int
    # S3 minutes not judged: the silence was ours (Vigie gap), or no data under `no_data: skip`
    s3_minutes_gap: int | None = None
    s3_minutes_no_data: int | None = None


@dataclass(frozen=True)
class IncidentRow:
    """One incident that overlaps the month, with its estimated impact."""

    id: str
    title: str
    samu: tuple[str, ...]
    component: str
    detection: str
    cause: str
    start: datetime
    end: datetime | None
    duration_s: int | None
    affected_calls: int  # failed setups of its SAMU between start and end
    time_to_detect_s: int | None  # from the first bad minute to the incident opening
    time_to_ack_s: int | None
    time_to_resolve_s: int | None


@dataclass(frozen=True)
class MaintenanceRow:
    """One occurrence of a planned maintenance window inside the month."""

    id: str
    title: str
    samu: tuple[str, ...]  # the SAMU of the report it covers
    start: datetime
    end: datetime
    minutes: int
    approved_by: str
    reason: str


@dataclass(frozen=True)
class DayRow:
    """Daily counters of one SAMU (Europe/Paris civil day): the CSV annex."""

    day: date
    samu_id: str
    calls: int
    s1_good: int
    s1_valid: int
    s2_good: int
    s2_valid: int
    s3_minutes_down: int
    answered: int
    answered_60: int
    abandoned_under_15: int
    abandoned_over_15: int
    entraide_in: int
    entraide_out: int
    minutes_with_data: int


@dataclass(frozen=True)
class DayPoint:
    """National figures of one day, for the charts."""

    day: date
    s1: float | None
    budget_left: float | None  # S1 national budget left at the end of that day


@dataclass(frozen=True)
class Summary:
    """The national executive summary (event-weighted over every SAMU)."""

    s1_good: int
    s1_valid: int
    s1: float | None
    objective: float
    met: bool | None
    budget_consumed: float | None
    s2: float | None
    minutes_down: int
    incidents: int
    samu_met: int
    samu_missed: int
    samu_no_data: int
    previous_month: float | None
    previous_year: float | None


@dataclass(frozen=True)
class WaveRow:
    """One SAMU of a migration wave whose night fell in the month, and its verdicts (annex):
    the comparison of `waves.compare`, laid out, never recomputed."""

    wave_id: str
    title: str
    night_start: datetime
    night_end: datetime
    approved_by: str
    samu_id: str
    source: str  # the platform it left
    target: str  # the platform it joined
    verdict: str  # worse, better, same or no_data over its figures
    verdicts: tuple[tuple[str, str], ...]  # (figure, verdict) in the comparison's order
    days: int  # compared on each side of the night
    complete: bool  # False: the days after the night were not over when the report was made


@dataclass(frozen=True)
class MonthReport:
    """Everything one month's report states, in every format."""

    month: str
    timezone: str
    start: datetime
    end: datetime
    hours: int
    as_of: datetime  # the instant the figures describe: the end of the month, from the data
    objectives: Objectives
    summary: Summary
    samu: tuple[SamuRow, ...]
    incidents: tuple[IncidentRow, ...]
    maintenance: tuple[MaintenanceRow, ...]
    days: tuple[DayRow, ...]
    national_days: tuple[DayPoint, ...]
    waves: tuple[WaveRow, ...] = ()  # the month's migration waves (annex), when there were any
    # per SAMU, its S3 minutes judged bad in each UTC hour from `start` (the PDF's heat-map)
    bad_hours: Mapping[str, tuple[int, ...]] = field(default_factory=dict)
