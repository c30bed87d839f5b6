"""The per-SAMU charts of the PDF, for the SAMU to watch (an objective missed or an incident):
budget burn-down with the steady-consumption line, daily burn rate against the alert policy's
thresholds, the SAMU's calls beside its backup's with the calls transferred (entraide), and its
S3 minutes judged bad by hour × day in Paris time (`reports.heatmap`: night-time patterns show).

Every rate comes from `slo.budget` (the one definition of a burn rate) over the report's daily
counters; the thresholds are the policy's derived factors (`slo/policy.yaml`). Pure SVG text,
drawn offline.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from reports.charts import burn_rate_chart, lines_chart, no_data_chart
from reports.heatmap import civil_grid, heat_map_chart
from reports.i18n import Formatter
from reports.model import DayRow, MonthReport, SamuRow
from slo.budget import burn_rate
from slo.policy import Policy

MAX_SAMU = 12  # a report is read, not scrolled: the worst first
SERIES, STEADY, BACKUP, TRANSFER = "#1f4e9c", "#777777", "#b35900", "#b00000"
_SEVERITY_COLOUR = {"page": "#b00000", "ticket": "#b35900"}


@dataclass(frozen=True)
class SamuCharts:
    """One SAMU's section of charts (SVG text)."""

    samu_id: str
    name: str
    burn_down: str
    burn_rate: str
    entraide: str
    heat: str


def watched(report: MonthReport) -> list[SamuRow]:
    """The SAMU that missed an objective or had an incident, worst S1 first."""
    hit = {s for i in report.incidents for s in i.samu}
    rows = [r for r in report.samu if r.met is False or r.samu_id in hit]
    return sorted(rows, key=lambda r: (r.s1 if r.s1 is not None else 2.0, r.samu_id))[:MAX_SAMU]


def thresholds(policy: Policy, fmt: Formatter) -> list[tuple[str, float, str]]:
    """(label, factor, colour) of each pair of the policy, e.g. "seuil d'astreinte 14,4 (1 h)"."""
    out = []
    for pair in policy.pairs:
        word = fmt.words["legend_page" if pair.severity == "page" else "legend_ticket"]
        factor = pair.factor(policy.period)
        window = fmt.duration(int(pair.long.total_seconds()))
        label = f"{word} {fmt.formats.number(factor, 1)} ({window})"
        out.append((label, factor, _SEVERITY_COLOUR.get(pair.severity, "#444444")))
    return out


def _days(report: MonthReport, samu_id: str) -> dict[date, DayRow]:
    return {d.day: d for d in report.days if d.samu_id == samu_id}


def samu_charts(
    report: MonthReport, backups: dict[str, str], policy: Policy, fmt: Formatter
) -> list[SamuCharts]:
    """The chart section of every watched SAMU."""
    objective = report.objectives.s1
    days = sorted({d.day for d in report.days})
    labels = [f"{d.day:02d}" for d in days]
    names = {r.samu_id: r.name for r in report.samu}
    words = fmt.words
    out = []
    for row in watched(report):
        mine = _days(report, row.samu_id)
        valid = [mine[d].s1_valid if d in mine else 0 for d in days]
        bad = [mine[d].s1_valid - mine[d].s1_good if d in mine else 0 for d in days]
        allowed = sum(valid) * (1 - objective)
        heat = _heat(report, row.samu_id, days, fmt)
        if allowed <= 0:
            empty = no_data_chart(words["no_data"])
            out.append(SamuCharts(row.samu_id, row.name, empty, empty, empty, heat))
            continue
        left, spent = [], 0.0
        for b in bad:
            spent += b
            left.append(100 * (1 - spent / allowed))
        steady = [100 * (1 - (i + 1) / len(days)) for i in range(len(days))]
        down = lines_chart(
            labels,
            [
                (words["legend_remaining"], SERIES, False, left),
                (words["legend_steady"], STEADY, True, steady),
            ],
            lambda v: fmt.pct(v, 0),
            min(0.0, *left),
            100.0,
        )
        rates = [
            burn_rate(v - b, v, objective) if v > 0 else None
            for v, b in zip(valid, bad, strict=True)
        ]
        rate = burn_rate_chart(
            labels,
            rates,
            thresholds(policy, fmt),
            words["legend_burn"],
            lambda v: fmt.formats.number(v, 1 if v < 1 else 0),
        )
        out.append(
            SamuCharts(
                row.samu_id,
                row.name,
                down,
                rate,
                _pair(report, row.samu_id, backups.get(row.samu_id), names, labels, days, fmt),
                heat,
            )
        )
    return out


def _heat(report: MonthReport, samu_id: str, days: Sequence[date], fmt: Formatter) -> str:
    """The SAMU's S3 minutes judged bad by hour × civil day; "pas de données" without S3."""
    hours = report.bad_hours.get(samu_id)
    if hours is None or not days:
        return no_data_chart(fmt.words["no_data"])
    grid = civil_grid(hours, report.start, days, report.timezone)
    labels = [f"{d.day:02d}" for d in days]
    return heat_map_chart(
        labels, grid, fmt.words["legend_bad_minutes"], fmt.formats.integer, fmt.words["no_data"]
    )


def _pair(
    report: MonthReport,
    samu_id: str,
    backup: str | None,
    names: dict[str, str],
    labels: Sequence[str],
    days: Sequence[date],
    fmt: Formatter,
) -> str:
    """The SAMU's and its backup's calls per day, and the calls it transferred (entraide)."""
    words = fmt.words
    mine = _days(report, samu_id)
    series = [
        (
            words["legend_calls"].format(samu=names.get(samu_id, samu_id)),
            SERIES,
            False,
            [float(mine[d].calls) if d in mine else None for d in days],
        ),
        (
            words["legend_transfers"],
            TRANSFER,
            True,
            [float(mine[d].entraide_out) if d in mine else None for d in days],
        ),
    ]
    if backup is not None and backup in names:
        theirs = _days(report, backup)
        series.insert(
            1,
            (
                words["legend_calls"].format(samu=names[backup]),
                BACKUP,
                False,
                [float(theirs[d].calls) if d in theirs else None for d in days],
            ),
        )
    if not any(v for _, _, _, values in series for v in values):
        return no_data_chart(words["no_data"])
    return lines_chart(labels, series, lambda v: fmt.formats.integer(v), 0.0, 1.0)
