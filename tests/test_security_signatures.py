"""Report signatures that prove who signed, and an archive that only grows (issue 14, item 4).

The attacker of these tests holds the report files (a copy on a share, an e-mail attachment):
they change figures, sign a new manifest with their own key and put their public key in it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from reports.archive import Bundle
from reports.errors import ArchiveConflict, ReportError
from reports.service import ReportService
from reports.sign import MANIFEST_SUFFIX, Signer, manifest
from store.client import Store
from tests.test_report_archive import add_setups, service, written  # noqa: F401 (fixture)
from vigie.commands.report_cmds import report_group

MONTH = "2026-10"


def forged(folder: Path, attacker: Signer) -> None:
    """Alter the CSV, then re-sign the manifest with the attacker's key (embedded in it)."""
    csv_file = folder / "vigie15-2026-10.csv"
    csv_file.write_bytes(csv_file.read_bytes().replace(b"5000", b"9999"))
    manifest_file = folder / f"vigie15-2026-10{MANIFEST_SUFFIX}"
    body = json.loads(manifest_file.read_bytes())["manifest"]
    files = {name: (folder / name).read_bytes() for name in body["files"]}
    manifest_file.write_bytes(attacker.sign(manifest(MONTH, body["version"], "fr", files)))


def verify(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(report_group, ["verify", *args], env=env)
    return result.exit_code, result.output


@pytest.fixture
def issued(service: ReportService, tmp_path: Path) -> tuple[Path, Path]:  # noqa: F811
    """A report written to a folder, and the platform's public key in a PEM file."""
    folder = tmp_path / "out"
    folder.mkdir()
    pdf = written(service.issue(MONTH), folder)
    key = tmp_path / "platform-public.pem"
    key.write_text(service.public_key_pem())
    return pdf, key


def test_a_report_re_signed_by_an_attacker_fails_without_a_public_key_option(
    issued: tuple[Path, Path], tmp_path: Path
) -> None:
    pdf, key = issued
    forged(pdf.parent, Signer(tmp_path / "attacker.pem"))
    code, out = verify(str(pdf), env={"VIGIE_REPORT_TRUSTED_KEYS": str(key)})
    assert code == 1, out
    assert "not signed by a trusted key" in out and "OK" not in out


def test_a_report_re_signed_by_an_attacker_fails_against_the_given_public_key(
    issued: tuple[Path, Path], tmp_path: Path
) -> None:
    pdf, key = issued
    forged(pdf.parent, Signer(tmp_path / "attacker.pem"))
    code, out = verify(str(pdf), "--public-key", str(key))
    assert code == 1 and "not signed by a trusted key" in out


def test_without_any_trusted_key_verify_refuses_and_shows_the_embedded_key_as_a_hint(
    issued: tuple[Path, Path], tmp_path: Path
) -> None:
    pdf, _ = issued
    code, out = verify(str(pdf), env={"VIGIE_DATA_DIR": str(tmp_path / "nothing-here")})
    assert code == 1 and "no trusted key" in out
    assert "SHA256:" in out and "hint" in out


def test_the_platform_key_of_the_data_dir_is_trusted_by_default(
    service: ReportService,  # noqa: F811
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    (data / "keys").mkdir(parents=True)
    (data / "keys" / "report-signing.pem").write_bytes(service.signer.path.read_bytes())
    folder = tmp_path / "out"
    folder.mkdir()
    pdf = written(service.issue(MONTH), folder)
    code, out = verify(str(pdf), env={"VIGIE_DATA_DIR": str(data)})
    assert code == 0, out
    assert "signed by trusted key SHA256:" in out


def test_a_missing_file_fails(issued: tuple[Path, Path]) -> None:
    pdf, key = issued
    (pdf.parent / "vigie15-2026-10-daily.csv").unlink()
    code, out = verify(str(pdf), "--public-key", str(key))
    assert code == 1 and "missing" in out and "vigie15-2026-10-daily.csv" in out


def test_an_extra_file_beside_the_report_fails(issued: tuple[Path, Path]) -> None:
    pdf, key = issued
    (pdf.parent / "vigie15-2026-10-corrections.csv").write_text("samu,calls\n")
    code, out = verify(str(pdf), "--public-key", str(key))
    assert code == 1 and "not listed in the manifest" in out


def test_an_altered_file_fails_and_the_other_languages_files_are_not_extra(
    service: ReportService,  # noqa: F811
    issued: tuple[Path, Path],
) -> None:
    pdf, key = issued
    for name, data in service.issue(MONTH, "en").all_files().items():
        (pdf.parent / name).write_bytes(data)
    assert verify(str(pdf), "--public-key", str(key))[0] == 0
    assert verify(str(pdf.parent / "vigie15-2026-10.en.pdf"), "--public-key", str(key))[0] == 0
    pdf.write_bytes(pdf.read_bytes() + b"%")
    code, out = verify(str(pdf), "--public-key", str(key))
    assert code == 1 and "has been altered" in out


def test_an_archived_issue_is_never_replaced(service: ReportService) -> None:  # noqa: F811
    first = service.issue(MONTH)
    other = {name: data + b" " for name, data in first.files.items()}
    again = Bundle(MONTH, 1, "fr", "other-digest", other, first.manifest_name, first.manifest)
    with pytest.raises(ArchiveConflict, match=r"version 1 .* already archived"):
        service.archive.put(again, "mallory", "")
    kept = service.archive.get(MONTH, "fr", 1)
    assert kept is not None and kept.files == first.files


def test_a_reissue_needs_a_reason(service: ReportService, store: Store) -> None:  # noqa: F811
    from datetime import UTC, datetime

    service.issue(MONTH)
    add_setups(store, "failed", 3, datetime(2026, 10, 20, 9, 0, tzinfo=UTC))
    with pytest.raises(ReportError, match="needs a reason"):
        service.issue(MONTH, reissue=True, actor="alice", reason=" ")
    assert service.issue(MONTH, reissue=True, actor="alice", reason="late data").version == 2
    assert service.archive.get(MONTH, "fr", 1) is not None, "version 1 is kept"


def test_every_report_url_of_the_readme_answers(service: ReportService) -> None:  # noqa: F811
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    from reports.api import create_reports_router

    readme = (Path(__file__).parent.parent / "README.md").read_text()
    urls = set(re.findall(r"/api/v1/reports/[\w.-]*\d{4}-\d{2}[\w.-]*", readme))
    assert "/api/v1/reports/vigie15-2026-10.pdf" in urls
    app = FastAPI()
    app.include_router(create_reports_router(service))
    client = TestClient(app)
    answers = {url: client.get(url).status_code for url in sorted(urls)}
    assert answers == dict.fromkeys(sorted(urls), 200)
