"""How far apart two colours stay for people with colour-vision deficiency.

Colours are simulated for protanopia, deuteranopia and tritanopia with the matrices of Machado,
Oliveira and Fernandes (2009, severity 1.0, applied in linear RGB), then compared in CIELAB
(ΔE*ab, CIE76). A state palette passes when every pair of fills stays at least `MIN_DELTA_E`
apart for normal vision and under each simulation; the icons and labels carry the state anyway.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping

Matrix = tuple[tuple[float, float, float], ...]
VISIONS: dict[str, Matrix] = {
    "normal": ((1.0, 0.0, 0.0), (0.0, 1.0, 0.0), (0.0, 0.0, 1.0)),
    "protanopia": (
        (0.152286, 1.052583, -0.204868),
        (0.114503, 0.786281, 0.099216),
        (-0.003882, -0.048116, 1.051998),
    ),
    "deuteranopia": (
        (0.367322, 0.860646, -0.227968),
        (0.280085, 0.672501, 0.047413),
        (-0.011820, 0.042940, 0.968881),
    ),
    "tritanopia": (
        (1.255528, -0.076749, -0.178779),
        (-0.078411, 0.930809, 0.147602),
        (0.004733, 0.691367, 0.303900),
    ),
}
MIN_DELTA_E = 12.0  # clearly different at a glance, not merely measurable
_XYZ = ((0.4124, 0.3576, 0.1805), (0.2126, 0.7152, 0.0722), (0.0193, 0.1192, 0.9505))
_WHITE = (0.95047, 1.0, 1.08883)


def _linear(colour: str) -> tuple[float, float, float]:
    text = colour.lstrip("#")
    values = [int(text[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in values)
    return r, g, b


def _apply(m: Matrix, v: tuple[float, float, float]) -> tuple[float, float, float]:
    r, g, b = (min(max(row[0] * v[0] + row[1] * v[1] + row[2] * v[2], 0.0), 1.0) for row in m)
    return r, g, b


def lab(colour: str, vision: str = "normal") -> tuple[float, float, float]:
    """CIELAB (D65) of a `#rrggbb` colour as seen with `vision`."""
    rgb = _apply(VISIONS[vision], _linear(colour))
    x, y, z = (
        (row[0] * rgb[0] + row[1] * rgb[1] + row[2] * rgb[2]) / w
        for row, w in zip(_XYZ, _WHITE, strict=True)
    )

    def f(t: float) -> float:
        return t ** (1 / 3) if t > (6 / 29) ** 3 else t / (3 * (6 / 29) ** 2) + 4 / 29

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def delta_e(a: str, b: str, vision: str = "normal") -> float:
    """ΔE*ab between two colours as seen with `vision`."""
    la, lb = lab(a, vision), lab(b, vision)
    return float(sum((p - q) ** 2 for p, q in zip(la, lb, strict=True)) ** 0.5)


def closest_pair(fills: Mapping[str, str]) -> tuple[float, str, str, str]:
    """The smallest ΔE over every pair of fills and every vision: (ΔE, vision, state, state)."""
    found = [
        (delta_e(fills[a], fills[b], vision), vision, a, b)
        for a, b in itertools.combinations(sorted(fills), 2)
        for vision in VISIONS
    ]
    return min(found)
