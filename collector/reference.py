"""The metric reference table (docs/metrics.md), generated from collector/conventions.py."""

from __future__ import annotations

from collector.conventions import METRICS, RESOURCE_ATTRIBUTES, AttributeRule


def _rule(rule: AttributeRule) -> str:
    if rule.values is not None:
        text = " \\| ".join(f"`{v}`" for v in sorted(rule.values))
    elif rule.pattern is not None:
        text = "matches `" + rule.pattern.pattern.replace("|", "\\|") + "`"
    else:
        text = "any"
    return f"{text}{' (required)' if rule.required else ''}"


def metrics_reference() -> str:
    """Markdown for every metric Vigie understands: kind, unit, attributes, bounds."""
    lines = [
        "# Metric reference",
        "",
        "Generated from `collector/conventions.py` by `vigie metrics-reference`; a test keeps the",
        "two equal. Every data point carries the resource attribute `samu.id`",
        "(`fr.health.samu075`, known to the registry). Other resource attributes kept: "
        + ", ".join(f"`{a}`" for a in sorted(RESOURCE_ATTRIBUTES - {"samu.id"}))
        + "; the rest are dropped before storage. Point attributes not listed below are refused "
        "(privacy allow-list), and so is any key or value that looks like a phone number, a health "
        "id or an e-mail address.",
        "",
        "| metric | OTLP type | unit | attributes (allowed values) | histogram bounds "
        "| rollup key |",
        "|---|---|---|---|---|---|",
    ]
    kinds = {
        "sum": "Sum (monotonic)",
        "gauge": "Gauge",
        "histogram": "Histogram (explicit buckets)",
    }
    for spec in METRICS.values():
        attributes = "<br>".join(f"`{k}`: {_rule(r)}" for k, r in spec.attributes.items()) or "—"
        bounds = ", ".join(f"{b:g}" for b in spec.bounds) or "—"
        lines.append(
            f"| `{spec.name}` | {kinds[spec.kind]} | `{spec.unit}` | {attributes} | {bounds} | "
            f"{'`' + spec.rollup_key + '`' if spec.rollup_key else '—'} |"
        )
    lines += ["", "Descriptions:", ""]
    lines += [f"- `{spec.name}`: {spec.description}" for spec in METRICS.values()]
    return "\n".join(lines) + "\n"
