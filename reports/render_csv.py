"""The CSV formats: one row per SAMU, and the annex of daily counters (stable column names)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict
from typing import Any

from reports.document import DAY_COLUMNS, SAMU_COLUMNS, samu_entry
from reports.model import MonthReport


def _cell(value: Any) -> str:
    if value is None:
        return ""  # no data: an empty cell, never 0 or 100
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _table(columns: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row[c]) for c in columns])
    return out.getvalue().encode()


def render_csv(report: MonthReport) -> bytes:
    """Per-SAMU figures of the month, one row per SAMU, in registry order."""
    return _table(SAMU_COLUMNS, (samu_entry(r) for r in report.samu))


def render_daily_csv(report: MonthReport) -> bytes:
    """The annex: daily counters per SAMU and Europe/Paris civil day."""
    return _table(DAY_COLUMNS, (asdict(d) for d in report.days))
