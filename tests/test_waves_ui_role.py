"""`vigie ui` without the engine reads the waves the engine planned in the store, and compares
them with the SLO specs of the files (the UI lists and compares; plans go through the API)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from prometheus_client import CollectorRegistry

from store.audit import AuditLog
from store.client import Store
from store.counts import CountsReader
from store.registry import load_registry
from tests.test_waves_history import NIGHT, WAVE, book
from vigie.platform import Platform
from vigie.settings import settings_from
from vigie.waves_role import stored_waves


def test_a_ui_process_lists_and_compares_the_waves_the_engine_planned(
    store: Store, tmp_path: Path
) -> None:
    engine_side, _, _, clock = book(store)
    engine_side.plan([WAVE], actor="alice")
    platform = Platform(
        settings=settings_from(data_dir=tmp_path),
        store=store,
        registry=load_registry(),
        clock=clock,
        metrics=CollectorRegistry(),
        audit=AuditLog(store, clock),
        counts=CountsReader(store),
    )
    ui_side = stored_waves(platform)
    [listed] = ui_side.waves()
    assert listed.wave == WAVE and listed.planned_by == "alice"
    clock.set(NIGHT + timedelta(hours=9))  # an hour after the night: provisional, no data yet
    found = ui_side.compare(WAVE.id, days=3)
    assert not found.complete and found.method.days == 3
    assert [r.samu_id for r in found.samu] == list(WAVE.samu_ids)
    assert {f.verdict for r in found.samu for f in r.figures} == {"no_data"}
