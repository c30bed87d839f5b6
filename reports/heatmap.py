"""The hour × day heat-map of bad minutes (issue 16.6): where in the day a SAMU's minutes went
bad, so that night-time patterns show.

Two pure steps: `civil_grid` folds per-hour counts (UTC hours, from the SLO ledger's judged
minutes) into civil days × 24 local hours; `heat_map_chart` draws such a grid as SVG text,
offline, for the PDF. On the day clocks go back, the repeated hour holds both hours' minutes; on
the day they go forward, the missing hour is an empty (hatched) cell, never a zero.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from html import escape
from zoneinfo import ZoneInfo

import numpy as np

from reports.charts import PAD, WIDTH, no_data_chart
from slo.tally import Tallies

Grid = list[list[int | None]]  # rows: days; columns: hours 0..23 local; None: no such hour
LABEL_W, TOTAL_W, ROW_H, TOP, BOTTOM = 44.0, 44.0, 9.0, 16.0, 24.0
_FONT = 'font-family="DejaVu Sans" font-size="7"'
_EMPTY, _NONE = "#f2f2f2", "#ffffff"
# a sequential ramp (light to dark, one hue family): readable in grey and by colour-blind eyes
_RAMP = ((255, 224, 178), (244, 146, 58), (198, 54, 24), (110, 0, 0))
SCALE = 60  # a whole hour of bad minutes is the darkest cell


def bad_hours(
    tallies: Tallies, source: int | None, samus: Sequence[str], start: datetime, end: datetime
) -> dict[str, tuple[int, ...]]:
    """Per SAMU, the minutes of slice source `source` (S3) the SLO ledger judged bad in each UTC
    hour of [start, end) (whole hours); empty without such a source."""
    if source is None or end <= start:
        return {}
    led = tallies.ledger
    a, b = int(start.timestamp()) // 3600 * 3600, -(-int(end.timestamp()) // 3600) * 3600
    per_hour = np.zeros((len(led.samus), (b - a) // 3600), dtype=np.int64)
    lo, hi = max(a, led.t0), min(b, led.end)  # the hours the ledger holds (figures as of now)
    if hi > lo:
        bad = tallies.state_matrix(source, lo, hi)["bad"]
        held = bad.reshape(bad.shape[0], (hi - lo) // 3600, 60).sum(axis=2, dtype=np.int64)
        per_hour[:, (lo - a) // 3600 : (hi - a) // 3600] = held
    index = led.index
    return {s: tuple(int(n) for n in per_hour[index[s]]) for s in samus if s in index}


def civil_grid(hours: Sequence[int], start: datetime, days: Sequence[date], tz: str) -> Grid:
    """Days × 24 local hours of `hours`, where `hours[i]` counts the UTC hour `start + i h`;
    hours outside `days` are left out, local hours that do not exist on a day are None."""
    zone = ZoneInfo(tz)
    row_of = {d: i for i, d in enumerate(days)}
    grid: Grid = [[None] * 24 for _ in days]
    first = start.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    for i, count in enumerate(hours):
        local = (first + timedelta(hours=i)).astimezone(zone)
        row = row_of.get(local.date())
        if row is not None:
            grid[row][local.hour] = (grid[row][local.hour] or 0) + int(count)
    return grid


def _colour(value: int) -> str:
    if value <= 0:
        return _EMPTY
    x = min(value, SCALE) / SCALE * (len(_RAMP) - 1)
    k = min(int(x), len(_RAMP) - 2)
    f = x - k
    a, b = _RAMP[k], _RAMP[k + 1]
    r, g, bl = (round(a[j] + (b[j] - a[j]) * f) for j in range(3))
    return f"#{r:02x}{g:02x}{bl:02x}"


def heat_map_chart(
    labels: Sequence[str],
    grid: Grid,
    legend: str,
    number: Callable[[int], str],
    empty: str,
) -> str:
    """Days (rows, `labels`) × hours (columns) of bad minutes as shaded cells, each day's total
    at the right, and a legend of the shades; no day at all is a "no data" box."""
    if not grid:
        return no_data_chart(empty)
    cell = (WIDTH - PAD - LABEL_W - TOTAL_W) / 24
    height = TOP + ROW_H * len(grid) + BOTTOM
    body = []
    for h in range(0, 24, 3):
        x = LABEL_W + h * cell
        body.append(f'<text x="{x:.2f}" y="{TOP - 4:.2f}" {_FONT}>{h:02d}</text>')
    for i, (label, row) in enumerate(zip(labels, grid, strict=True)):
        y = TOP + i * ROW_H
        body.append(f'<text x="2" y="{y + ROW_H - 2:.2f}" {_FONT}>{escape(label)}</text>')
        for h, value in enumerate(row):
            fill = _NONE if value is None else _colour(value)
            dash = ' stroke-dasharray="1 1"' if value is None else ""
            body.append(
                f'<rect x="{LABEL_W + h * cell:.2f}" y="{y:.2f}" width="{cell - 0.6:.2f}" '
                f'height="{ROW_H - 0.6:.2f}" fill="{fill}" stroke="#bbb" stroke-width="0.3"'
                f"{dash}/>"
            )
        total = sum(v for v in row if v is not None)
        body.append(
            f'<text x="{LABEL_W + 24 * cell + 4:.2f}" y="{y + ROW_H - 2:.2f}" {_FONT}>'
            f"{escape(number(total))}</text>"
        )
    y = height - 8
    x = LABEL_W
    body.append(f'<text x="{x:.2f}" y="{y:.2f}" {_FONT}>{escape(legend)}</text>')
    x += 8 + 3.6 * len(legend)
    for value in (0, 1, SCALE // 4, SCALE // 2, SCALE):
        body.append(
            f'<rect x="{x:.2f}" y="{y - 7:.2f}" width="10" height="8" fill="{_colour(value)}" '
            'stroke="#bbb" stroke-width="0.3"/>'
        )
        body.append(f'<text x="{x + 13:.2f}" y="{y:.2f}" {_FONT}>{escape(number(value))}</text>')
        x += 22 + 4.5 * len(number(value))
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {WIDTH:.0f} {height:.0f}">'
    )
    return head + "".join(body) + "</svg>"
