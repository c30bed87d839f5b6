"""Maintenance windows, persisted and audited, and the muter that silences alerts of SAMU under one.

`MaintenanceStore.list()` reads the store (the SLO engine excludes these windows from budgets);
the pipeline mutes with `MaintenanceMuter`, built from the windows this process knows.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from alerts.errors import AlertsError
from alerts.events import EventLog
from alerts.maintenance import MaintenanceWindow
from alerts.tables import row_version
from store.audit import AuditLog
from store.client import Store
from store.clock import Clock, utc

_COLUMNS = (
    "id",
    "title",
    "starts_at",
    "duration_s",
    "approved_by",
    "created_by",
    "samu_ids",
    "regions",
    "rrule",
    "timezone",
    "reason",
    "cancelled",
    "labels",
    "updated_at",
    "version",
)
SAMU_LABEL = "samu"


class MaintenanceNotFound(AlertsError, LookupError):
    """No maintenance window has this id."""


class MaintenanceMuter:
    """A `Muter`: mutes alerts whose `samu` label is covered by a window active at that instant.

    Alerts without a `samu` label (the watchdog, platform alerts) are never muted by maintenance.
    """

    def __init__(
        self, windows: Iterable[MaintenanceWindow], regions: Mapping[str, str] | None = None
    ) -> None:
        self._windows = tuple(w for w in windows if not w.cancelled)
        self._regions = regions or {}

    def muted_by(self, labels: Mapping[str, str], now: datetime) -> list[str]:
        """Ids of the active windows covering the alert's SAMU."""
        samu = labels.get(SAMU_LABEL, "")
        if not samu:
            return []
        region = self._regions.get(samu, "")
        return [w.id for w in self._windows if w.covers(samu, region) and w.active_at(now)]

    def mutes(self, labels: Mapping[str, str], now: datetime) -> bool:
        return bool(self.muted_by(labels, now))


class MaintenanceStore:
    """Create, cancel and list maintenance windows; each change is an event and an audit entry."""

    def __init__(
        self, store: Store, clock: Clock, events: EventLog, audit: AuditLog | None = None
    ) -> None:
        self._store, self._clock, self._events, self._audit = store, clock, events, audit
        self._known: dict[str, MaintenanceWindow] = {}
        self._lock = threading.Lock()

    def list(self) -> list[MaintenanceWindow]:
        """Every window in the store, cancelled ones included (flagged), by start."""
        rows = self._store.query(
            "SELECT id, title, starts_at, duration_s, approved_by, created_by, samu_ids, regions, "
            "rrule, timezone, reason, cancelled, labels FROM {db}.maintenance_windows FINAL "
            "ORDER BY starts_at, id"
        )
        windows = [_window(r) for r in rows]
        with self._lock:
            self._known = {w.id: w for w in windows}
        return windows

    load = list  # at start: read the windows into this process

    def get(self, wid: str) -> MaintenanceWindow:
        with self._lock:
            window = self._known.get(wid)
        if window is None:
            window = next((w for w in self.list() if w.id == wid), None)
        if window is None:
            raise MaintenanceNotFound(f"maintenance window {wid!r} not found")
        return window

    def muter(self, regions: Mapping[str, str] | None = None) -> MaintenanceMuter:
        """A muter over the windows this process knows."""
        with self._lock:
            return MaintenanceMuter(list(self._known.values()), regions)

    def create(self, window: MaintenanceWindow, *, source: str = "") -> MaintenanceWindow:
        """Store a new window (a fresh id when it has none), by its `created_by`."""
        if not window.id:
            window = replace(window, id=str(uuid.uuid4()))
        self._save(window, "maintenance.created", window.created_by, source)
        return window

    def cancel(self, wid: str, *, actor: str, source: str = "") -> MaintenanceWindow:
        """Cancel a window: it mutes nothing from now on and no longer excludes SLO time."""
        window = replace(self.get(wid), cancelled=True)
        self._save(window, "maintenance.cancelled", actor, source)
        return window

    def _save(self, w: MaintenanceWindow, kind: str, actor: str, source: str) -> None:
        now = self._clock.now()
        row = [w.id, w.title, w.starts_at, w.duration.total_seconds(), w.approved_by, w.created_by]
        row += [list(w.samu_ids), list(w.regions), w.rrule, w.timezone, w.reason, w.cancelled]
        row += [dict(w.labels), now, row_version()]
        self._store.insert("maintenance_windows", [row], _COLUMNS)
        with self._lock:
            self._known[w.id] = w
        details = {
            "title": w.title,
            "starts_at": w.starts_at.isoformat(),
            "duration_s": w.duration.total_seconds(),
            "samu_ids": list(w.samu_ids),
            "regions": list(w.regions),
            "rrule": w.rrule,
            "approved_by": w.approved_by,
            "reason": w.reason,
        }
        self._events.record(kind, actor=actor, target=w.id, details=details)
        if self._audit is not None:
            self._audit.record(actor, kind, target=w.id, source=source, details=details)


def _window(r: tuple[Any, ...]) -> MaintenanceWindow:
    starts_at, duration = r[2], r[3]
    assert isinstance(starts_at, datetime) and isinstance(duration, float)
    return MaintenanceWindow(
        id=str(r[0]),
        title=str(r[1]),
        starts_at=utc(starts_at),
        duration=timedelta(seconds=duration),
        approved_by=str(r[4]),
        created_by=str(r[5]),
        samu_ids=tuple(r[6]),
        regions=tuple(r[7]),
        rrule=str(r[8]),
        timezone=str(r[9]),
        reason=str(r[10]),
        cancelled=bool(r[11]),
        labels=dict(r[12]),
    )
