"""Durations as people write them ("30s", "5m", "1h30m", "28d"): one grammar, parsed and printed.

The grammar is Prometheus's (prometheus/common `model.ParseDuration`, which Alertmanager uses): a
number and a unit, repeated, the units in decreasing order and each at most once, among
y (365 d), w, d, h, m, s and ms; `0` alone is zero; no spaces, no sign. Two dialects of it:

- `PROMETHEUS`: whole numbers only, as Alertmanager reads alertmanager.yml, silences and the
  maintenance API;
- `SHORTHAND`: Vigie's own files (SLO specs and policy, simulator scenarios) also accept
  decimals ("1.5h") and have no `y` (a year is not a fixed length in a calendar window).

Each package keeps its own error (and its own rules, e.g. SLO windows must be positive) and
translates `DurationError` at its boundary. A duration must fit Go's time.Duration (±292 years).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from fractions import Fraction
from functools import cache

_UNIT_MS = {
    "y": 365 * 24 * 3600 * 1000,
    "w": 7 * 24 * 3600 * 1000,
    "d": 24 * 3600 * 1000,
    "h": 3600 * 1000,
    "m": 60 * 1000,
    "s": 1000,
    "ms": 1,
}
_MAX_MS = (1 << 63) // 1_000_000  # Go's time.Duration: int64 nanoseconds


class DurationError(ValueError):
    """Text that is not a duration of the grammar (the message names the text)."""


@dataclass(frozen=True)
class Dialect:
    """Which units a file may use (in decreasing order) and whether numbers may have decimals."""

    units: tuple[str, ...]
    decimals: bool


PROMETHEUS = Dialect(units=("y", "w", "d", "h", "m", "s", "ms"), decimals=False)
SHORTHAND = Dialect(units=("w", "d", "h", "m", "s", "ms"), decimals=True)


@cache
def _pattern(dialect: Dialect) -> re.Pattern[str]:
    number = r"([0-9]+(?:\.[0-9]+)?)" if dialect.decimals else r"([0-9]+)"
    return re.compile("".join(rf"(?:{number}{unit})?" for unit in dialect.units))


def parse_duration(text: str, dialect: Dialect = PROMETHEUS) -> timedelta:
    """The duration `text` stands for; raises DurationError (a ValueError) naming the text."""
    if text == "0":
        return timedelta(0)
    match = _pattern(dialect).fullmatch(text) if text else None
    if match is None:
        units = ", ".join(dialect.units)
        raise DurationError(
            f"not a valid duration string: {text!r} (numbers with a unit among {units}, "
            "largest unit first, e.g. 30s, 5m, 1h30m)"
        )
    parts = zip(dialect.units, match.groups(), strict=True)
    ms = sum((Fraction(n) * _UNIT_MS[unit] for unit, n in parts if n is not None), Fraction(0))
    if ms > _MAX_MS:
        raise DurationError(f"duration out of range: {text!r}")
    return timedelta(microseconds=round(ms * 1000))


def format_duration(value: timedelta) -> str:
    """Print as Prometheus does: `5m`, `4h`, `1h30m`, `0s`; years and weeks only when exact."""
    ms = value // timedelta(milliseconds=1)
    if ms == 0:
        return "0s"
    out = []
    for unit, size in _UNIT_MS.items():
        if unit in ("y", "w") and ms % size != 0:
            continue
        count, ms = divmod(ms, size)
        if count > 0:
            out.append(f"{count}{unit}")
    return "".join(out)


def format_in_one_unit(value: timedelta) -> str:
    """The duration in its largest whole unit up to days (`28d`, `90m`, `1500ms`): the names
    SLO windows and burn-rate pairs go by, in labels, the API and imported specs."""
    ms = value // timedelta(milliseconds=1)
    for unit in ("d", "h", "m", "s"):
        if ms >= _UNIT_MS[unit] and ms % _UNIT_MS[unit] == 0:
            return f"{ms // _UNIT_MS[unit]}{unit}"
    return f"{ms}ms"
