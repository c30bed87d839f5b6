"""PDF, CSV and JSON of one simulated month: valid, in agreement, and byte-identical twice."""

from __future__ import annotations

import csv
import io
import json
import subprocess
from pathlib import Path

import pytest

from reports.document import DAY_COLUMNS, SAMU_COLUMNS
from reports.i18n import NBSP, NNBSP, formatter
from reports.model import MonthReport
from reports.render_csv import render_csv, render_daily_csv
from reports.render_json import load_schema, render_json
from reports.render_pdf import render_pdf
from tests.conftest import require_peer

pytest_plugins = ("tests.report_fixtures",)


@pytest.fixture(scope="module")
def pdf(report: MonthReport) -> bytes:
    return render_pdf(report, 1, "fr")


def test_the_json_document_satisfies_its_schema(report: MonthReport) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    doc = json.loads(render_json(report, 1))
    jsonschema.Draft202012Validator.check_schema(load_schema())
    jsonschema.validate(doc, load_schema())
    assert doc["version"] == 1 and doc["period"]["hours"] == 745


def test_the_csv_has_stable_columns_and_the_json_figures(report: MonthReport) -> None:
    doc = json.loads(render_json(report, 1))
    rows = list(csv.DictReader(io.StringIO(render_csv(report).decode())))
    assert tuple(rows[0]) == SAMU_COLUMNS
    for row, entry in zip(rows, doc["samu"], strict=True):
        for column in SAMU_COLUMNS:
            want = entry[column]
            text = (
                "" if want is None else str(want).lower() if isinstance(want, bool) else str(want)
            )
            assert row[column] == text, column
    daily = list(csv.reader(io.StringIO(render_daily_csv(report).decode())))
    assert tuple(daily[0]) == DAY_COLUMNS and len(daily) == 1 + 31 * 5


@pytest.mark.parametrize(
    "render",
    [
        lambda r: render_json(r, 1),
        render_csv,
        render_daily_csv,
        lambda r: render_pdf(r, 1, "fr"),
        lambda r: render_pdf(r, 2, "en"),
    ],
    ids=["json", "csv", "daily-csv", "pdf-fr", "pdf-en"],
)
def test_generating_twice_gives_identical_bytes(report: MonthReport, render: object) -> None:
    assert callable(render)
    assert render(report) == render(report)


def _pdf_text(pdf: bytes, tmp_path: Path) -> str:
    require_peer("pdftotext")
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, check=True)
    return out.stdout.decode().replace(NBSP, " ").replace(NNBSP, " ")


def test_the_pdf_text_shows_the_json_figures(
    report: MonthReport, pdf: bytes, tmp_path: Path
) -> None:
    text = _pdf_text(pdf, tmp_path)
    doc = json.loads(render_json(report, 1))
    fmt = formatter("fr")

    def shown(value: str) -> str:
        return value.replace(NBSP, " ").replace(NNBSP, " ")

    assert shown(fmt.pct(doc["summary"]["s1_pct"])) in text
    assert shown(fmt.pct(doc["summary"]["budget_consumed_pct"])) in text
    for entry in doc["samu"]:
        table = text[text.index("Résultats par SAMU") :]
        start = table.index(entry["samu_id"])
        line = table[start : table.find("fr.health.samu", start + 10)]
        if entry["status"] == "no_data":
            assert "pas de données" in line and "100,0000" not in line
            continue
        for column in ("s1_pct", "s2_pct", "qs60_raw_pct", "qs60_adjusted_pct", "completeness_pct"):
            assert shown(fmt.pct(entry[column])) in line, column
        assert shown(fmt.count(entry["calls"])) in line
    assert "ANS — directeur des opérations" in text and "S1CallSetupFastBurn" in text
    assert "Déclaration de conformité" in text and "Méthode" in text


def test_the_english_pdf_speaks_english(report: MonthReport, tmp_path: Path) -> None:
    text = _pdf_text(render_pdf(report, 1, "en"), tmp_path)
    assert "Monthly availability report" in text and "no data" in text


def test_the_pdf_renders_to_images(pdf: bytes, tmp_path: Path) -> None:
    require_peer("pdftoppm")
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "40", str(path), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) >= 3 and all(p.stat().st_size > 2000 for p in pages)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True).stdout.decode()
    assert "CreationDate:    Sat Oct 31 23:00:00 2026 UTC" in info
