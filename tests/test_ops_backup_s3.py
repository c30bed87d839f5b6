"""Backups to S3, end to end against a real S3 API server (moto's standalone server, with
authentication on): `vigie backup --to s3://…` (full, then incremental), `vigie restore --from
s3://…` into a fresh data directory, the restore drill, a wrong key and an interrupted upload.

Every command runs as its own process (`python -m vigie.cli`), as an operator would run it:
chdb allows one data directory per process. The source store holds last month's traffic of two
SAMU (the simulator's exact tally, as the collector's views store it) for the report figures,
and raw points stamped a few hours ago (ClickHouse applies TTLs against the wall clock).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest
from click.testing import CliRunner
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr

from reports.schedule import previous_month
from slo.windows import window_for
from store.audit import AuditLog
from store.backup import digest
from store.backup_s3 import MANIFEST_OBJECT, backup_to_s3
from store.client import Store, embedded_dsn, open_store
from store.clock import FakeClock
from store.migrations import migrate
from store.registry import load_registry
from store.s3 import BotoObjects, S3AccessDenied, S3Target
from tests.s3_peer import BUCKET, S3Server, StallingRelay, s3_server
from tests.test_slo_eval_factories import shipped
from vigie.api.admin import create_admin_router
from vigie.commands.ops_cmds import backup_cmd
from vigie.s3_backups import S3Backups, drill, s3_config
from vigie.schema import all_migrations
from vigie.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
SAMU = ("fr.health.samu004", "fr.health.samu005")


def seed_child(data_dir: str) -> dict[str, Any]:
    """Last month of two SAMU (minute rollups) and recent raw points, in a fresh store."""
    from tests.report_data import simulate, store_month
    from tests.test_ops_backup import write_sample

    store = open_store(embedded_dsn(Path(data_dir)), "vigie")
    migrate(store, migrations=all_migrations())
    now = datetime.now(UTC)
    period = window_for(previous_month(now))
    registry = load_registry()
    store_month(store, simulate([registry.require(s) for s in SAMU], period.start, period.end, []))
    write_sample(store, now)
    return {d.name: [d.rows, d.checksum] for d in digest(store)}


def more_child(data_dir: str) -> dict[str, Any]:
    """Some more raw points (a later day of traffic) in the same store."""
    from tests.test_ops_backup import write_sample

    store = open_store(embedded_dsn(Path(data_dir)), "vigie")
    write_sample(store, datetime.now(UTC))
    return {d.name: [d.rows, d.checksum] for d in digest(store)}


def digest_child(data_dir: str) -> dict[str, Any]:
    store = open_store(embedded_dsn(Path(data_dir)), "vigie")
    return {d.name: [d.rows, d.checksum] for d in digest(store)}


def _env(extra: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VIGIE_")}
    return env | {"CHDB_NO_TELEMETRY": "1", "PYTHONPATH": str(ROOT)} | extra


def child(function: str, data_dir: Path) -> dict[str, Any]:
    code = (
        "import json, sys; import tests.test_ops_backup_s3 as t; "
        f"print(json.dumps(t.{function}(sys.argv[1])))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(data_dir)],
        capture_output=True,
        text=True,
        env=_env({}),
        cwd=ROOT,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    found: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return found


def vigie(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "vigie.cli", *args],
        capture_output=True,
        text=True,
        env=_env(env),
        cwd=ROOT,
        timeout=600,
    )


@pytest.fixture(scope="module")
def server() -> Iterator[S3Server]:
    with s3_server() as found:
        yield found


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("source")
    child("seed_child", data_dir)
    return data_dir


def manifests(server: S3Server, prefix: str) -> list[dict[str, Any]]:
    client = boto3.client(
        "s3",
        endpoint_url=server.endpoint,
        region_name="us-east-1",
        aws_access_key_id=server.access_key_id,
        aws_secret_access_key=server.secret_access_key,
    )
    keys = sorted(k for k in server.keys(prefix) if k.endswith(MANIFEST_OBJECT))
    return [json.loads(client.get_object(Bucket=BUCKET, Key=k)["Body"].read()) for k in keys]


def test_backups_to_s3_restore_the_store_exactly_and_the_drill_proves_it(
    server: S3Server, source: Path, tmp_path: Path
) -> None:
    url = f"s3://{BUCKET}/prod"
    env = server.env(url)
    full = vigie(["backup", "--to", url, "--data-dir", str(source)], env)
    assert full.returncode == 0, full.stderr
    assert "(full)" in full.stdout
    written = child("more_child", source)  # a later day of traffic, then an incremental backup
    incremental = vigie(["backup", "--to", url, "--data-dir", str(source)], env)
    assert incremental.returncode == 0, incremental.stderr
    assert "(incremental on vigie-" in incremental.stdout
    first, second = manifests(server, "prod/")
    assert (first["kind"], second["kind"], second["base"]) == ("full", "incremental", first["name"])
    assert 0 < second["bytes"] < first["bytes"] / 2  # only what changed is uploaded
    assert second["figures"]["month"] == previous_month(datetime.now(UTC))
    assert second["figures"]["calls"] > 0

    fresh = tmp_path / "fresh"
    restored = vigie(["restore", "--from", url, "--data-dir", str(fresh)], env)
    assert restored.returncode == 0, restored.stderr
    assert second["name"] in restored.stdout and "every table matches" in restored.stdout
    got = child("digest_child", fresh)
    audited = written.pop("audit_log")[0]  # the second backup's audit entry follows its snapshot
    assert got.pop("audit_log")[0] == audited + 1  # the restore audits itself
    assert got == written
    assert got["minute_counts"][0] > 0 and got["points"][0] == 720

    drill = vigie(["backup", "drill", "--from", url], env)
    assert drill.returncode == 0, drill.stdout + drill.stderr
    assert "drill passed" in drill.stdout
    assert (
        f"report {second['figures']['month']}: {second['figures']['calls']} calls" in drill.stdout
    )


def _backups(server: S3Server, store: Store, url: str, **env: str) -> S3Backups:
    settings = Settings(database=store.database).model_copy(
        update={
            "backup_s3_url": url,
            "backup_s3_endpoint": env.get("endpoint", server.endpoint),
            "backup_s3_access_key_id": SecretStr(server.access_key_id),
            "backup_s3_secret_access_key": SecretStr(env.get("secret", server.secret_access_key)),
        }
    )
    return S3Backups(store, settings, FakeClock(datetime.now(UTC)), shipped()[0])


def test_the_drill_fails_when_the_restored_figures_differ_from_the_backup(
    server: S3Server, store: Store
) -> None:
    url = f"s3://{BUCKET}/tampered"
    made = _backups(server, store, url).run()
    root = S3Target.parse(url)
    objects = BotoObjects(s3_config(_backups(server, store, url).settings), BUCKET)
    changed = made.manifest.to_json()
    changed["figures"]["calls"] += 1  # as if a day of calls had been lost on the way
    objects.put(root.key(made.manifest.name, MANIFEST_OBJECT), json.dumps(changed).encode())
    scratch = store.with_database(f"{store.database}_drill")
    try:
        result = drill(_backups(server, scratch, url), None)
    finally:
        scratch.command("DROP DATABASE IF EXISTS {db} SYNC")
    assert not result.ok
    assert [p for p in result.problems if "calls is" in p and "the backup says" in p]
    assert all(want == got for want, got in result.rows.values())  # the rows came back


def test_a_wrong_key_is_refused_in_one_sentence_that_never_shows_the_key(
    server: S3Server, store: Store
) -> None:
    url = f"s3://{BUCKET}/wrong"
    wrong = "WrongSecretKey0123456789abcdefWRONG"
    backups = _backups(server, store, url, secret=wrong)
    with pytest.raises(S3AccessDenied, match="refused the credentials") as listed:
        backups.run()
    wrong_config = s3_config(backups.settings)
    objects = BotoObjects(s3_config(_backups(server, store, url).settings), BUCKET)
    target, now = S3Target.parse(url), datetime.now(UTC)
    with pytest.raises(S3AccessDenied, match="refused the credentials") as by_clickhouse:
        backup_to_s3(store, objects, wrong_config, target, now)  # ClickHouse meets the key
    for error in (listed, by_clickhouse):
        assert wrong not in str(error.value)
    env = server.env(url, secret=wrong)
    result = CliRunner().invoke(backup_cmd, ["list", "--at", url], env=env)
    assert result.exit_code == 1
    assert "refused the credentials" in result.output and wrong not in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert server.keys("wrong/") == []


def test_an_interrupted_upload_is_never_taken_for_a_backup_and_is_cleaned_up(
    server: S3Server, source: Path, tmp_path: Path
) -> None:
    url = f"s3://{BUCKET}/crash"
    relay = StallingRelay(int(server.endpoint.rsplit(":", 1)[1]), budget=96 * 1024)
    env = server.env(url, endpoint=f"http://127.0.0.1:{relay.port}")
    process = subprocess.Popen(
        [sys.executable, "-m", "vigie.cli", "backup", "--to", url, "--data-dir", str(source)],
        env=_env(env),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert relay.stalled.wait(timeout=300), "the upload never started"
        process.send_signal(signal.SIGKILL)  # the backup dies mid-upload (pod evicted, crash)
        process.wait(timeout=60)
    finally:
        relay.close()
        if process.poll() is None:
            process.kill()
    left = server.keys("crash/")
    assert left and not any(k.endswith(MANIFEST_OBJECT) for k in left)
    direct = server.env(url)
    listed = vigie(["backup", "list", "--at", url], direct)
    assert listed.returncode == 0, listed.stderr
    (name,) = {k.split("/")[1] for k in left}
    assert f"{name}: incomplete" in listed.stdout
    scratch = str(tmp_path / "r")
    refused = vigie(["restore", "--from", f"{url}/{name}", "--data-dir", scratch], direct)
    assert refused.returncode == 1 and "not a complete backup" in refused.stderr
    none = vigie(["restore", "--from", url, "--data-dir", scratch], direct)
    assert none.returncode == 1 and "no complete backup" in none.stderr

    again = vigie(["backup", "--to", url, "--data-dir", str(source)], direct)
    assert again.returncode == 0, again.stderr
    assert f"deleted {name} (retention policy)" in again.stdout  # the debris goes
    assert not [k for k in server.keys("crash/") if k.split("/")[1] == name]
    (complete,) = manifests(server, "crash/")
    assert complete["kind"] == "full"


def test_the_admin_api_backs_up_to_the_configured_s3_target_only(
    server: S3Server, store: Store
) -> None:
    url = f"s3://{BUCKET}/api"
    backups = _backups(server, store, url)
    clock = backups.clock
    audit = AuditLog(store, clock)
    app = FastAPI()
    app.include_router(create_admin_router(store, Path("unused"), audit, clock, backups))
    client = TestClient(app)
    other = client.post("/api/v1/admin/backup", json={"s3_url": f"s3://{BUCKET}/elsewhere"})
    assert other.status_code == 422
    made = client.post("/api/v1/admin/backup", json={"s3_url": url, "kind": "full"})
    assert made.status_code == 201, made.text
    assert made.json()["kind"] == "full" and made.json()["database"] == store.database
    assert "secret" not in made.text.lower()
    assert [e.action for e in audit.query()] == ["store.backup"]


def test_a_backup_command_without_a_target_says_what_to_set() -> None:
    result = CliRunner().invoke(backup_cmd, ["--kind", "full"], env={"VIGIE_BACKUP_S3_URL": ""})
    assert result.exit_code == 1
    assert "VIGIE_BACKUP_S3_URL" in result.output
