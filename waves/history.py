"""Waves stored as appended events, each one audited, each night a planned maintenance window.

Importing a plan records, per wave, `wave.planned` (new, or planned again after a cancellation),
`wave.replanned` (its SAMU, night, platforms or approver changed) or nothing (unchanged). The
night becomes a maintenance window through the alerts package's own store (`MaintenancePlanner`:
the platform passes the one the alert pipeline mutes with), so it mutes the SAMU's alerts and is
excluded from their budgets as any planned maintenance; a replanned wave cancels its old window
and plans a new one; a cancelled wave cancels its window.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal, Protocol

from alerts.maintenance import MaintenanceWindow
from store.audit import AuditLog
from store.client import Store
from store.clock import Clock, utc
from waves.errors import PlanError, WaveNotFound
from waves.model import Wave

Kind = Literal["wave.planned", "wave.replanned", "wave.cancelled"]
Outcome = Literal["planned", "replanned", "unchanged"]
_COLUMNS = ("at", "wave_id", "kind", "actor", "source", "plan", "maintenance_id")


class MaintenancePlanner(Protocol):
    """What a wave needs of the maintenance store (alerts.maintenance_store.MaintenanceStore)."""

    def create(self, window: MaintenanceWindow, *, source: str = "") -> MaintenanceWindow: ...

    def cancel(self, wid: str, *, actor: str, source: str = "") -> MaintenanceWindow: ...


@dataclass(frozen=True)
class WaveEvent:
    """One change to a wave."""

    at: datetime
    wave_id: str
    kind: Kind
    actor: str
    source: str
    wave: Wave
    maintenance_id: str


@dataclass(frozen=True)
class StoredWave:
    """A wave as it stands: its latest plan, whether it is cancelled, its maintenance window."""

    wave: Wave
    cancelled: bool
    maintenance_id: str
    planned_by: str
    updated_at: datetime
    events: int

    def to_dict(self) -> dict[str, object]:
        return {
            **self.wave.to_dict(),
            "cancelled": self.cancelled,
            "maintenance_id": self.maintenance_id,
            "planned_by": self.planned_by,
            "updated_at": self.updated_at.isoformat(),
            "events": self.events,
        }


def _window(wave: Wave, actor: str) -> MaintenanceWindow:
    moves = ", ".join(sorted({f"{m.source} → {m.target}" for m in wave.moves}))
    return MaintenanceWindow(
        id="",
        title=f"Migration {wave.id}: {wave.title}",
        starts_at=wave.starts_at,
        duration=wave.ends_at - wave.starts_at,
        approved_by=wave.approved_by,
        created_by=actor,
        samu_ids=wave.samu_ids,
        reason=f"migration wave {wave.id} ({moves})",
        labels={"wave": wave.id},
    )


class WaveBook:
    """Plans, replans, cancels and lists waves; every change an event and an audit entry."""

    def __init__(
        self,
        store: Store,
        clock: Clock,
        maintenance: MaintenancePlanner,
        audit: AuditLog | None = None,
    ) -> None:
        self._store, self._clock, self._maintenance, self._audit = store, clock, maintenance, audit

    def events(self, wave_id: str | None = None) -> list[WaveEvent]:
        """Every event (of one wave), oldest first."""
        rows = self._store.query(
            "SELECT at, wave_id, kind, actor, source, plan, maintenance_id "
            "FROM {db}.migration_wave_events "
            "WHERE {wave:String} = '' OR wave_id = {wave:String} ORDER BY at, wave_id",
            {"wave": wave_id or ""},
        )
        return [
            WaveEvent(utc(r[0]), r[1], r[2], r[3], r[4], Wave.from_dict(json.loads(r[5])), r[6])
            for r in rows
        ]

    def current(self) -> list[StoredWave]:
        """Every wave as it stands, by night."""
        by_id: dict[str, list[WaveEvent]] = {}
        for e in self.events():
            by_id.setdefault(e.wave_id, []).append(e)
        out = [_current(events) for events in by_id.values()]
        return sorted(out, key=lambda w: (w.wave.starts_at, w.wave.id))

    def get(self, wave_id: str) -> StoredWave:
        events = self.events(wave_id)
        if not events:
            raise WaveNotFound(f"no migration wave {wave_id!r}")
        return _current(events)

    def between(self, start: datetime, end: datetime) -> list[StoredWave]:
        """The waves (not cancelled) whose night starts in [start, end): a month's annex."""
        return [w for w in self.current() if not w.cancelled and start <= w.wave.starts_at < end]

    def plan(
        self, waves: Sequence[Wave], *, actor: str, source: str = ""
    ) -> list[tuple[Wave, Outcome]]:
        """Record each wave of a plan; its night becomes (or stays) a maintenance window.
        PlanError when a SAMU of it is moved by another planned wave in an overlapping night."""
        known = {w.wave.id: w for w in self.current()}
        clashes = _clashes(waves, [w.wave for w in known.values() if not w.cancelled])
        if clashes:
            raise PlanError(f"{len(clashes)} problem(s)\n" + "\n".join(clashes), tuple(clashes))
        out: list[tuple[Wave, Outcome]] = []
        for wave in waves:
            stored = known.get(wave.id)
            if stored is not None and not stored.cancelled and stored.wave == wave:
                out.append((wave, "unchanged"))
                continue
            if stored is not None and not stored.cancelled:
                self._maintenance.cancel(stored.maintenance_id, actor=actor, source=source)
                kind: Kind = "wave.replanned"
            else:
                kind = "wave.planned"
            window = self._maintenance.create(_window(wave, actor), source=source)
            last = stored.updated_at if stored is not None else None
            self._record(kind, wave, actor, source, window.id, last)
            out.append((wave, "replanned" if kind == "wave.replanned" else "planned"))
        return out

    def cancel(self, wave_id: str, *, actor: str, source: str = "") -> StoredWave:
        """Cancel a wave: its maintenance window is cancelled too (its SAMU are not moved)."""
        stored = self.get(wave_id)
        if not stored.cancelled:
            self._maintenance.cancel(stored.maintenance_id, actor=actor, source=source)
            window, last = stored.maintenance_id, stored.updated_at
            self._record("wave.cancelled", stored.wave, actor, source, window, last)
        return self.get(wave_id)

    def _record(
        self,
        kind: Kind,
        wave: Wave,
        actor: str,
        source: str,
        window: str,
        last: datetime | None = None,
    ) -> None:
        """Append an event; a wave's events are read back in time order, so one that falls in
        the millisecond of the wave's `last` event (a cancel right after a plan) is placed a
        millisecond after it."""
        plan = wave.to_dict()
        now = self._clock.now()
        at = now.replace(microsecond=now.microsecond // 1000 * 1000)  # as stored: DateTime64(3)
        if last is not None and at <= last:
            at = last + timedelta(milliseconds=1)
        row = [at, wave.id, kind, actor, source, json.dumps(plan), window]
        self._store.insert("migration_wave_events", [row], _COLUMNS)
        if self._audit is not None:
            details = {**plan, "maintenance_id": window}
            self._audit.record(actor, kind, target=wave.id, source=source, details=details)


def _clashes(new: Sequence[Wave], planned: Sequence[Wave]) -> list[str]:
    """A SAMU moved by a new wave and by another planned one in overlapping nights."""
    ids = {w.id for w in new}
    out = []
    for w in new:
        for other in planned:
            if other.id in ids or not (w.starts_at < other.ends_at and other.starts_at < w.ends_at):
                continue
            for samu in sorted(set(w.samu_ids) & set(other.samu_ids)):
                out.append(f"wave {w.id}: {samu} is already moved by wave {other.id} that night")
    return out


def _current(events: Sequence[WaveEvent]) -> StoredWave:
    last = events[-1]
    planned = next(e for e in reversed(events) if e.kind != "wave.cancelled")
    return StoredWave(
        last.wave,
        last.kind == "wave.cancelled",
        last.maintenance_id,
        planned.actor,
        last.at,
        len(events),
    )
