"""The PDF's charts as SVG text, drawn here (no plotting library, no randomness, fixed digits)."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
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
    """One value per day as a line (gaps where no data), with a dashed target line; no value
    at all is a "no data" box."""
    known = [v for v in values if v is not None]
    if not known:
        return no_data_chart(fmt.words["no_data"])
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


def ranking_chart(
    names: Sequence[str],
    values: Sequence[float],
    target: float,
    number: Callable[[float], str],
    empty: str,
) -> str:
    """Horizontal bars, worst first (values are percentages; the target as a red mark); the
    values are printed by `number`."""
    if not values:
        return no_data_chart(empty)
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
        body.append(
            f'<text x="{x0 + width + 3:.2f}" y="{y + 8:.2f}" {_FONT}>{escape(number(value))}</text>'
        )
    tx = x0 + (target - lo) / span * (x1 - x0)
    body.append(
        f'<line x1="{tx:.2f}" y1="{PAD / 2 - 4}" x2="{tx:.2f}" y2="{height - 8:.2f}" '
        'stroke="#b00" stroke-dasharray="4 3" stroke-width="0.8"/>'
    )
    return _svg(body, height)


def no_data_chart(text: str, height: float = 80.0) -> str:
    """The box a chart would fill, saying there is nothing to draw (never an empty frame)."""
    return _svg(
        [
            f'<rect x="{PAD}" y="4" width="{WIDTH - 2 * PAD}" height="{height - 8:.0f}" '
            'fill="none" stroke="#bbb" stroke-dasharray="3 3"/>',
            f'<text x="{WIDTH / 2:.0f}" y="{height / 2 + 3:.0f}" text-anchor="middle" '
            f'font-family="DejaVu Sans" font-size="10" fill="#555">{escape(text)}</text>',
        ],
        height,
    )


def _legend(items: Sequence[tuple[str, str, bool]], y: float) -> list[str]:
    """A one-line legend: (label, colour, dashed) swatches from the left."""
    out, x = [], PAD
    for label, colour, dashed in items:
        dash = ' stroke-dasharray="4 3"' if dashed else ""
        out.append(
            f'<line x1="{x:.1f}" y1="{y - 3:.1f}" x2="{x + 14:.1f}" y2="{y - 3:.1f}" '
            f'stroke="{colour}" stroke-width="1.6"{dash}/>'
        )
        out.append(f'<text x="{x + 18:.1f}" y="{y:.1f}" {_FONT}>{escape(label)}</text>')
        x += 24 + 5.2 * len(label)
    return out


def _polyline(points: list[str], colour: str, dashed: bool = False) -> str:
    dash = ' stroke-dasharray="4 3"' if dashed else ""
    return (
        f'<polyline points="{" ".join(points)}" fill="none" stroke="{colour}" '
        f'stroke-width="1.4"{dash}/>'
    )


def lines_chart(
    labels: Sequence[str],
    series: Sequence[tuple[str, str, bool, Sequence[float | None]]],
    axis: Callable[[float], str],
    floor: float,
    ceiling: float,
) -> str:
    """Several daily series as lines (label, colour, dashed, values), gaps where no value, a
    legend under the axis; `axis` prints the two bounds."""
    known = [v for _, _, _, values in series for v in values if v is not None]
    lo, hi = _scale(known, floor, ceiling)
    step = (WIDTH - 2 * PAD) / max(len(labels) - 1, 1)
    body = [
        f'<line x1="{PAD}" y1="{HEIGHT - PAD}" x2="{WIDTH - PAD}" y2="{HEIGHT - PAD}" {_AXIS}/>',
        f'<line x1="{PAD}" y1="{PAD}" x2="{PAD}" y2="{HEIGHT - PAD}" {_AXIS}/>',
        f'<text x="2" y="{PAD:.2f}" {_FONT}>{escape(axis(hi))}</text>',
        f'<text x="2" y="{HEIGHT - PAD:.2f}" {_FONT}>{escape(axis(lo))}</text>',
    ]
    for _, colour, dashed, values in series:
        points: list[str] = []
        for i, v in enumerate(values):
            if v is None:
                if points:
                    body.append(_polyline(points, colour, dashed))
                points = []
                continue
            points.append(f"{PAD + i * step:.2f},{_y(v, lo, hi):.2f}")
        if points:
            body.append(_polyline(points, colour, dashed))
    for i, label in enumerate(labels):
        if i % 5 == 0 or i == len(labels) - 1:
            body.append(
                f'<text x="{PAD + i * step:.2f}" y="{HEIGHT - PAD + 12:.2f}" {_FONT}>{label}</text>'
            )
    body += _legend([(name, colour, dashed) for name, colour, dashed, _ in series], HEIGHT - 6)
    return _svg(body)


def burn_rate_chart(
    labels: Sequence[str],
    rates: Sequence[float | None],
    thresholds: Sequence[tuple[str, float, str]],
    burn_label: str,
    number: Callable[[float], str],
) -> str:
    """Daily burn rates as bars on a log scale (a quiet day is 0, an outage thousands), with
    each alert threshold (label, factor, colour) as a dashed line."""
    top = max([*(r for r in rates if r is not None), *(f for _, f, _ in thresholds), 10.0])
    lo_exp, hi_exp = -1.0, math.ceil(math.log10(top))

    def y(value: float) -> float:
        exp = math.log10(max(value, 10**lo_exp))
        return HEIGHT - PAD - (exp - lo_exp) / (hi_exp - lo_exp) * (HEIGHT - 2 * PAD)

    step = (WIDTH - 2 * PAD) / max(len(labels), 1)
    body = [
        f'<line x1="{PAD}" y1="{HEIGHT - PAD}" x2="{WIDTH - PAD}" y2="{HEIGHT - PAD}" {_AXIS}/>',
        f'<line x1="{PAD}" y1="{PAD}" x2="{PAD}" y2="{HEIGHT - PAD}" {_AXIS}/>',
    ]
    for exp in range(int(lo_exp), int(hi_exp) + 1):
        body.append(f'<text x="2" y="{y(10.0**exp) + 3:.2f}" {_FONT}>{number(10.0**exp)}</text>')
    for i, rate in enumerate(rates):
        if rate is None or rate <= 0:
            continue
        top_y = y(rate)
        body.append(
            f'<rect x="{PAD + i * step + 1:.2f}" y="{top_y:.2f}" width="{max(step - 2, 1):.2f}" '
            f'height="{HEIGHT - PAD - top_y:.2f}" fill="#1f4e9c"/>'
        )
    for _name, factor, colour in thresholds:
        ty = y(factor)
        body.append(
            f'<line x1="{PAD}" y1="{ty:.2f}" x2="{WIDTH - PAD}" y2="{ty:.2f}" stroke="{colour}" '
            'stroke-dasharray="4 3" stroke-width="0.8"/>'
        )
        body.append(
            f'<text x="{WIDTH - PAD + 2:.2f}" y="{ty + 3:.2f}" {_FONT}>{number(factor)}</text>'
        )
    for i, label in enumerate(labels):
        if i % 5 == 0 or i == len(labels) - 1:
            body.append(
                f'<text x="{PAD + i * step:.2f}" y="{HEIGHT - PAD + 12:.2f}" {_FONT}>{label}</text>'
            )
    legend = [(burn_label, "#1f4e9c", False), *((n, c, True) for n, _, c in thresholds)]
    body += _legend(legend, HEIGHT - 6)
    return _svg(body)
