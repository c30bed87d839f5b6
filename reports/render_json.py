"""The JSON format: the report document, canonical (sorted keys, fixed layout), with a schema."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from reports.document import document
from reports.model import MonthReport

SCHEMA_FILE = Path(__file__).with_name("schema") / "report.schema.json"


def render_json(report: MonthReport, version: int) -> bytes:
    """The report as UTF-8 JSON; the same report gives the same bytes."""
    text = json.dumps(document(report, version), sort_keys=True, ensure_ascii=False, indent=2)
    return (text + "\n").encode()


def load_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) every report document satisfies."""
    schema: dict[str, Any] = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    return schema
