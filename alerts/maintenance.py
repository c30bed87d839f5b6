"""Planned maintenance windows: one object that mutes matching alerts and is excluded from SLOs.

Owned by `alerts` (it mutes alerts); `slo` reads it to exclude maintenance from budgets, and
the monthly report lists each window with who approved it. A window is one-off, or recurring
with an RFC 5545 RRULE expanded in its own time zone (DST-correct).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr

from alerts.errors import AlertsError


class MaintenanceError(AlertsError):
    """A maintenance window is invalid (times, RRULE, time zone, scope)."""


@dataclass(frozen=True)
class MaintenanceWindow:
    """A planned window; `samu_ids` empty and `regions` empty means the whole platform."""

    id: str
    title: str
    starts_at: datetime  # first occurrence start (aware)
    duration: timedelta
    approved_by: str
    created_by: str
    samu_ids: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    rrule: str = ""  # e.g. "FREQ=WEEKLY;BYDAY=TU;COUNT=4", expanded in `timezone`
    timezone: str = "Europe/Paris"
    reason: str = ""
    cancelled: bool = False
    labels: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.starts_at.tzinfo is None:
            raise MaintenanceError(f"maintenance {self.id}: starts_at needs a time zone")
        if self.duration <= timedelta(0):
            raise MaintenanceError(f"maintenance {self.id}: duration must be positive")
        if not self.approved_by:
            raise MaintenanceError(f"maintenance {self.id}: approved_by is required")
        try:
            ZoneInfo(self.timezone)
        except Exception as exc:
            raise MaintenanceError(f"maintenance {self.id}: unknown time zone") from exc
        if self.rrule:
            try:
                rrulestr(self.rrule, dtstart=self._local_start())
            except (ValueError, TypeError) as exc:
                raise MaintenanceError(f"maintenance {self.id}: bad RRULE: {exc}") from exc

    def _local_start(self) -> datetime:
        return self.starts_at.astimezone(ZoneInfo(self.timezone)).replace(tzinfo=None)

    def occurrences(self, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
        """UTC [from, to) intervals of this window that overlap [start, end)."""
        if self.cancelled:
            return []
        zone = ZoneInfo(self.timezone)
        if not self.rrule:
            starts = [self.starts_at.astimezone(UTC)]
        else:
            rule = rrulestr(self.rrule, dtstart=self._local_start())
            # Occurrence starts are local wall-clock times: 02:00 stays 02:00 across DST.
            lo = (start - self.duration).astimezone(zone).replace(tzinfo=None)
            hi = end.astimezone(zone).replace(tzinfo=None)
            starts = [
                local.replace(tzinfo=zone).astimezone(UTC)
                for local in rule.between(lo, hi, inc=True)
            ]
        return [
            (max(s, start), min(s + self.duration, end))
            for s in starts
            if s < end and s + self.duration > start
        ]

    def active_at(self, at: datetime) -> bool:
        return bool(self.occurrences(at, at + timedelta(microseconds=1)))

    def covers(self, samu_id: str, region: str = "") -> bool:
        """Whether this window applies to a SAMU (by id or region; empty scope = all)."""
        if not self.samu_ids and not self.regions:
            return True
        return samu_id in self.samu_ids or (bool(region) and region in self.regions)


def active_windows(windows: Iterable[MaintenanceWindow], at: datetime) -> list[MaintenanceWindow]:
    return [w for w in windows if w.active_at(at)]
