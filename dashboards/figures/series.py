"""SAMU time series: SLI with its objective and calls per minute against the usual, with
incidents and maintenance marked on the time axis (the budget, burn-rate, heat-map and
entraide pictures are in `dashboards.figures.samu_charts`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import plotly.graph_objects as go

from dashboards.figures.style import axis, base_layout
from dashboards.history import HourPoint
from dashboards.i18n import PARIS, fmt, t
from dashboards.theme import Palette


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
