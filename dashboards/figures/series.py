"""SAMU time series: SLI with its objective, budget burn-down, burn rate per alert window, calls
per minute against the usual, with incidents and maintenance marked on the time axis.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import plotly.graph_objects as go

from dashboards.figures.style import axis, base_layout
from dashboards.history import HourPoint
from dashboards.i18n import PARIS, fmt, t
from dashboards.theme import Palette
from slo.policy import BurnSample
from slo.windows import format_duration


@dataclass(frozen=True)
class Span:
    """Something that lasted on the time axis: an incident or a maintenance window."""

    start: datetime
    end: datetime
    kind: str  # "incident" or "maintenance"
    label: str


def _paris(values: Sequence[datetime]) -> list[datetime]:
    # Plotly draws naive wall-clock times: convert to Paris first (axes are in Paris time).
    return [v.astimezone(PARIS).replace(tzinfo=None) for v in values]


def _spans(fig: go.Figure, spans: Sequence[Span], palette: Palette, lang: str) -> None:
    for span in spans:
        if span.end <= span.start:
            continue
        colour = palette.fills["page" if span.kind == "incident" else "maintenance"]
        start, end = _paris([span.start, span.end])
        fig.add_vrect(
            x0=start,
            x1=end,
            fillcolor=colour,
            opacity=0.18,
            line_width=0,
            layer="below",
            annotation_text=f"{t('fig.' + span.kind, lang)} {span.label}".strip(),
            annotation_position="top right",
            annotation_font_color=palette.text,
        )


Range = tuple[datetime, datetime]


def _layout(
    palette: Palette,
    big: bool,
    title: str,
    lang: str,
    x_range: Range | None = None,
    **extra: Any,
) -> dict[str, Any]:
    layout = base_layout(palette, big, title)
    xaxis = axis(palette, title={"text": t("fig.time_axis", lang)})
    if x_range is not None:
        xaxis["range"] = _paris(x_range)
    layout.update({"xaxis": xaxis, **extra})
    return layout


def sli_series(
    points: Sequence[HourPoint],
    objective: float,
    spans: Sequence[Span],
    palette: Palette,
    lang: str,
    big: bool = False,
    x_range: Range | None = None,
) -> go.Figure:
    """Hourly SLI (%) with the objective as a line; hours without valid events are gaps."""
    x = _paris([p.hour for p in points])
    y = [100 * p.good / p.valid for p in points]
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=x,
            y=y,
            mode="lines+markers",
            name=t("fig.sli", lang),
            line={"color": palette.series, "width": 2},
        )
    )
    fig.add_hline(
        y=100 * objective,
        line={"color": palette.objective, "dash": "dash", "width": 2},
        annotation_text=f"{t('fig.objective', lang)} {fmt(lang).percent(objective, 2)}",
        annotation_font_color=palette.text,
    )
    low = min([*y, 100 * objective]) if y else 100 * objective
    span = max(100 - low, 0.05)
    _spans(fig, spans, palette, lang)
    fig.update_layout(
        _layout(
            palette,
            big,
            t("samu.sli", lang),
            lang,
            x_range,
            yaxis=axis(palette, title={"text": "%"}, range=[low - span * 0.2, 100 + span * 0.05]),
        )
    )
    return fig


def burn_down(
    points: Sequence[HourPoint],
    objective: float,
    spans: Sequence[Span],
    palette: Palette,
    lang: str,
    big: bool = False,
    x_range: Range | None = None,
) -> go.Figure:
    """Budget left (%) hour by hour over the window: 100 % minus the bad events so far over the
    budget the whole window's valid events allow (the last point is the budget left now)."""
    total_valid = sum(p.valid for p in points)
    allowed = total_valid * (1 - objective)
    x = _paris([p.hour for p in points])
    y, bad = [], 0.0
    for p in points:
        bad += p.valid - p.good
        y.append(100 * (1 - bad / allowed) if allowed > 0 else None)
    fig = go.Figure(
        go.Scatter(
            x=x,
            y=y,
            mode="lines",
            name=t("fig.remaining", lang),
            line={"color": palette.series, "width": 3},
            fill="tozeroy",
        )
    )
    fig.add_hline(y=0, line={"color": palette.objective, "width": 2})
    _spans(fig, spans, palette, lang)
    fig.update_layout(
        _layout(
            palette,
            big,
            t("samu.budget", lang),
            lang,
            x_range,
            yaxis=axis(palette, title={"text": "%"}),
        )
    )
    return fig


def burn_rates(
    burns: Mapping[timedelta, BurnSample], palette: Palette, lang: str, big: bool = False
) -> go.Figure:
    """One bar per alert window (5m … 3d) with its burn rate; a line at 1 (budget spent exactly
    over the SLO period). Windows without events show no bar and a dash."""
    windows = sorted(burns)
    names = [format_duration(w) for w in windows]
    values = [burns[w].burn_rate for w in windows]
    colours = [palette.fills["ticket" if (v or 0) > 1 else "ok"] for v in values]
    text = [fmt(lang).number(v, 1) for v in values]
    fig = go.Figure(
        go.Bar(
            x=names,
            y=[v or 0 for v in values],
            text=text,
            textposition="outside",
            marker={"color": colours},
            name=t("fig.burn", lang),
        )
    )
    fig.add_hline(y=1, line={"color": palette.objective, "dash": "dash", "width": 2})
    fig.update_layout(
        _layout(
            palette,
            big,
            t("samu.burns", lang),
            lang,
            xaxis=axis(palette, type="category"),
            yaxis=axis(palette, rangemode="tozero"),
        )
    )
    return fig


def calls_vs_usual(
    calls: Mapping[datetime, float],
    usual: Mapping[datetime, float],
    spans: Sequence[Span],
    palette: Palette,
    lang: str,
    big: bool = False,
    x_range: Range | None = None,
) -> go.Figure:
    """Calls per minute with the usual rate for the same hour of the week as a step line."""
    fig = go.Figure()
    minutes = sorted(calls)
    fig.add_trace(
        go.Scatter(
            x=_paris(minutes),
            y=[calls[m] for m in minutes],
            mode="lines",
            name=t("fig.calls", lang),
            line={"color": palette.series, "width": 2},
        )
    )
    hours = sorted(usual)
    fig.add_trace(
        go.Scatter(
            x=_paris(hours),
            y=[usual[h] for h in hours],
            mode="lines",
            line={"color": palette.baseline, "dash": "dot", "width": 2, "shape": "hv"},
            name=t("fig.baseline", lang),
        )
    )
    _spans(fig, spans, palette, lang)
    fig.update_layout(
        _layout(
            palette,
            big,
            t("samu.calls", lang),
            lang,
            x_range,
            yaxis=axis(palette, rangemode="tozero"),
        )
    )
    return fig
