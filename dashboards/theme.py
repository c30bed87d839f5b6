"""Map states, their colours (light and wall themes), icons and the WCAG contrast arithmetic.

Every state is shown with a colour AND an icon and a label, so that it reads for colour-blind
operators; each fill is chosen so that its text colour and the page background both reach the
WCAG AA ratio of 4.5:1 (checked by tests and measured in the browser).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

MapState = Literal["page", "burning", "no_data", "maintenance", "ok"]
# Most urgent first: a SAMU's shown state is the first that holds.
STATES: tuple[MapState, ...] = ("page", "burning", "no_data", "maintenance", "ok")
ICONS: dict[MapState, str] = {
    "page": "‼",
    "burning": "▲",
    "no_data": "?",
    "maintenance": "⚙",
    "ok": "✓",
}


@dataclass(frozen=True)
class Palette:
    """The colours of one theme: page background, text, and a (fill, text) pair per state."""

    name: str
    background: str
    surface: str
    text: str
    muted: str
    grid: str
    objective: str
    series: str
    baseline: str
    fills: dict[MapState, str]
    on_fill: str


LIGHT = Palette(
    name="light",
    background="#ffffff",
    surface="#f3f4f6",
    text="#111827",
    muted="#4b5563",
    grid="#d1d5db",
    objective="#b91c1c",
    series="#1d4ed8",
    baseline="#6b7280",
    fills={
        "page": "#b71c1c",
        "burning": "#9a3412",
        "no_data": "#4b5563",
        "maintenance": "#1e40af",
        "ok": "#166534",
    },
    on_fill="#ffffff",
)

WALL = Palette(
    name="wall",
    background="#0b0f14",
    surface="#161d26",
    text="#f3f4f6",
    muted="#cbd5e1",
    grid="#334155",
    objective="#fca5a5",
    series="#93c5fd",
    baseline="#cbd5e1",
    fills={
        "page": "#ff6b6b",
        "burning": "#ffb020",
        "no_data": "#a3a3a3",
        "maintenance": "#7cc4ff",
        "ok": "#4ade80",
    },
    on_fill="#000000",
)

PALETTES = {"light": LIGHT, "wall": WALL}


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def luminance(colour: str) -> float:
    """The WCAG relative luminance of a `#rrggbb` colour."""
    text = colour.lstrip("#")
    if len(text) != 6:
        raise ValueError(f"expected #rrggbb, got {colour!r}")
    r, g, b = (int(text[i : i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast(a: str, b: str) -> float:
    """The WCAG contrast ratio of two colours (1 to 21)."""
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def rgb_to_hex(css: str) -> str:
    """`rgb(1, 2, 3)` or `rgba(1, 2, 3, 1)` (what getComputedStyle gives) → `#010203`."""
    inner = css[css.index("(") + 1 : css.index(")")]
    r, g, b = (int(float(p)) for p in inner.split(",")[:3])
    return f"#{r:02x}{g:02x}{b:02x}"
