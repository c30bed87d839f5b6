"""The report as one plain document (the JSON's content, and what CSV and PDF print).

Percentages are rounded once, here, to 4 decimals, so that every format shows the same digits;
exact counts travel beside them. A missing figure is null ("no data"), never 100.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from datetime import UTC, date, datetime
from typing import Any

from reports.model import MonthReport, SamuRow, WaveRow

SCHEMA_ID = "https://vigie15.fr/schema/report/v1"
PCT_DIGITS = 4
# Per-SAMU columns, in their stable order (CSV header = these names).
SAMU_COLUMNS = (
    "samu_id",
    "name",
    "region",
    "status",
    "calls",
    "s1_good",
    "s1_valid",
    "s1_pct",
    "s2_good",
    "s2_valid",
    "s2_pct",
    "s3_minutes_down",
    "s3_minutes_judged",
    "s3_minutes_gap",
    "s3_minutes_no_data",
    "s3_pct",
    "budget_left_pct",
    "slo_met",
    "answered",
    "answered_60",
    "abandoned_under_15",
    "abandoned_over_15",
    "qs60_raw_pct",
    "qs60_adjusted_pct",
    "abandonment_pct",
    "entraide_in",
    "entraide_out",
    "minutes_with_data",
    "minutes_in_month",
    "completeness_pct",
    "maintenance_minutes",
)
DAY_COLUMNS = (
    "day",
    "samu_id",
    "calls",
    "s1_good",
    "s1_valid",
    "s2_good",
    "s2_valid",
    "s3_minutes_down",
    "answered",
    "answered_60",
    "abandoned_under_15",
    "abandoned_over_15",
    "entraide_in",
    "entraide_out",
    "minutes_with_data",
)


def pct(fraction: float | None) -> float | None:
    """A fraction as a percentage rounded to PCT_DIGITS decimals (None stays None)."""
    return None if fraction is None else round(fraction * 100, PCT_DIGITS)


def stamp(at: datetime | None) -> str | None:
    """An instant as ISO 8601 UTC with a Z."""
    return None if at is None else at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def samu_entry(r: SamuRow) -> dict[str, Any]:
    """One SAMU's row with the stable column names."""
    return {
        "samu_id": r.samu_id,
        "name": r.name,
        "region": r.region,
        "status": r.status,
        "calls": r.calls,
        "s1_good": r.s1_good,
        "s1_valid": r.s1_valid,
        "s1_pct": pct(r.s1),
        "s2_good": r.s2_good,
        "s2_valid": r.s2_valid,
        "s2_pct": pct(r.s2),
        "s3_minutes_down": r.s3_minutes_down,
        "s3_minutes_judged": r.s3_minutes_judged,
        "s3_minutes_gap": r.s3_minutes_gap,
        "s3_minutes_no_data": r.s3_minutes_no_data,
        "s3_pct": pct(r.s3),
        "budget_left_pct": pct(r.budget_left),
        "slo_met": r.met,
        "answered": r.answered,
        "answered_60": r.answered_60,
        "abandoned_under_15": r.abandoned_under_15,
        "abandoned_over_15": r.abandoned_over_15,
        "qs60_raw_pct": pct(r.qs60_raw),
        "qs60_adjusted_pct": pct(r.qs60_adjusted),
        "abandonment_pct": pct(r.abandonment),
        "entraide_in": r.entraide_in,
        "entraide_out": r.entraide_out,
        "minutes_with_data": r.minutes_with_data,
        "minutes_in_month": r.minutes_in_month,
        "completeness_pct": pct(r.completeness),
        "maintenance_minutes": r.maintenance_minutes,
    }


def wave_entry(w: WaveRow) -> dict[str, Any]:
    """One SAMU of a migration wave of the month, with each figure's verdict."""
    return {
        "wave_id": w.wave_id,
        "title": w.title,
        "night_start": w.night_start,
        "night_end": w.night_end,
        "approved_by": w.approved_by,
        "samu_id": w.samu_id,
        "from": w.source,
        "to": w.target,
        "verdict": w.verdict,
        "verdicts": dict(w.verdicts),
        "days": w.days,
        "complete": w.complete,
    }


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return stamp(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def figures(report: MonthReport) -> dict[str, Any]:
    """Every figure of the report (no version, no language): what an archive compares."""
    s, o = report.summary, report.objectives
    out: dict[str, Any] = _plain(
        {
            "month": report.month,
            "timezone": report.timezone,
            "period": {"start": report.start, "end": report.end, "hours": report.hours},
            "as_of": report.as_of,
            "objectives": {
                "s1_pct": pct(o.s1),
                "s1_national_pct": pct(o.s1_national),
                "s2_pct": pct(o.s2),
                "s2_threshold_s": o.s2_threshold_s,
                "s3_pct": pct(o.s3),
                "qs60_threshold_s": o.qs60_threshold_s,
                "s1_good": list(o.s1_good),
                "s1_excluded": list(o.s1_excluded),
                "definitions": [{"id": i, "source": src} for i, src in o.versions],
            },
            "summary": {
                "s1_good": s.s1_good,
                "s1_valid": s.s1_valid,
                "s1_pct": pct(s.s1),
                "objective_pct": pct(s.objective),
                "met": s.met,
                "budget_consumed_pct": pct(s.budget_consumed),
                "s2_pct": pct(s.s2),
                "minutes_down": s.minutes_down,
                "incidents": s.incidents,
                "samu_met": s.samu_met,
                "samu_missed": s.samu_missed,
                "samu_no_data": s.samu_no_data,
                "previous_month_pct": pct(s.previous_month),
                "previous_year_pct": pct(s.previous_year),
            },
            "samu": [samu_entry(r) for r in report.samu],
            "incidents": [asdict(i) for i in report.incidents],
            "maintenance": [asdict(m) for m in report.maintenance],
            "daily": [asdict(d) for d in report.days],
            "national_days": [
                {"day": d.day, "s1_pct": pct(d.s1), "budget_left_pct": pct(d.budget_left)}
                for d in report.national_days
            ],
        }
    )
    if report.waves:  # a month without a wave keeps the figures (and digest) it always had
        out["waves"] = _plain([wave_entry(w) for w in report.waves])
    return out


def digest(report: MonthReport) -> str:
    """SHA-256 of the canonical figures: equal digests mean equal numbers."""
    text = json.dumps(figures(report), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def document(report: MonthReport, version: int) -> dict[str, Any]:
    """The JSON document: the figures with the schema id and the issue version."""
    return {"$schema": SCHEMA_ID, "version": version, **figures(report)}
