"""A comparison as JSON (API, `--format json`), CSV (one row per SAMU × figure) and text (the
CLI's table): layout only, the figures are `waves.compare`'s."""

from __future__ import annotations

import csv
import io
from typing import Any

from waves.compare import Comparison, FigureResult
from waves.measures import BY_KEY

CSV_HEADER = (
    "wave",
    "samu",
    "from",
    "to",
    "figure",
    "unit",
    "before",
    "after",
    "difference",
    "low",
    "high",
    "verdict",
    "units_before",
    "units_after",
    "complete",
)
LABELS = {
    "availability": "availability (S1)",
    "reachability": "reachability (S3)",
    "setup_p50": "setup p50",
    "setup_p95": "setup p95",
    "setup_p99": "setup p99",
    "network_latency": "network latency",
    "component_health": "component health",
}


def comparison_dict(c: Comparison) -> dict[str, Any]:
    """The comparison as the API returns it."""
    return {
        "wave": c.wave.to_dict(),
        "method": {
            "days": c.method.days,
            "unit": c.method.unit,
            "confidence": c.method.confidence,
            "resamples": c.method.resamples,
        },
        "before": {"start": c.before.start.isoformat(), "end": c.before.end.isoformat()},
        "after": {"start": c.after.start.isoformat(), "end": c.after.end.isoformat()},
        "as_of": c.as_of.isoformat(),
        "complete": c.complete,
        "samu": [
            {
                "samu": r.samu_id,
                "from": r.source,
                "to": r.target,
                "verdict": r.verdict,
                "figures": [
                    {
                        "figure": f.figure,
                        "unit": BY_KEY[f.figure].unit,
                        "before": f.before,
                        "after": f.after,
                        "difference": f.difference,
                        "low": f.low,
                        "high": f.high,
                        "verdict": f.verdict,
                        "units_before": f.units_before,
                        "units_after": f.units_after,
                    }
                    for f in r.figures
                ],
            }
            for r in c.samu
        ],
    }


def _cell(value: float | None) -> str:
    return "" if value is None else repr(value)


def comparison_csv(c: Comparison) -> str:
    """One row per SAMU × figure, values in the figure's unit (a share of 1, or seconds)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for r in c.samu:
        for f in r.figures:
            writer.writerow(
                [
                    c.wave.id,
                    r.samu_id,
                    r.source,
                    r.target,
                    f.figure,
                    BY_KEY[f.figure].unit,
                    _cell(f.before),
                    _cell(f.after),
                    _cell(f.difference),
                    _cell(f.low),
                    _cell(f.high),
                    f.verdict,
                    f.units_before,
                    f.units_after,
                    "yes" if c.complete else "no",
                ]
            )
    return out.getvalue()


def value_text(key: str, value: float | None) -> str:
    """A figure's value for people: a share in %, seconds in ms."""
    if value is None:
        return "—"
    if BY_KEY[key].unit == "share":
        return f"{value * 100:.3f} %"
    return f"{value * 1000:.1f} ms"


def change_text(key: str, f: FigureResult) -> str:
    """after − before and its interval: points for a share, ms for seconds."""
    if f.difference is None:
        return "—"
    scale, unit = (100.0, " pt") if BY_KEY[key].unit == "share" else (1000.0, " ms")
    digits = 3 if unit == " pt" else 1
    text = f"{f.difference * scale:+.{digits}f}{unit}"
    if f.low is not None and f.high is not None:
        text += f" [{f.low * scale:+.{digits}f}, {f.high * scale:+.{digits}f}]"
    return text


def comparison_text(c: Comparison) -> str:
    """The CLI's table: a head, then per SAMU its verdict and one line per figure."""
    w, m = c.wave, c.method
    state = "complete" if c.complete else f"provisional (as of {c.as_of:%Y-%m-%d %H:%M} UTC)"
    lines = [
        f"wave {w.id}: {w.title}",
        f"night {w.starts_at:%Y-%m-%d %H:%M} → {w.ends_at:%Y-%m-%d %H:%M} UTC, "
        f"approved by {w.approved_by}",
        f"{m.days} days before vs {m.days} days after; {m.confidence:.1%} intervals "
        f"(bootstrap over {m.unit}s, {m.resamples} resamples); {state}",
    ]
    for r in c.samu:
        lines += ["", f"{r.samu_id}  {r.source} → {r.target}  {r.verdict.upper()}"]
        table = [("  figure", "before", "after", "change [interval]", "verdict")]
        for f in r.figures:
            table.append(
                (
                    f"  {LABELS[f.figure]}",
                    value_text(f.figure, f.before),
                    value_text(f.figure, f.after),
                    change_text(f.figure, f),
                    f.verdict,
                )
            )
        widths = [max(len(row[i]) for row in table) for i in range(5)]
        lines += [
            "  ".join(x.ljust(n) for x, n in zip(row, widths, strict=True)).rstrip()
            for row in table
        ]
    return "\n".join(lines) + "\n"
