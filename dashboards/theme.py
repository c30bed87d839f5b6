"""Map states, their colours (light and wall themes), icons and the WCAG contrast arithmetic.

Every state is shown with a colour AND a shape (icon) and a label, so that it reads for
colour-blind operators; the fills stay apart under simulated protanopia, deuteranopia and
tritanopia (`dashboards.colourblind`, checked by tests), and each fill reaches the WCAG AA ratio
of 4.5:1 with its text colour (checked by tests and measured in the browser).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

MapState = Literal["page", "gap", "maintenance", "ticket", "no_data", "ok"]
# Most urgent first: a SAMU's shown state is the first that holds (docs/ui.md).
STATES: tuple[MapState, ...] = ("page", "gap", "maintenance", "ticket", "no_data", "ok")
ICONS: dict[MapState, str] = {
    "page": "‼",
    "gap": "⌁",
    "maintenance": "⚙",
    "ticket": "▲",
    "no_data": "?",
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
    on_fill: dict[MapState, str]  # the text colour on each fill (≥ 4.5:1)


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
    # Chosen by search for the largest smallest ΔE under every simulated vision (≈ 37).
    fills={
        "page": "#b2182b",
        "gap": "#9406db",
        "maintenance": "#0d4277",
        "ticket": "#f99a15",
        "no_data": "#969696",
        "ok": "#6ffb9e",
    },
    on_fill={
        "page": "#ffffff",
        "gap": "#ffffff",
        "maintenance": "#ffffff",
        "ticket": "#000000",
        "no_data": "#000000",
        "ok": "#000000",
    },
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
    fills={  # every fill also ≥ 4.5:1 against the dark background (≈ 32 ΔE apart)
        "page": "#e93535",
        "gap": "#b938fa",
        "maintenance": "#6ca3da",
        "ticket": "#f9b224",
        "no_data": "#858585",
        "ok": "#38fab9",
    },
    on_fill={state: "#000000" for state in STATES},
)

PALETTES = {"light": LIGHT, "wall": WALL}


def state_css() -> str:
    """The CSS of the state badges and tiles for both themes, from the palettes above (the one
    definition of a state's colour; the page embeds it)."""
    rules = []
    for palette, scope in ((LIGHT, ""), (WALL, ".theme-wall ")):
        for state in STATES:
            rules.append(
                f"{scope}.state-{state} {{ background: {palette.fills[state]}; "
                f"color: {palette.on_fill[state]}; }}"
            )
    return "\n".join(rules)


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
