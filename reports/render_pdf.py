"""The PDF: HTML from Jinja2 templates, printed by WeasyPrint with fixed fonts and metadata.

Everything that could vary between two runs is pinned: the fonts are DejaVu files referenced
by absolute path, the creation and modification dates are the report's `as_of` instant, the
PDF identifier is derived from the month and version, and the charts are SVG drawn here.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from reports.charts import line_chart, lines_chart, no_data_chart, ranking_chart
from reports.document import document
from reports.errors import ReportError
from reports.i18n import formatter
from reports.model import MonthReport
from reports.samu_charts import SERIES, STEADY, samu_charts
from slo.loader import load_policy
from slo.policy import Policy
from store.registry import load_registry

TEMPLATES = Path(__file__).with_name("templates")
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONTS = {"regular": FONT_DIR / "DejaVuSans.ttf", "bold": FONT_DIR / "DejaVuSans-Bold.ttf"}
RANKED = 25  # the ranking chart shows the worst SAMU


def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["j2", "html"]),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )


def _policy() -> Policy:
    """The alert policy of the critical class (S1's), whose thresholds the charts draw."""
    found = load_policy()
    return found.policies[found.classes["critical"].policy]


def render_html(report: MonthReport, version: int, lang: str = "fr") -> str:
    """The report as HTML (what the PDF prints)."""
    fmt = formatter(lang)
    doc = document(report, version)
    days = doc["national_days"]
    labels = [d["day"][8:] for d in days]
    objective = doc["summary"]["objective_pct"]
    ranked = sorted(
        (r for r in doc["samu"] if r["s1_pct"] is not None),
        key=lambda r: (r["s1_pct"], r["samu_id"]),
    )[:RANKED]
    steady = [100 * (1 - (i + 1) / len(days)) for i in range(len(days))] if days else []
    budget = [d["budget_left_pct"] for d in days]
    words = fmt.words
    charts = {
        "daily": line_chart(labels, [d["s1_pct"] for d in days], objective, fmt, 99.9, 100.0),
        "budget": (
            lines_chart(
                labels,
                [
                    (words["legend_remaining"], SERIES, False, budget),
                    (words["legend_steady"], STEADY, True, steady),
                ],
                lambda v: fmt.pct(v, 0),
                min([0.0, *(b for b in budget if b is not None)]),
                100.0,
            )
            if any(b is not None for b in budget)
            else no_data_chart(words["no_data"])
        ),
        "ranking": ranking_chart(
            [f"{r['samu_id'][14:]} {r['name']}" for r in ranked],
            [r["s1_pct"] for r in ranked],
            doc["objectives"]["s1_pct"],
            lambda v: fmt.pct(v, 4),
            words["no_data"],
        ),
    }
    backups = {s.id: s.backup_id for s in load_registry() if s.backup_id}
    per_samu = samu_charts(report, backups, _policy(), fmt)
    context: dict[str, Any] = {
        "doc": doc,
        "t": words,
        "fmt": fmt,
        "lang": lang,
        "fonts": FONTS,
        "charts": {k: Markup(v) for k, v in charts.items()},  # SVG drawn by reports.charts
        "samu_charts": [
            {
                "title": f"{c.samu_id[14:]} {c.name}",
                "burn_down": Markup(c.burn_down),
                "burn_rate": Markup(c.burn_rate),
                "entraide": Markup(c.entraide),
                "heat": Markup(c.heat),
            }
            for c in per_samu
        ],
    }
    return _environment().get_template("report.html.j2").render(**context)


def render_pdf(report: MonthReport, version: int, lang: str = "fr") -> bytes:
    """The report as a PDF; the same report, version and language give the same bytes."""
    missing = [str(p) for p in FONTS.values() if not p.exists()]
    if missing:
        raise ReportError(
            f"font files missing: {', '.join(missing)} (install the Debian package "
            "fonts-dejavu-core)"
        )
    from weasyprint import HTML  # type: ignore[import-untyped,unused-ignore]

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    html = HTML(string=render_html(report, version, lang), base_url=str(TEMPLATES))
    identifier = f"vigie15-{report.month}-v{version}-{lang}".encode()
    pdf: bytes = html.write_pdf(pdf_identifier=identifier, uncompressed_pdf=False)
    return pdf
