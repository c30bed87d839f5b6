"""What a report reads besides counts: incidents, maintenance windows and the SLO definitions.

Incidents and maintenance come through two small protocols, so that tests pass values they
construct and the composition root passes the on-call service and the maintenance store.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Protocol

from alerts.maintenance import MaintenanceWindow
from reports.model import IncidentLike, MaintenanceRow, Objectives
from reports.queries import Exclusion
from slo.model import SLO, LatencySLI, RatioSLI
from slo.windows import Interval, floor_minute


class IncidentSource(Protocol):
    """Incidents that overlap [start, end)."""

    def incidents_between(self, start: datetime, end: datetime) -> Sequence[IncidentLike]: ...


class MaintenanceSource(Protocol):
    """Every planned maintenance window (cancelled ones flagged)."""

    def list(self) -> Sequence[MaintenanceWindow]: ...


class NoIncidents:
    """An IncidentSource with nothing in it."""

    def incidents_between(self, start: datetime, end: datetime) -> Sequence[IncidentLike]:
        return []


class NoMaintenance:
    """A MaintenanceSource with nothing in it."""

    def list(self) -> Sequence[MaintenanceWindow]:
        return []


class SamuLike(Protocol):
    """What a report needs of a registry SAMU."""

    @property
    def id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def region(self) -> str: ...


def _ceil_minute(instant: datetime) -> datetime:
    floor = floor_minute(instant)
    return floor if floor == instant.astimezone(UTC) else floor + timedelta(minutes=1)


def maintenance_in(
    windows: Sequence[MaintenanceWindow], samus: Sequence[SamuLike], period: Interval
) -> tuple[list[MaintenanceRow], list[Exclusion]]:
    """Occurrences inside `period` (whole minutes: a touched minute is excluded) and, per SAMU,
    the intervals to exclude from S1, S2 and S3."""
    rows: list[MaintenanceRow] = []
    exclusions: list[Exclusion] = []
    for window in windows:
        covered = tuple(s.id for s in samus if window.covers(s.id, s.region))
        if window.cancelled or not covered:
            continue
        for start, end in window.occurrences(period.start, period.end):
            lo, hi = floor_minute(start), min(_ceil_minute(end), period.end)
            rows.append(
                MaintenanceRow(
                    window.id,
                    window.title,
                    covered,
                    lo,
                    hi,
                    int((hi - lo).total_seconds() // 60),
                    window.approved_by,
                    window.reason,
                )
            )
            exclusions.extend((samu_id, lo, hi) for samu_id in covered)
    rows.sort(key=lambda r: (r.start, r.id))
    return rows, sorted(exclusions)


def objectives_from(slos: Sequence[SLO]) -> Objectives:
    """The report's objectives from the shipped specs (S1 monthly, S1 national, S2 < 1 s, S3)."""
    by_id = {slo.id: slo for slo in slos}
    base = Objectives()
    s1 = by_id.get("s1-call-setup-monthly")
    national = by_id.get("s1-call-setup-national")
    s2 = by_id.get("s2-setup-latency-under-1s")
    s3 = by_id.get("s3-reachability")
    good, excluded = base.s1_good, base.s1_excluded
    if s1 is not None and isinstance(s1.sli, RatioSLI):
        good = tuple(sorted(s1.sli.good.outcomes or ()))
        excluded = tuple(sorted(s1.sli.valid.not_outcomes))
    threshold = s2.sli.threshold_s if s2 is not None and isinstance(s2.sli, LatencySLI) else 1.0
    used = [slo for slo in (s1, national, s2, s3) if slo is not None]
    return Objectives(
        s1=s1.objective if s1 else base.s1,
        s1_national=national.objective if national else base.s1_national,
        s2=s2.objective if s2 else base.s2,
        s2_threshold_s=threshold,
        s3=s3.objective if s3 else base.s3,
        s1_good=good,
        s1_excluded=excluded,
        versions=tuple((slo.id, slo.source.rsplit("/", 1)[-1]) for slo in used),
    )
