"""`vigie migration`: a plan checked before anything is stored, then imported, listed and
compared through a running instance's API, or on a store of its own (subprocess)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import uvicorn
from click.testing import CliRunner

from alerts.events import EventLog
from alerts.maintenance_store import MaintenanceStore
from store.audit import AuditLog
from store.client import Store
from store.clock import FakeClock
from store.registry import load_registry
from tests.people_factory import app_for, people_service
from tests.test_slo_eval_factories import shipped
from tests.wave_data import BROKEN, END, PLAN, WAVE
from vigie.commands.migration_cmds import migration
from vigie.waves_role import PrincipalScope, build_waves
from waves.api import create_waves_router

pytest_plugins = ("tests.wave_fixtures",)
ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "waves"
LOCAL = "vgt_local-cli-token-for-the-waves-test"


def test_an_invalid_plan_is_refused_before_anything_is_stored() -> None:
    result = CliRunner().invoke(migration, ["import", str(DATA / "bad.yaml")])
    assert result.exit_code == 1
    assert f"error: {DATA / 'bad.yaml'}:4: waves[0].night.start" in result.output
    checked = CliRunner().invoke(migration, ["import", "--dry-run", str(DATA / "good.csv")])
    assert checked.exit_code == 0, checked.output
    assert checked.output.startswith("OK vague-4: 3 SAMU, night 2026-11-17 22:00 → 06:00 (Paris)")


def test_on_a_store_of_its_own_a_plan_is_imported_once_and_listed(tmp_path: Path) -> None:
    """No instance runs: the command opens the store itself (its own process: chdb allows one
    data directory per process)."""
    code = (
        "import sys; from vigie.commands.migration_cmds import migration\n"
        "for args in (['import', sys.argv[1]], ['import', sys.argv[1]], ['list'],"
        " ['compare', 'vague-5', '--format', 'csv']):\n"
        "    migration(args, prog_name='vigie migration', standalone_mode=False)\n"
    )
    env = {**os.environ, "VIGIE_DATA_DIR": str(tmp_path), "VIGIE_URL": ""}
    done = subprocess.run(
        [sys.executable, "-c", code, str(DATA / "good.yaml")],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[:4] == [
        "vague-4: planned",
        "vague-5: planned",
        "vague-4: unchanged",
        "vague-5: unchanged",
    ]
    assert lines[4].startswith("vague-4") and "3 SAMU" in lines[4] and "planned" in lines[4]
    assert lines[6].startswith("wave,samu,from,to,figure")
    # no history on that store: every figure of every SAMU says so
    assert {line.split(",")[11] for line in lines[7:]} == {"no_data"}


@pytest.fixture
def instance(wave_store: Store) -> Iterator[str]:
    clock = FakeClock(END + timedelta(minutes=5))
    people = people_service(wave_store, clock, local_token=LOCAL)
    audit = AuditLog(wave_store, clock)
    maintenance = MaintenanceStore(wave_store, clock, EventLog(wave_store, clock), audit)
    specs = shipped()[0]
    service = build_waves(wave_store, clock, load_registry(), audit, maintenance, lambda: specs)
    app = app_for(wave_store, people, [create_waves_router(service, PrincipalScope())])
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:  # waiting for a boot, not timing
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def test_through_the_instance_a_plan_is_imported_and_its_wave_compared(
    instance: str, tmp_path: Path
) -> None:
    plan = tmp_path / "wave.yaml"
    plan.write_text(PLAN)
    auth = ["--url", instance, "--token", LOCAL]
    runner = CliRunner()
    imported = runner.invoke(migration, ["import", str(plan), *auth])
    assert imported.exit_code == 0, imported.output
    assert imported.output in (f"{WAVE.id}: planned\n", f"{WAVE.id}: unchanged\n")
    listed = runner.invoke(migration, ["list", "--format", "json", *auth])
    assert [w["id"] for w in json.loads(listed.output)] == [WAVE.id]
    shown = runner.invoke(migration, ["compare", WAVE.id, "--days", "5", *auth])
    assert shown.exit_code == 0, shown.output
    assert f"{BROKEN}  hebergement-regional → cloud-souverain  WORSE" in shown.output
    assert "5 days before vs 5 days after; 99.9% intervals" in shown.output
    missing = runner.invoke(migration, ["compare", "vague-404", *auth])
    assert missing.exit_code != 0 and "404" in missing.output
