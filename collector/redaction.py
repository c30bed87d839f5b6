"""Redaction for free text people type (alert annotations, silence comments, maintenance notes).

Telemetry is refused when it looks personal (collector.privacy). Alerts are not telemetry and
must never be lost, so the Alertmanager and maintenance APIs keep them and replace each
phone-number-like, NIR/INS-like or e-mail-like part of their text with `[redacted]`: the
guard's own definition (`collector.privacy.find`), so both always agree.
"""

from __future__ import annotations

from typing import Any

from collector.privacy import find

REDACTED = "[redacted]"


def redact(text: str) -> str:
    """The text with every personal-looking part replaced by `[redacted]`."""
    spans = sorted((start, end) for _, start, end in find(text))
    if not spans:
        return text
    out, at = [], 0
    for start, end in spans:
        if start < at:  # overlaps the part just redacted: widen it
            at = max(at, end)
            continue
        out += [text[at:start], REDACTED]
        at = end
    return "".join(out) + text[at:]


def redact_values(mapping: Any) -> Any:
    """A JSON object with every string value redacted (anything else is returned unchanged)."""
    if not isinstance(mapping, dict):
        return mapping
    return {k: redact(v) if isinstance(v, str) else v for k, v in mapping.items()}
