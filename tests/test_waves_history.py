"""Waves stored as appended, audited events; each night a maintenance window that mutes alerts."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from alerts.events import EventLog
from alerts.maintenance_store import MaintenanceStore
from store.audit import AuditLog
from store.client import Store
from store.clock import FakeClock
from waves.errors import PlanError, WaveNotFound
from waves.history import WaveBook
from waves.model import Move, Wave

NIGHT = datetime(2026, 11, 17, 21, tzinfo=UTC)
WAVE = Wave(
    "vague-4",
    "Vague 4 : Grand Est",
    NIGHT,
    NIGHT + timedelta(hours=8),
    "ANS, directeur des opérations",
    (
        Move("fr.health.samu054", "hebergement-regional", "cloud-souverain"),
        Move("fr.health.samu057", "datacentre-metz", "cloud-souverain"),
    ),
)


def book(store: Store) -> tuple[WaveBook, MaintenanceStore, AuditLog, FakeClock]:
    clock = FakeClock(NIGHT - timedelta(days=10))
    audit = AuditLog(store, clock)
    maintenance = MaintenanceStore(store, clock, EventLog(store, clock), audit)
    return WaveBook(store, clock, maintenance, audit), maintenance, audit, clock


def test_planning_a_wave_records_it_and_makes_its_night_a_maintenance_window(store: Store) -> None:
    waves, maintenance, audit, _ = book(store)
    assert waves.plan([WAVE], actor="alice", source="10.0.0.1") == [(WAVE, "planned")]
    [stored] = waves.current()
    assert stored.wave == WAVE and not stored.cancelled and stored.planned_by == "alice"
    [window] = maintenance.list()
    assert window.id == stored.maintenance_id
    assert (window.starts_at, window.duration) == (NIGHT, timedelta(hours=8))
    assert window.samu_ids == WAVE.samu_ids and window.approved_by == WAVE.approved_by
    assert window.labels == {"wave": "vague-4"}
    assert "datacentre-metz → cloud-souverain" in window.reason
    muter = maintenance.muter()
    assert muter.mutes({"samu": "fr.health.samu054"}, NIGHT + timedelta(hours=1))
    assert not muter.mutes({"samu": "fr.health.samu054"}, NIGHT + timedelta(hours=9))
    assert not muter.mutes({"samu": "fr.health.samu075"}, NIGHT + timedelta(hours=1))
    entry = audit.query(action="wave.planned")[0]
    assert (entry.actor, entry.target, entry.source) == ("alice", "vague-4", "10.0.0.1")
    assert entry.details["maintenance_id"] == window.id


def test_the_same_plan_twice_changes_nothing_and_a_changed_one_replans(store: Store) -> None:
    waves, maintenance, _, clock = book(store)
    waves.plan([WAVE], actor="alice")
    assert waves.plan([WAVE], actor="alice") == [(WAVE, "unchanged")]
    later = replace(
        WAVE, starts_at=NIGHT + timedelta(days=1), ends_at=NIGHT + timedelta(days=1, hours=6)
    )
    clock.advance(timedelta(minutes=5))
    assert waves.plan([later], actor="bob") == [(later, "replanned")]
    stored = waves.get("vague-4")
    assert stored.wave == later and stored.events == 2 and stored.planned_by == "bob"
    windows = {w.id: w for w in maintenance.list()}
    assert len(windows) == 2
    assert windows[stored.maintenance_id].starts_at == later.starts_at
    old = next(w for i, w in windows.items() if i != stored.maintenance_id)
    assert old.cancelled  # the first night mutes nothing any more
    assert [e.kind for e in waves.events("vague-4")] == ["wave.planned", "wave.replanned"]


def test_cancelling_a_wave_cancels_its_window_and_a_new_plan_plans_it_again(store: Store) -> None:
    waves, maintenance, audit, clock = book(store)
    waves.plan([WAVE], actor="alice")
    clock.advance(timedelta(minutes=1))
    stored = waves.cancel("vague-4", actor="bob")
    assert stored.cancelled and maintenance.list()[0].cancelled
    assert waves.between(NIGHT - timedelta(days=1), NIGHT + timedelta(days=1)) == []
    assert audit.query(action="wave.cancelled")[0].actor == "bob"
    clock.advance(timedelta(minutes=1))
    assert waves.plan([WAVE], actor="alice") == [(WAVE, "planned")]
    assert not waves.get("vague-4").cancelled
    with pytest.raises(WaveNotFound):
        waves.get("vague-404")


def test_a_month_lists_the_waves_whose_night_starts_in_it(store: Store) -> None:
    waves, *_ = book(store)
    december = replace(
        WAVE,
        id="vague-5",
        starts_at=NIGHT + timedelta(days=20),
        ends_at=NIGHT + timedelta(days=20, hours=4),
    )
    waves.plan([WAVE, december], actor="alice")
    november = waves.between(
        datetime(2026, 10, 31, 23, tzinfo=UTC), datetime(2026, 11, 30, 23, tzinfo=UTC)
    )
    assert [w.wave.id for w in november] == ["vague-4"]


def test_a_samu_already_moved_by_another_wave_that_night_is_refused(store: Store) -> None:
    waves, maintenance, *_ = book(store)
    waves.plan([WAVE], actor="alice")
    other = replace(WAVE, id="vague-4bis", moves=WAVE.moves[1:])
    with pytest.raises(PlanError) as caught:
        waves.plan([other], actor="alice")
    assert caught.value.problems == (
        "wave vague-4bis: fr.health.samu057 is already moved by wave vague-4 that night",
    )
    assert len(maintenance.list()) == 1  # nothing stored
    waves.cancel("vague-4", actor="alice")
    assert waves.plan([other], actor="alice") == [(other, "planned")]
