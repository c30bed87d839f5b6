"""A backtest as a document: one JSON object, one CSV table or text lines (`vigie slo backtest
--format json|csv|text`), built from the replay and, when ground truth is known, its score.

Pure: values in, values out (the CLI prints them). The CSV is one table whose `record` column
says what a row is — `replay` (where it stopped and why), `alert` (one per alert), `incident`
(detection, reset, pages, tickets), `summary` (pages, tickets and false pages per SLO and
SAMU) — so a script filters on it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from slo.backtest import Firing, Replay
from slo.backtest_score import Score, false_by

CSV_COLUMNS = (
    "record",
    "alertname",
    "severity",
    "slo",
    "samu",
    "kind",
    "start",
    "end",
    "detected_after_s",
    "detected_by",
    "reset_after_s",
    "pages",
    "tickets",
    "false_pages",
    "note",
)


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def _s(delay: timedelta | None) -> float | None:
    return None if delay is None else delay.total_seconds()


def document(replay: Replay, delivered: Sequence[Firing], result: Score | None) -> dict[str, Any]:
    """The whole backtest as one JSON-able object."""
    false = set(result.false_pages) if result is not None else set()
    alerts = [
        {
            **dict(f.labels),
            "starts_at": _iso(f.starts_at),
            "ends_at": _iso(f.ends_at),
            **({"false_page": f in false} if result is not None else {}),
        }
        for f in delivered
    ]
    out: dict[str, Any] = {
        "start": _iso(replay.start),
        "end": _iso(replay.end),
        "step_s": replay.step.total_seconds(),
        "ticks": replay.ticks,
        "last_tick": _iso(replay.last_tick),
        "stopped_by": replay.reason,
        "stopped": replay.stopped(),
        "data_start": _iso(replay.data_start),
        "notes": list(replay.notes),
        "pages": sum(a.get("severity") == "page" for a in alerts),
        "tickets": sum(a.get("severity") == "ticket" for a in alerts),
        "alerts": alerts,
        "by_slo_samu": summary(delivered, result),
        "truth": None,
    }
    if result is not None:
        out["truth"] = {
            "incidents": [
                {
                    "kind": o.incident.kind,
                    "samu": o.incident.samu,
                    "start": _iso(o.incident.start),
                    "end": _iso(o.incident.end),
                    "detected_after_s": _s(o.detected_after),
                    "detected_by": o.detected_by,
                    "reset_after_s": _s(o.reset_after),
                    "pages": o.pages,
                    "tickets": o.tickets,
                }
                for o in result.outcomes
            ],
            "recall": result.recall,
            "precision": result.precision,
            "false_pages": len(result.false_pages),
            "muted_by_maintenance": result.muted,
            "false_by": [
                {"alertname": a, "slo": s, "samu": m, "pages": n}
                for (a, s, m), n in false_by(result.false_pages).items()
            ],
        }
    return out


def summary(delivered: Sequence[Firing], result: Score | None) -> list[dict[str, Any]]:
    """Pages, tickets and false pages per (SLO or alert name, SAMU)."""
    false = set(result.false_pages) if result is not None else set()
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for f in delivered:
        key = (f.label("slo") or f.label("alertname"), f.label("samu") or "fleet")
        row = rows.setdefault(key, {"slo": key[0], "samu": key[1], "pages": 0, "tickets": 0})
        row["pages" if f.label("severity") == "page" else "tickets"] += 1
        if result is not None:
            row["false_pages"] = row.get("false_pages", 0) + (f in false)
    return [rows[k] for k in sorted(rows)]


def csv_text(doc: dict[str, Any]) -> str:
    """The document as one CSV table (see the module doc)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, CSV_COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerow(
        {
            "record": "replay",
            "start": doc["start"],
            "end": doc["last_tick"],
            "pages": doc["pages"],
            "tickets": doc["tickets"],
            "note": doc["stopped"],
        }
    )
    for a in doc["alerts"]:
        false = a.get("false_page")
        writer.writerow(
            {
                **a,
                "record": "alert",
                "start": a["starts_at"],
                "end": a["ends_at"],
                "false_pages": "" if false is None else int(false),
            }
        )
    truth = doc["truth"] or {"incidents": []}
    for i in truth["incidents"]:
        writer.writerow({**i, "record": "incident"})
    for row in doc["by_slo_samu"]:
        writer.writerow({**row, "record": "summary"})
    return buffer.getvalue()


def text_lines(doc: dict[str, Any]) -> list[str]:
    """The document as lines for a terminal."""
    out = []
    for a in doc["alerts"]:
        ends = a["ends_at"] or "still firing"
        flag = "  FALSE" if a.get("false_page") else ""
        out.append(
            f"{a['severity']:6} {a['alertname']:16} {a.get('slo', ''):28} "
            f"{a.get('samu', 'fleet'):18} {a['starts_at']} → {ends}{flag}"
        )
    out.append(f"{doc['pages']} pages, {doc['tickets']} tickets")
    out.append(doc["stopped"])
    out += [f"note: {n}" for n in doc["notes"]]
    truth = doc["truth"]
    if truth is None:
        return out
    out.append(f"ground truth: {len(truth['incidents'])} incidents played")
    for i in truth["incidents"]:
        seen = "missed"
        if i["detected_after_s"] is not None:
            seen = (
                f"detected after {timedelta(seconds=i['detected_after_s'])} by {i['detected_by']}"
            )
        reset = i["reset_after_s"]
        resets = "" if reset is None else f", reset {timedelta(seconds=reset)} after its end"
        out.append(
            f"  {i['kind']:11} {i['samu'] or 'platform':18} {i['start']}: {seen}{resets}"
            f" ({i['pages']} pages, {i['tickets']} tickets)"
        )
    precision = "n/a" if truth["precision"] is None else f"{truth['precision']:.0%}"
    recall = "n/a" if truth["recall"] is None else f"{truth['recall']:.0%}"
    out.append(
        f"precision {precision} ({truth['false_pages']} false of {doc['pages']} pages), "
        f"recall {recall}; {truth['muted_by_maintenance']} alerts muted by planned maintenance"
    )
    for row in truth["false_by"]:
        out.append(f"  false: {row['pages']} × {row['alertname']} {row['slo']} {row['samu']}")
    return out
