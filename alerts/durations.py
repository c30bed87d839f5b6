"""Prometheus duration strings (`30s`, `1h30m`, `4h`), parsed and printed like Prometheus does."""

from __future__ import annotations

import re
from datetime import timedelta

from alerts.errors import DurationError

_UNITS_MS = (
    ("y", 365 * 24 * 3600 * 1000),
    ("w", 7 * 24 * 3600 * 1000),
    ("d", 24 * 3600 * 1000),
    ("h", 3600 * 1000),
    ("m", 60 * 1000),
    ("s", 1000),
    ("ms", 1),
)
# Units in decreasing order, each at most once, as prometheus/common model.ParseDuration.
_PATTERN = re.compile("".join(rf"(?:([0-9]+){unit})?" for unit, _ in _UNITS_MS))
_MAX_MS = (1 << 63) // 1_000_000  # time.Duration is int64 nanoseconds


def parse_duration(text: str) -> timedelta:
    """Parse a Prometheus duration; `0` is the only unitless value allowed."""
    if text == "0":
        return timedelta(0)
    match = _PATTERN.fullmatch(text) if text else None
    if match is None:
        raise DurationError(f"not a valid duration string: {text!r}")
    total = 0
    for (_, mult), value in zip(_UNITS_MS, match.groups(), strict=True):
        if value is not None:
            total += int(value) * mult
    if total > _MAX_MS:
        raise DurationError(f"duration out of range: {text!r}")
    return timedelta(milliseconds=total)


def format_duration(value: timedelta) -> str:
    """Print a duration as Prometheus does: `5m`, `4h`, `1h30m`, `0s`; years/weeks only if exact."""
    ms = value // timedelta(milliseconds=1)
    if ms == 0:
        return "0s"
    out = []
    for unit, mult in _UNITS_MS:
        if unit in ("y", "w") and ms % mult != 0:
            continue
        count, ms = divmod(ms, mult)
        if count > 0:
            out.append(f"{count}{unit}")
    return "".join(out)
