"""The alert value and Alertmanager's label-set conventions: fingerprint and printed form."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType

LabelSet = Mapping[str, str]

_FNV_OFFSET = 14695981039346656037
_FNV_PRIME = 1099511628211
_MASK = (1 << 64) - 1
_SEPARATOR = 0xFF
_GO_ESCAPES = {
    "\a": r"\a",
    "\b": r"\b",
    "\f": r"\f",
    "\n": r"\n",
    "\r": r"\r",
    "\t": r"\t",
    "\v": r"\v",
    '"': r"\"",
    "\\": r"\\",
}


def fingerprint(labels: LabelSet) -> int:
    """The 64-bit FNV-1a fingerprint of a label set, as Prometheus `LabelSet.Fingerprint()`."""
    value = _FNV_OFFSET
    for name in sorted(labels):
        for part in (name, labels[name]):
            for byte in part.encode("utf-8", "surrogatepass"):
                value = ((value ^ byte) * _FNV_PRIME) & _MASK
            value = ((value ^ _SEPARATOR) * _FNV_PRIME) & _MASK
    return value


def fingerprint_hex(labels: LabelSet) -> str:
    """The fingerprint as Alertmanager prints it: 16 lower-case hex digits."""
    return f"{fingerprint(labels):016x}"


def go_quote(text: str) -> str:
    """Quote a string as Go's `strconv.Quote` (`%q`) does."""
    out = ['"']
    for char in text:
        code = ord(char)
        if char in _GO_ESCAPES:
            out.append(_GO_ESCAPES[char])
        elif char.isprintable():  # Go's IsPrint: letters, marks, numbers, punct, symbols, ' '
            out.append(char)
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\x{code:02x}")
        elif code < 0x10000:
            out.append(f"\\u{code:04x}")
        else:
            out.append(f"\\U{code:08x}")
    out.append('"')
    return "".join(out)


def label_set_string(labels: LabelSet) -> str:
    """Print labels as Prometheus `LabelSet.String()`: `{a="1", b="2"}`, pairs sorted as text."""
    pairs = sorted(f"{name}={go_quote(value)}" for name, value in labels.items())
    return "{" + ", ".join(pairs) + "}"


@dataclass(frozen=True)
class Alert:
    """One alert as Alertmanager holds it; `ends_at` in the past means resolved."""

    labels: LabelSet
    starts_at: datetime
    ends_at: datetime | None = None
    annotations: LabelSet = field(default_factory=dict)
    generator_url: str = ""

    def __post_init__(self) -> None:
        # Read-only copies: an alert never changes under a caller that kept its dicts.
        object.__setattr__(self, "labels", MappingProxyType(dict(self.labels)))
        object.__setattr__(self, "annotations", MappingProxyType(dict(self.annotations)))

    @property
    def fingerprint(self) -> int:
        """The label-set fingerprint that identifies this alert."""
        return fingerprint(self.labels)

    def resolved_at(self, now: datetime) -> bool:
        """Whether the alert is resolved at `now` (its end time is set and not after `now`)."""
        return self.ends_at is not None and self.ends_at <= now
