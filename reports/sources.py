"""What a report reads besides counts: incidents, maintenance windows and the SLO definitions.

Incidents and maintenance come through two small protocols, so that tests pass values they
construct and the composition root passes the on-call service and the maintenance store.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from alerts.maintenance import MaintenanceWindow
from reports.model import IncidentLike, MaintenanceRow, WaveRow
from slo.windows import Interval, ceil_minute, floor_minute
from waves.compare import Comparison

Exclusion = tuple[str, datetime, datetime]  # (samu_id, start, end) in UTC, whole minutes


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


class WaveSource(Protocol):
    """The migration waves whose night starts in [start, end), compared as of `now`
    (waves.service.WaveService)."""

    def month(self, start: datetime, end: datetime, now: datetime) -> Sequence[Comparison]: ...


def wave_rows(comparisons: Sequence[Comparison]) -> list[WaveRow]:
    """One annex row per SAMU of each wave, by night then wave, in the wave's order."""
    rows = []
    for c in sorted(comparisons, key=lambda c: (c.wave.starts_at, c.wave.id)):
        for r in c.samu:
            rows.append(
                WaveRow(
                    c.wave.id,
                    c.wave.title,
                    c.wave.starts_at,
                    c.wave.ends_at,
                    c.wave.approved_by,
                    r.samu_id,
                    r.source,
                    r.target,
                    r.verdict,
                    tuple((f.figure, f.verdict) for f in r.figures),
                    c.method.days,
                    c.complete,
                )
            )
    return rows


class SamuLike(Protocol):
    """What a report needs of a registry SAMU."""

    @property
    def id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def region(self) -> str: ...


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
            lo, hi = floor_minute(start), min(ceil_minute(end), period.end)
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
