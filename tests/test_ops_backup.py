"""Backups: an export round trip on the test engine, native BACKUP/RESTORE across processes
(each with its own chdb directory), refusals, and the admin API.

Data is stamped a few hours before the wall clock on purpose: ClickHouse evaluates TTLs on the
wall clock, and a restored row older than its table's TTL would be deleted at the next merge.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fastapi import FastAPI
from fastapi.testclient import TestClient

from alerts.events import EventLog
from store.audit import AuditLog
from store.backup import (
    BackupError,
    backup,
    digest,
    open_store_for_backup,
    read_manifest,
    restore,
    views,
)
from store.client import Store, embedded_dsn
from store.clock import FakeClock
from store.migrations import migrate
from vigie.access import ADMIN, POLICY, requirement
from vigie.api.admin import create_admin_router
from vigie.commands.ops_cmds import backup_cmd, restore_cmd
from vigie.instance import write_instance
from vigie.schema import all_migrations

ROOT = Path(__file__).resolve().parents[1]
POINT_COLUMNS = [
    "ts",
    "received_at",
    "samu_id",
    "metric",
    "component",
    "outcome",
    "attributes",
    "series_key",
    "start_ts",
    "kind",
    "value",
    "cumulative",
    "hist_sum",
    "bounds",
    "bucket_counts",
    "cumulative_buckets",
]


def write_sample(store: Store, now: datetime) -> None:
    """Points (→ rollups through the views), an alert event and an audit event."""
    base = now.replace(minute=0, second=0, microsecond=0) - timedelta(hours=3)
    rows = []
    for i in range(120):
        ts = base + timedelta(seconds=30 * i)
        samu = f"fr.health.samu0{75 + i % 3}"
        rows.append(
            [
                ts,
                ts,
                samu,
                "sip.calls",
                "sbc",
                "ok" if i % 7 else "failed",
                {},
                i % 3,
                base,
                "sum",
                1.0,
                float(i),
                0.0,
                [],
                [],
                [],
            ]
        )
        rows.append(
            [
                ts,
                ts,
                samu,
                "sip.setup.duration",
                "sbc",
                "",
                {},
                10 + i % 3,
                base,
                "histogram",
                0.0,
                0.0,
                0.4,
                [1.0, 3.0],
                [1, 0, 0],
                [i, 0, 0],
            ]
        )
        rows.append(
            [
                ts,
                ts,
                samu,
                "component.health",
                "sbc",
                "",
                {},
                20 + i % 3,
                base,
                "gauge",
                1.0,
                0.0,
                0.0,
                [],
                [],
                [],
            ]
        )
    store.insert("points", rows, POINT_COLUMNS)
    clock = FakeClock(now)
    EventLog(store, clock).record("alert.firing", fingerprint="ab12", labels={"samu": "x"})
    AuditLog(store, clock).record("alice", "silence.create", target="s1", source="10.0.0.1")


def counts(store: Store) -> dict[str, int]:
    return {d.name: d.rows for d in digest(store)}


def test_an_export_restored_into_another_database_has_every_row_and_working_views(
    store: Store, tmp_path: Path
) -> None:
    now = datetime.now(UTC)
    write_sample(store, now)
    manifest = backup(store, tmp_path / "b1", now, "export")
    assert manifest.format == "export"
    assert {"points", "minute_counts", "slo_hour_counts", "audit_log", "alert_events"} <= {
        t.name for t in manifest.tables
    }
    assert counts(store)["minute_counts"] > 0
    target = store.with_database(f"{store.database}_r")
    try:
        done = restore(target, tmp_path / "b1", all_migrations())
        assert done.differences == ()
        assert digest(target) == digest(store)  # rollups loaded once, not re-derived
        assert sorted(views(target)) == sorted(views(store))
        write_sample(target, now)  # the views work again after the restore
        total = "SELECT sum(value) FROM {db}.slo_hour_counts"  # two views down the chain
        assert target.query(total)[0][0] == 2 * store.query(total)[0][0] > 0
    finally:
        target.command("DROP DATABASE IF EXISTS {db} SYNC")


def test_a_restore_refuses_a_database_that_holds_data_unless_forced(
    store: Store, tmp_path: Path
) -> None:
    now = datetime.now(UTC)
    write_sample(store, now)
    backup(store, tmp_path / "b", now, "export")
    with pytest.raises(BackupError, match="already holds data"):
        restore(store, tmp_path / "b", all_migrations())
    write_sample(store, now)  # more rows than the backup ...
    done = restore(store, tmp_path / "b", all_migrations(), force=True)
    assert done.differences == ()  # ... replaced by the backup's
    assert counts(store)["points"] == 360


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda p: (p / "manifest.json").unlink(), "not a complete Vigie backup"),
        (lambda p: (p / "manifest.json").write_text("{"), "unreadable"),
        (
            lambda p: (p / "manifest.json").write_text(
                json.dumps(
                    json.loads((p / "manifest.json").read_text())
                    | {"tables": [{"name": "x; DROP", "rows": 1, "checksum": 1}]}
                )
            ),
            "invalid table name",
        ),
    ],
    ids=["without a manifest", "with a broken manifest", "with a hostile table name"],
)
def test_a_damaged_backup_is_refused_with_a_clear_reason(
    store: Store, tmp_path: Path, damage: object, message: str
) -> None:
    backup(store, tmp_path / "b", datetime.now(UTC), "export")
    damage(tmp_path / "b")  # type: ignore[operator]
    with pytest.raises(BackupError, match=message):
        restore(store.with_database(f"{store.database}_x"), tmp_path / "b", all_migrations())
    store.with_database(f"{store.database}_x").command("DROP DATABASE IF EXISTS {db}")


def test_a_backup_never_writes_into_an_existing_directory(store: Store, tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "keep.txt").write_text("x")
    with pytest.raises(BackupError, match="not empty"):
        backup(store, tmp_path / "b", datetime.now(UTC), "export")
    assert (tmp_path / "b" / "keep.txt").exists()


def test_restore_refuses_while_an_instance_runs_on_the_data_dir(tmp_path: Path) -> None:
    write_instance(tmp_path, "http://127.0.0.1:1")  # this (live) process owns it
    (tmp_path / "b").mkdir()
    result = CliRunner().invoke(restore_cmd, [str(tmp_path / "b"), "--data-dir", str(tmp_path)])
    assert result.exit_code == 1
    assert "stop it before restoring" in result.output


def test_the_admin_api_backs_up_under_its_directory_once_per_name(
    store: Store, tmp_path: Path
) -> None:
    now = datetime(2026, 3, 1, 12, tzinfo=UTC)
    clock = FakeClock(now)
    app = FastAPI()
    app.include_router(create_admin_router(store, tmp_path, AuditLog(store, clock), clock))
    client = TestClient(app)
    made = client.post("/api/v1/admin/backup", json={"format": "export"})
    assert made.status_code == 201, made.text
    assert made.json()["name"] == "vigie-20260301T120000Z"
    assert read_manifest(tmp_path / "vigie-20260301T120000Z").format == "export"
    again = client.post("/api/v1/admin/backup", json={"name": "vigie-20260301T120000Z"})
    assert again.status_code == 409
    assert client.post("/api/v1/admin/backup", json={"name": "../etc"}).status_code == 422
    listed = client.get("/api/v1/admin/backups").json()
    assert [b["name"] for b in listed] == ["vigie-20260301T120000Z"]
    assert [e.action for e in AuditLog(store, clock).query()] == ["store.backup"]
    assert requirement(POLICY, "POST", "/api/v1/admin/backup") == ADMIN
    assert requirement(POLICY, "GET", "/api/v1/admin/backups") == ADMIN


def _cli_in_child(command: object, args: list[str]) -> dict[str, object]:
    result = CliRunner().invoke(command, args)  # type: ignore[arg-type]
    return {"code": result.exit_code, "output": result.output}


def source_child(data_dir: Path, dest: Path) -> dict[str, object]:
    """In its own process: write the sample, then `vigie backup --to dest` on the stopped store."""
    store = open_store_for_backup(embedded_dsn(data_dir), "vigie")
    migrate(store, migrations=all_migrations())
    write_sample(store, datetime.now(UTC))
    written = [d.__dict__ for d in digest(store)]
    store.close()  # the CLI opens the engine again, as it would on a stopped instance
    made = _cli_in_child(backup_cmd, ["--data-dir", str(data_dir), "--to", str(dest)])
    return {"digest": written, "backup": made}


def fresh_child(data_dir: Path, source: Path) -> dict[str, object]:
    """In its own process: restore, restore again (refused), restore under another name."""
    args = [str(source), "--data-dir", str(data_dir)]
    out = {
        "first": _cli_in_child(restore_cmd, args),
        "again": _cli_in_child(restore_cmd, args),
        "renamed": _cli_in_child(restore_cmd, [*args, "--database", "copy"]),
    }
    store = open_store_for_backup(embedded_dsn(data_dir), "vigie")
    out["digest"] = [d.__dict__ for d in digest(store)]
    out["copy"] = [d.__dict__ for d in digest(store.with_database("copy"))]
    return out


def _child(function: str, data_dir: Path, path: Path) -> dict[str, Any]:
    code = (
        f"import json, sys; from pathlib import Path; sys.path.insert(0, {str(ROOT / 'tests')!r});"
        f"import test_ops_backup as t; "
        f"print(json.dumps(t.{function}(Path(sys.argv[1]), Path(sys.argv[2]))))"
    )
    env = {**os.environ, "CHDB_NO_TELEMETRY": "1", "PYTHONPATH": str(ROOT)}
    env.pop("VIGIE_DATA_DIR", None)
    done = subprocess.run(
        [sys.executable, "-c", code, str(data_dir), str(path)],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    found: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return found


def test_native_backup_and_restore_into_a_fresh_data_dir_give_identical_tables(
    tmp_path: Path,
) -> None:
    dest = tmp_path / "backups" / "b1"
    source = _child("source_child", tmp_path / "source", dest)
    assert source["backup"]["code"] == 0, source["backup"]["output"]
    assert "(native)" in source["backup"]["output"]
    assert read_manifest(dest).format == "native"
    fresh = _child("fresh_child", tmp_path / "fresh", dest)
    assert fresh["first"]["code"] == 0, fresh["first"]["output"]
    assert "every table matches" in fresh["first"]["output"]
    assert fresh["again"]["code"] == 1
    assert "already holds data" in fresh["again"]["output"]
    assert fresh["renamed"]["code"] == 0, fresh["renamed"]["output"]
    written = {t["name"]: t for t in source["digest"]}
    audited = written.pop("audit_log")["rows"]
    for restored in (fresh["digest"], fresh["copy"]):
        got = {t["name"]: t for t in restored}
        # the restore audits itself (the backup's own event comes after its snapshot)
        assert got.pop("audit_log")["rows"] == audited + 1
        assert got == written
        assert got["points"]["rows"] == 360
