"""The PDF reads as a finished French document: its text, extracted with pdftotext, holds the
expected sentences (agreement included), every chart is drawn or says "pas de données", the
period is in Europe/Paris, no budget is negative and no method sentence is cut short."""

from __future__ import annotations

import re
import subprocess
from dataclasses import replace
from pathlib import Path

from reports.i18n import formatter
from reports.model import MonthReport
from reports.render_pdf import render_html, render_pdf
from reports.samu_charts import watched
from tests.conftest import require_peer

pytest_plugins = ("tests.report_fixtures",)


def text_of(pdf: bytes, tmp_path: Path) -> str:
    """The PDF's text, one line per line, spaces (narrow no-break included) made plain."""
    require_peer("pdftotext")
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, check=True)
    return re.sub(r"[ \u00a0\u202f]+", " ", out.stdout.decode())


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def plain(text: str) -> str:
    return re.sub(r"[\u00a0\u202f]", " ", text)


def test_the_french_pdf_is_written_in_full_sentences(report: MonthReport, tmp_path: Path) -> None:
    text = flat(text_of(render_pdf(report, 1, "fr"), tmp_path))
    s = report.summary
    fmt = formatter("fr")
    expected = [
        "Ce rapport couvre le mois d'octobre 2026 (745 heures), du 1er octobre 2026 à 00:00 au "
        "1er novembre 2026 à 00:00, heure de Paris (Europe/Paris). Version 1 ;",
        "La disponibilité nationale de l'établissement des appels (S1) est de "
        f"{plain(fmt.pct(round(s.s1 * 100, 4)))} pour un objectif de "
        f"{plain(fmt.pct(s.objective * 100))}.",
        "Les appels de test ont échoué ou manqué pendant",
        plain(fmt.counted("incidents", s.incidents)),
        plain(
            fmt.trend(
                s.previous_month and round(s.previous_month * 100, 4),
                s.previous_year and round(s.previous_year * 100, 4),
            )
        ),
        "Déclaration de conformité",
        "Graphiques des SAMU à suivre",
        "Taux de combustion quotidien (S1) et seuils d'alerte",
        "seuil d'astreinte 14,4 (1 h)",
        "Maintenances planifiées (exclues)",
    ]
    for sentence in expected:
        assert flat(sentence) in text, sentence
    assert plain(fmt.samu_sentence(s.samu_met, s.samu_missed, s.samu_no_data)) in text
    assert "hors ;" not in text and "Aucun." not in text
    assert not re.search(r"-\d+,\d+ %", text)  # an overspent budget is "épuisé"
    assert "(UTC" not in text and "Période (UTC)" not in text
    for row in watched(report):
        assert row.name in text


def test_an_empty_month_says_so_with_the_right_agreement(
    report: MonthReport, tmp_path: Path
) -> None:
    quiet = replace(
        report,
        incidents=(),
        maintenance=(),
        days=(),
        national_days=(),
        summary=replace(report.summary, s1=None, met=None, budget_consumed=None, incidents=0),
        samu=tuple(replace(r, met=True) for r in report.samu),
    )
    text = flat(text_of(render_pdf(quiet, 1, "fr"), tmp_path))
    for sentence in (
        "Aucun incident n'a été ouvert ce mois-ci.",
        "Aucune maintenance planifiée n'a eu lieu ce mois-ci.",
        "Aucun SAMU n'a manqué d'objectif ni connu d'incident ce mois-ci.",
        "Faute de données, la conformité ne peut pas être établie ce mois-ci.",
        "Aucune donnée ne permet de calculer la disponibilité nationale",
    ):
        assert sentence in text, sentence
    html = render_html(quiet, 1, "fr")
    assert html.count("pas de données</text>") >= 2  # the empty charts say so


def test_counts_agree_in_french_and_english() -> None:
    fr, en = formatter("fr"), formatter("en")
    assert [fr.counted("incidents", n) for n in (0, 1, 3)] == [
        "Aucun incident n'a été ouvert ce mois-ci.",
        "Un incident a été ouvert ce mois-ci.",
        "3 incidents ont été ouverts ce mois-ci.",
    ]
    assert fr.samu_sentence(98, 1, 1) == (
        "98 SAMU respectent leurs objectifs, un les manque et un n'a transmis aucune donnée."
    )
    assert en.counted("incidents", 1) == "One incident was opened this month."
    assert (
        fr.month("2026-04") == "le mois d'avril 2026"
        and fr.month("2026-03") == "le mois de mars 2026"
    )
    assert fr.budget(-41076.5) == "épuisé" and fr.budget(41.25) == "41,25\u202f%"
    assert fr.trend(None, None) == (
        "Ni le mois précédent ni le même mois l'an dernier n'ont de données à comparer."
    )
    assert "pas de données le" not in fr.trend(None, 99.5) + fr.trend(99.5, None)


def test_minutes_not_judged_are_said_per_samu_and_in_the_summary(
    report: MonthReport, tmp_path: Path
) -> None:
    first, second, *rest = report.samu
    rows = (
        replace(first, s3_minutes_no_data=1234, s3_minutes_gap=5),
        replace(second, s3_minutes_no_data=0, s3_minutes_gap=1),
        *(replace(r, s3_minutes_no_data=None, s3_minutes_gap=None) for r in rest),
    )
    text = flat(text_of(render_pdf(replace(report, samu=rows), 1, "fr"), tmp_path))
    assert (
        "1 234 minutes sans données et 6 minutes de trou de collecte Vigie n'ont été jugées ni "
        "disponibles ni indisponibles (S3) : elles sont exclues des budgets." in text
    )
    assert "S3 min. sans données / trou Vigie" in text
    assert re.search(rf"{re.escape(first.name)} .*1 234 / 5", text)
    assert re.search(rf"{re.escape(second.name)} .*0 / 1", text)


def test_the_minutes_not_judged_sentence_agrees() -> None:
    fr, en = formatter("fr"), formatter("en")

    def rows(no_data: int | None, gap: int | None) -> list[dict[str, int | None]]:
        return [{"s3_minutes_no_data": no_data, "s3_minutes_gap": gap}]

    assert fr.unjudged(rows(None, None)) == ""  # no S3 figures: nothing to say
    assert fr.unjudged(rows(0, 0)).startswith("Toutes les minutes d'appels de test ont été jugées")
    assert fr.unjudged(rows(0, 1)) == (
        "Une minute de trou de collecte Vigie n'a été jugée ni disponible ni indisponible (S3) : "
        "elle est exclue des budgets."
    )
    assert en.unjudged(rows(2, 0)) == (
        "2 minutes without data were judged neither up nor down (S3): they are excluded from "
        "the budgets."
    )
