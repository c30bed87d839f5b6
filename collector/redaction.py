"""Redaction for free text people type (alert annotations, silence comments, maintenance notes).

Telemetry is refused when it looks personal (collector.privacy). Alerts are not telemetry and
must never be lost, so the Alertmanager and maintenance APIs keep them and replace each
phone-number-like or NIR/INS-like part of their text with `[redacted]`, with the same patterns.
"""

from __future__ import annotations

import re
from typing import Any

# The guard's own patterns: one definition of "looks like a phone number or a NIR".
from collector.privacy import _NIR, _PHONE, _looks_like_nir

REDACTED = "[redacted]"


def _nir(match: re.Match[str]) -> str:
    return REDACTED if _looks_like_nir(match) else match.group(0)


def redact(text: str) -> str:
    """The text with every phone-number-like or NIR-like part replaced by `[redacted]`."""
    if not any(c.isdigit() for c in text):
        return text
    return _NIR.sub(_nir, _PHONE.sub(REDACTED, text))


def redact_values(mapping: Any) -> Any:
    """A JSON object with every string value redacted (anything else is returned unchanged)."""
    if not isinstance(mapping, dict):
        return mapping
    return {k: redact(v) if isinstance(v, str) else v for k, v in mapping.items()}
