"""Routing reloads that cannot get stuck: file ⇄ API both ways, the active source and its
checksum shown in `/api/v2/status` and in the audit log (issue 14, item 3)."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient

from alerts.am_api import create_am_router
from alerts.config import load_config
from alerts.notify import RecordingSink
from alerts.service import AlertingService
from store.audit import AuditLog
from store.client import Store
from store.clock import FakeClock
from tests.test_am_api_silences import DATA, NOW, REGIONS, USER


def api(store: Store, tmp_path: Path) -> tuple[TestClient, AlertingService, Path, AuditLog]:
    file = tmp_path / "alertmanager.yml"
    shutil.copy(DATA / "pipeline.yml", file)
    clock = FakeClock(NOW)
    audit = AuditLog(store, clock)
    svc = AlertingService(
        store,
        load_config(file),
        RecordingSink(),
        clock,
        audit=audit,
        regions=REGIONS,
        watchdog_interval=None,
    )
    app = FastAPI()
    app.include_router(create_am_router(svc, clock))
    return TestClient(app), svc, file, audit


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def test_a_file_reload_works_after_an_api_reload(store: Store, tmp_path: Path) -> None:
    client, svc, _, _ = api(store, tmp_path)
    other = (DATA / "other_receiver.yml").read_text()
    assert client.post("/api/v1/alerting/reload", content=other, headers=USER).status_code == 200
    assert svc.config.route.opts.receiver == "astreinte"
    by_file = client.post("/api/v1/alerting/reload", headers=USER)
    assert by_file.status_code == 200, by_file.text
    assert svc.config.route.opts.receiver == "noc", "the file is read again"
    assert svc.reload_file(actor="SIGHUP", source="signal").ok, "SIGHUP after an API reload"


def test_an_api_reload_works_after_a_file_reload(store: Store, tmp_path: Path) -> None:
    client, svc, file, _ = api(store, tmp_path)
    file.write_text((DATA / "other_receiver.yml").read_text())
    assert client.post("/api/v1/alerting/reload", headers=USER).status_code == 200
    assert svc.config.route.opts.receiver == "astreinte"
    back = (DATA / "pipeline.yml").read_text()
    assert client.post("/api/v1/alerting/reload", content=back, headers=USER).status_code == 200
    assert svc.config.route.opts.receiver == "noc"


def test_status_shows_the_active_source_and_its_checksum(store: Store, tmp_path: Path) -> None:
    client, _, file, _ = api(store, tmp_path)
    config = client.get("/api/v2/status").json()["config"]
    assert (config["source"], config["sha256"]) == (f"file:{file}", sha256(file.read_text()))
    other = (DATA / "other_receiver.yml").read_text()
    client.post("/api/v1/alerting/reload", content=other, headers=USER)
    config = client.get("/api/v2/status").json()["config"]
    assert (config["source"], config["sha256"]) == ("api", sha256(other))


def test_each_reload_is_audited_with_its_source_and_checksum(store: Store, tmp_path: Path) -> None:
    client, _, file, audit = api(store, tmp_path)
    other = (DATA / "other_receiver.yml").read_text()
    client.post("/api/v1/alerting/reload", content=other, headers=USER)
    client.post("/api/v1/alerting/reload", headers=USER)
    client.post("/api/v1/alerting/reload", content="route: [", headers=USER)
    found = [(e.target, e.details) for e in reversed(audit.query(action="alerting.reload"))]
    assert [(target, d["ok"], d.get("sha256")) for target, d in found] == [
        ("api", True, sha256(other)),
        (f"file:{file}", True, sha256(file.read_text())),
        ("api", False, sha256("route: [")),
    ]


def test_a_file_reload_without_a_file_says_so(store: Store) -> None:
    from alerts.config import parse_config

    clock = FakeClock(NOW)
    text = (DATA / "pipeline.yml").read_text()
    svc = AlertingService(
        store, parse_config(text), RecordingSink(), clock, config_text=text, watchdog_interval=None
    )
    result = svc.reload_file()
    assert not result.ok and "no configuration file" in result.problems[0]
