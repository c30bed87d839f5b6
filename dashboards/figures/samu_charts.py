"""The SAMU page's pictures: budget burn-down against steady consumption, burn rate over time
against the alert policy's thresholds, a heat-map of bad minutes by hour × day (night-time
patterns show), and the SAMU beside its backup (entraide) on one chart.

Rates come from `slo.budget.burn_rate` and thresholds from the policy's derived factors, the
same definitions the engine and the PDF report use. Pure: values in, a figure out.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import plotly.graph_objects as go

from dashboards.figures.series import Range, _layout, _paris
from dashboards.figures.style import axis
from dashboards.history import HourPoint
from dashboards.i18n import PARIS, fmt, t
from dashboards.theme import Palette
from slo.budget import burn_rate


@dataclass(frozen=True)
class Threshold:
    """One alert pair's burn-rate factor (e.g. page, 1 h, 14.4)."""

    severity: str
    window: timedelta
    factor: float


def _no_data(fig: go.Figure, palette: Palette, lang: str) -> None:
    fig.add_annotation(
        text=t("fig.no_data", lang),
        showarrow=False,
        xref="paper",
        yref="paper",
        x=0.5,
        y=0.5,
        font={"color": palette.muted, "size": 18},
    )


def burn_down(
    points: Sequence[HourPoint],
    objective: float,
    window: tuple[datetime, datetime],
    palette: Palette,
    lang: str,
    x_range: Range | None = None,
) -> go.Figure:
    """Budget left (%) hour by hour since the window began (bad events so far over what the
    window's valid events allow), and the steady line that spends it exactly by the window's end.
    """
    fig = go.Figure()
    allowed = sum(p.valid for p in points) * (1 - objective)
    start, end = window
    if allowed > 0:
        left, bad = [], 0.0
        for p in points:
            bad += p.valid - p.good
            left.append(100 * (1 - bad / allowed))
        fig.add_trace(
            go.Scatter(
                x=_paris([p.hour for p in points]),
                y=left,
                mode="lines",
                name=t("fig.remaining", lang),
                line={"color": palette.series, "width": 3},
            )
        )
    else:
        _no_data(fig, palette, lang)
    fig.add_trace(
        go.Scatter(
            x=_paris([start, end]),
            y=[100, 0],
            mode="lines",
            name=t("fig.steady", lang),
            line={"color": palette.objective, "dash": "dash", "width": 2},
        )
    )
    fig.add_hline(y=0, line={"color": palette.grid, "width": 1})
    low = min([0.0, *(fig.data[0].y if allowed > 0 else ())])
    # An overspent budget plunges to thousands of per cent below zero: the axis stops at -100 %
    # (the line leaves it downwards), so that the steady line and the zero stay readable.
    span = [max(low, -100.0) - 5, 105]
    fig.update_layout(
        _layout(
            palette,
            False,
            t("samu.budget", lang),
            lang,
            x_range,
            yaxis=axis(palette, title={"text": "%"}, range=span),
        )
    )
    return fig


def burn_rate_series(
    points: Sequence[HourPoint],
    objective: float,
    thresholds: Sequence[Threshold],
    palette: Palette,
    lang: str,
    x_range: Range | None = None,
) -> go.Figure:
    """The burn rate of each hour (log scale) and each alert threshold as a dashed line."""
    f = fmt(lang)
    fig = go.Figure()
    rates = [burn_rate(p.good, p.valid, objective) for p in points]
    shown = [(p.hour, r) for p, r in zip(points, rates, strict=True) if r is not None]
    if shown:
        fig.add_trace(
            go.Bar(
                x=_paris([h for h, _ in shown]),
                y=[max(r, 0.01) for _, r in shown],
                name=t("fig.burn", lang),
                marker={"color": palette.series},
            )
        )
    else:
        _no_data(fig, palette, lang)
    top = max([10.0, *(r for _, r in shown), *(th.factor for th in thresholds)])
    if x_range is not None:
        span = list(x_range)
    else:
        span = [points[0].hour, points[-1].hour] if points else []
    for th in thresholds:  # as legend entries: four labels on a log axis would overlap
        colour = palette.fills["page" if th.severity == "page" else "ticket"]
        fig.add_trace(
            go.Scatter(
                x=_paris(span),
                y=[th.factor] * len(span),
                mode="lines",
                name=t("fig.threshold", lang).format(
                    severity=t(f"severity.{th.severity}", lang),
                    factor=f"{f.number(th.factor, 1)} ({f.duration(th.window)})",
                ),
                line={"color": colour, "dash": "dash" if th.severity == "page" else "dot"},
                hoverinfo="name",
            )
        )
    fig.update_layout(
        _layout(
            palette,
            False,
            t("samu.burns", lang),
            lang,
            x_range,
            yaxis=axis(
                palette,
                type="log",
                range=[-2, math.log10(top) + 0.3],  # log axis: exponents of 10
                title={"text": t("fig.burn", lang)},
            ),
        )
    )
    return fig


def heat_map(
    bad: Mapping[datetime, int], start: datetime, end: datetime, palette: Palette, lang: str
) -> go.Figure:
    """Bad minutes by hour of the day (columns, Paris time) and day (rows), over [start, end)."""
    first = start.astimezone(PARIS).date()
    last = end.astimezone(PARIS).date()
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    grid = [[0] * 24 for _ in days]
    index = {d: i for i, d in enumerate(days)}
    for hour, count in bad.items():
        here = hour.astimezone(PARIS)
        row = index.get(here.date())
        if row is not None:
            grid[row][here.hour] += count
    fig = go.Figure(
        go.Heatmap(
            z=grid,
            x=[f"{h:02d}" for h in range(24)],
            y=[
                fmt(lang).instant(datetime(d.year, d.month, d.day, 12, tzinfo=PARIS), "EEE d MMM")
                for d in days
            ],
            colorscale=[[0, palette.background], [1, palette.fills["page"]]],
            zmin=0,
            zmax=max(60, max((max(r) for r in grid), default=0)),
            name=t("fig.bad_minutes", lang),
            colorbar={"title": {"text": t("fig.bad_minutes", lang)}},
            hovertemplate="%{y} %{x} h : %{z}<extra></extra>",
        )
    )
    if not bad:
        _no_data(fig, palette, lang)
    layout = _layout(palette, False, t("samu.heatmap", lang), lang)
    layout["xaxis"] = axis(palette, title={"text": t("fig.hour", lang)}, type="category")
    layout["yaxis"] = axis(palette, autorange="reversed", type="category")
    fig.update_layout(layout)
    return fig


def entraide_pair(
    name: str,
    calls: Mapping[datetime, float],
    backup: str,
    backup_calls: Mapping[datetime, float],
    transfers: Mapping[datetime, float],
    palette: Palette,
    lang: str,
    x_range: Range | None = None,
) -> go.Figure:
    """The SAMU's and its backup's calls per hour on one chart, with the calls transferred."""
    fig = go.Figure()
    for label, series, colour in (
        (t("fig.answered", lang).format(samu=name), calls, palette.series),
        (t("fig.answered", lang).format(samu=backup), backup_calls, palette.baseline),
    ):
        hours = sorted(series)
        fig.add_trace(
            go.Scatter(
                x=_paris(hours),
                y=[series[h] for h in hours],
                mode="lines",
                name=label,
                line={"color": colour, "width": 2},
            )
        )
    hours = sorted(transfers)
    fig.add_trace(
        go.Bar(
            x=_paris(hours),
            y=[transfers[h] for h in hours],
            name=t("fig.transferred", lang).format(samu=backup),
            marker={"color": palette.fills["ticket"]},
        )
    )
    if not calls and not backup_calls:
        _no_data(fig, palette, lang)
    fig.update_layout(
        _layout(
            palette,
            False,
            t("samu.entraide", lang),
            lang,
            x_range,
            yaxis=axis(palette, rangemode="tozero", title={"text": t("fig.per_hour", lang)}),
        )
    )
    return fig
