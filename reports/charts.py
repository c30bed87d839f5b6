"""The PDF's charts as SVG text, drawn here (no plotting library, no randomness, fixed digits)."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from reports.i18n import Formatter

WIDTH, HEIGHT, PAD = 640.0, 200.0, 36.0
_AXIS = 'stroke="#444" stroke-width="0.8"'
_FONT = 'font-family="DejaVu Sans" font-size="8"'


def _svg(body: list[str], height: float = HEIGHT) -> str:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {WIDTH:.0f} {height:.0f}">'
    )
    return head + "".join(body) + "</svg>"


def _scale(values: Sequence[float], floor: float, ceiling: float) -> tuple[float, float]:
    lo = min([*values, floor])
    hi = max([*values, ceiling])
    return (lo, hi) if hi > lo else (lo - 1, hi + 1)


def _y(value: float, lo: float, hi: float) -> float:
    return HEIGHT - PAD - (value - lo) / (hi - lo) * (HEIGHT - 2 * PAD)


def line_chart(
    labels: Sequence[str],
    values: Sequence[float | None],
    target: float | None,
    fmt: Formatter,
    floor: float,
    ceiling: float,
) -> str:
    """One value per day as a line (gaps where no data), with a dashed target line."""
    known = [v for v in values if v is not None]
    lo, hi = _scale(known + ([target] if target is not None else []), floor, ceiling)
    step = (WIDTH - 2 * PAD) / max(len(values) - 1, 1)
    body = [
        f'<line x1="{PAD}" y1="{HEIGHT - PAD}" x2="{WIDTH - PAD}" y2="{HEIGHT - PAD}" {_AXIS}/>',
        f'<line x1="{PAD}" y1="{PAD}" x2="{PAD}" y2="{HEIGHT - PAD}" {_AXIS}/>',
        f'<text x="2" y="{PAD:.2f}" {_FONT}>{escape(fmt.pct(hi, 2))}</text>',
        f'<text x="2" y="{HEIGHT - PAD:.2f}" {_FONT}>{escape(fmt.pct(lo, 2))}</text>',
    ]
    if target is not None:
        y = _y(target, lo, hi)
        body.append(
            f'<line x1="{PAD}" y1="{y:.2f}" x2="{WIDTH - PAD}" y2="{y:.2f}" '
            'stroke="#b00" stroke-dasharray="4 3" stroke-width="0.8"/>'
        )
    segment: list[str] = []
    segments: list[list[str]] = []
    for i, v in enumerate(values):
        if v is None:
            segments.append(segment)
            segment = []
            continue
        segment.append(f"{PAD + i * step:.2f},{_y(v, lo, hi):.2f}")
    segments.append(segment)
    for points in segments:
        if points:
            body.append(
                f'<polyline points="{" ".join(points)}" fill="none" stroke="#1f4e9c" '
                'stroke-width="1.4"/>'
            )
    for i, label in enumerate(labels):
        if i % 5 == 0 or i == len(labels) - 1:
            x = PAD + i * step
            body.append(f'<text x="{x:.2f}" y="{HEIGHT - PAD + 12:.2f}" {_FONT}>{label}</text>')
    return _svg(body)


def ranking_chart(names: Sequence[str], values: Sequence[float], target: float) -> str:
    """Horizontal bars, worst first (values are percentages; the target as a red mark)."""
    row = 12.0
    height = PAD + row * len(values) + 8
    lo = min([*values, target]) - 0.01
    span = max(100.0 - lo, 1e-9)
    x0, x1 = 150.0, WIDTH - 60
    body = []
    for i, (name, value) in enumerate(zip(names, values, strict=True)):
        y = PAD / 2 + i * row
        width = (value - lo) / span * (x1 - x0)
        colour = "#1f4e9c" if value >= target else "#b00"
        body.append(f'<text x="2" y="{y + 8:.2f}" {_FONT}>{escape(name[:34])}</text>')
        body.append(
            f'<rect x="{x0}" y="{y:.2f}" width="{width:.2f}" height="{row - 3:.2f}" '
            f'fill="{colour}"/>'
        )
        body.append(f'<text x="{x0 + width + 3:.2f}" y="{y + 8:.2f}" {_FONT}>{value:.4f}</text>')
    tx = x0 + (target - lo) / span * (x1 - x0)
    body.append(
        f'<line x1="{tx:.2f}" y1="{PAD / 2 - 4}" x2="{tx:.2f}" y2="{height - 8:.2f}" '
        'stroke="#b00" stroke-dasharray="4 3" stroke-width="0.8"/>'
    )
    return _svg(body, height)
