"""Issuing, archiving, re-issuing and verifying reports: through the service, API and CLI."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi import FastAPI
from fastapi.testclient import TestClient

from reports.api import create_reports_router
from reports.archive import Archive, Bundle
from reports.errors import ArchiveConflict, MonthError, VerifyError
from reports.service import ReportService
from reports.sign import Signer, load_public_key, public_pem
from reports.verify import verify_path
from store.audit import AuditLog
from store.client import Store
from store.clock import FakeClock
from store.registry import load_registry
from tests.fixtures.otlp.peers import serving
from tests.report_data import COUNT_COLUMNS
from tests.test_slo_eval_factories import shipped
from vigie.commands.report_cmds import report_group

SAMU = "fr.health.samu075"
NOW = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)


def add_setups(store: Store, outcome: str, count: float, at: datetime) -> None:
    row = [at, SAMU, "samu.call.setups", "", outcome, float("inf"), count]
    store.insert("minute_counts", [row], COUNT_COLUMNS)


def make_service(store: Store, tmp_path: Path, messages: list[str] | None = None) -> ReportService:
    clock = FakeClock(NOW)
    signer = Signer(tmp_path / "keys" / "report.pem", (messages or []).append)
    samus = [load_registry().require(SAMU)]
    archive = Archive(store, clock, AuditLog(store, clock))
    return ReportService(store, samus, shipped()[0], signer, archive, clock)


@pytest.fixture
def service(store: Store, tmp_path: Path) -> ReportService:
    add_setups(store, "success", 5000, datetime(2026, 10, 12, 9, 30, tzinfo=UTC))
    add_setups(store, "failed", 1, datetime(2026, 10, 12, 9, 31, tzinfo=UTC))
    return make_service(store, tmp_path)


def written(bundle: Bundle, folder: Path) -> Path:
    for name, data in bundle.all_files().items():
        (folder / name).write_bytes(data)
    return folder / "vigie15-2026-10.pdf"


def test_the_signing_key_is_created_once_with_a_clear_message(tmp_path: Path) -> None:
    messages: list[str] = []
    first = Signer(tmp_path / "k.pem", messages.append)
    again = Signer(tmp_path / "k.pem", messages.append)
    assert len(messages) == 1 and "created a new report signing key" in messages[0]
    assert public_pem(first.public_key) == public_pem(again.public_key)


def test_regenerating_the_same_figures_returns_the_archived_issue(service: ReportService) -> None:
    first = service.issue("2026-10")
    again = service.issue("2026-10")
    assert first.version == again.version == 1
    assert again.all_files() == first.all_files()
    assert sorted(first.files) == [
        "vigie15-2026-10-daily.csv",
        "vigie15-2026-10.csv",
        "vigie15-2026-10.json",
        "vigie15-2026-10.pdf",
    ]


def test_different_figures_need_an_explicit_reissue_that_makes_version_2(
    service: ReportService, store: Store
) -> None:
    service.issue("2026-10")
    add_setups(store, "failed", 3, datetime(2026, 10, 20, 9, 0, tzinfo=UTC))
    with pytest.raises(ArchiveConflict, match="--reissue to create version 2"):
        service.issue("2026-10")
    second = service.issue("2026-10", reissue=True, actor="alice", reason="late data")
    assert second.version == 2 and b'"version": 2' in second.files["vigie15-2026-10.json"]
    assert service.archive.get("2026-10", "fr", 1) is not None
    (event,) = AuditLog(store, FakeClock(NOW)).query(action="report.reissued")
    assert event.actor == "alice" and event.details["reason"] == "late data"


def test_a_month_not_over_is_refused(service: ReportService) -> None:
    with pytest.raises(MonthError, match="not over yet"):
        service.issue("2026-11")


def test_verify_accepts_the_files_and_detects_one_changed_byte(
    service: ReportService, tmp_path: Path
) -> None:
    pdf = written(service.issue("2026-10"), tmp_path)
    key = load_public_key(service.public_key_pem())
    result = verify_path(pdf, [key])
    assert len(result.files) == 4 and result.fingerprint.startswith("SHA256:")
    csv_file = tmp_path / "vigie15-2026-10.csv"
    data = bytearray(csv_file.read_bytes())
    data[-3] ^= 0x01
    csv_file.write_bytes(bytes(data))
    with pytest.raises(VerifyError, match=r"vigie15-2026-10\.csv has been altered"):
        verify_path(pdf, [key])


def test_verify_refuses_another_key(service: ReportService, tmp_path: Path) -> None:
    pdf = written(service.issue("2026-10"), tmp_path)
    other = Signer(tmp_path / "other.pem")
    with pytest.raises(VerifyError, match="not signed by a trusted key"):
        verify_path(pdf, [other.public_key])


def test_vigie_report_verify_prints_the_fingerprint_and_fails_on_tampering(
    service: ReportService, tmp_path: Path
) -> None:
    pdf = written(service.issue("2026-10"), tmp_path)
    key = tmp_path / "public.pem"
    key.write_text(service.public_key_pem())
    ok = CliRunner().invoke(report_group, ["verify", str(pdf), "--public-key", str(key)])
    assert ok.exit_code == 0, ok.output
    assert "OK" in ok.output and "signed by trusted key SHA256:" in ok.output
    pdf.write_bytes(pdf.read_bytes()[:-1] + b"\x00")
    bad = CliRunner().invoke(report_group, ["verify", str(pdf), "--public-key", str(key)])
    assert bad.exit_code == 1 and "has been altered" in bad.output


def test_the_api_serves_files_manifest_key_and_verification(service: ReportService) -> None:
    app = FastAPI()
    app.include_router(create_reports_router(service))
    client = TestClient(app)
    pdf = client.get("/api/v1/reports/2026-10.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf.headers["x-report-version"] == "1"
    assert client.get("/api/v1/reports/2026-10.json").json()["month"] == "2026-10"
    assert client.get("/api/v1/reports/2026-10-daily.csv").text.startswith("day,samu_id")
    manifest = client.get("/api/v1/reports/2026-10/manifest").json()
    assert manifest["manifest"]["version"] == 1
    key = client.get("/api/v1/reports/public-key")
    assert key.text == service.public_key_pem() and key.headers["x-key-fingerprint"]
    url = "/api/v1/reports/2026-10/verify?name=vigie15-2026-10.pdf"
    assert client.post(url, content=pdf.content).json()["ok"] is True
    tampered = client.post(url, content=pdf.content[:-1] + b"\x00")
    assert tampered.status_code == 422 and tampered.json()["ok"] is False
    assert client.get("/api/v1/reports/2026-12.pdf").status_code == 400
    assert client.get("/api/v1/reports/nonsense.pdf").status_code == 404


def test_vigie_report_through_a_running_instance_writes_verifiable_files(
    service: ReportService, tmp_path: Path
) -> None:
    app = FastAPI()
    app.include_router(create_reports_router(service))
    out = tmp_path / "out"
    with serving(app) as port:
        url = f"http://127.0.0.1:{port}"
        args = ["--month", "2026-10", "--out", str(out), "--url", url]
        result = CliRunner().invoke(report_group, args)
        assert result.exit_code == 0, result.output
        assert "report 2026-10 version 1 (fr)" in result.output
        refused = CliRunner().invoke(report_group, ["--month", "2026-11", "--url", url])
        assert refused.exit_code == 1 and "not over yet" in refused.output
    names = sorted(p.name for p in out.iterdir())
    assert names == [
        "vigie15-2026-10-daily.csv",
        "vigie15-2026-10.csv",
        "vigie15-2026-10.json",
        "vigie15-2026-10.manifest.json",
        "vigie15-2026-10.pdf",
    ]
    key = load_public_key(service.public_key_pem())
    assert len(verify_path(out / "vigie15-2026-10.json", [key]).files) == 4
