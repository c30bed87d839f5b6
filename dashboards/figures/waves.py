"""A migration wave's picture: for one figure, each SAMU's change (after − before) with its
confidence interval, against zero and the band inside which a change is too small to count
(the figure's margin) — a forest plot, one line per SAMU. Pure: a comparison in, a figure out.
"""

from __future__ import annotations

from collections.abc import Mapping

import plotly.graph_objects as go

from dashboards.figures.style import axis, base_layout
from dashboards.i18n import t
from dashboards.theme import MapState, Palette
from waves.compare import Comparison
from waves.measures import BY_KEY

_FILL: dict[str, MapState] = {"worse": "page", "better": "ok", "no_data": "no_data"}
_SYMBOL = {"worse": "triangle-down", "better": "triangle-up", "same": "circle", "no_data": "x"}


def _reach(edge: float | None, middle: float | None) -> float:
    """How far an interval's edge lies from the point (0 without an interval)."""
    return 0.0 if edge is None or middle is None else edge - middle


def forest(
    c: Comparison, key: str, names: Mapping[str, str], palette: Palette, lang: str
) -> go.Figure:
    """Each SAMU's change of figure `key` with its interval (ms, or points of %)."""
    figure = BY_KEY[key]
    scale, unit = (100.0, "pt") if figure.unit == "share" else (1000.0, "ms")
    fig = go.Figure()
    rows = [(r, r.figure(key)) for r in c.samu]
    shown = [(r, f) for r, f in rows if f is not None and f.difference is not None]
    for verdict in ("worse", "better", "same", "no_data"):
        group = [(r, f) for r, f in shown if f.verdict == verdict]
        if not group:
            continue
        colour = palette.fills[_FILL[verdict]] if verdict in _FILL else palette.series
        fig.add_trace(
            go.Scatter(
                x=[(f.difference or 0.0) * scale for _, f in group],
                y=[names.get(r.samu_id, r.samu_id) for r, _ in group],
                mode="markers",
                name=t("verdict." + verdict, lang),
                marker={"size": 12, "color": colour, "symbol": _SYMBOL[verdict]},
                error_x={
                    "type": "data",
                    "symmetric": False,
                    "array": [_reach(f.high, f.difference) * scale for _, f in group],
                    "arrayminus": [-_reach(f.low, f.difference) * scale for _, f in group],
                    "color": colour,
                    "thickness": 2,
                },
            )
        )
    margin = figure.margin * scale
    fig.add_vrect(x0=-margin, x1=margin, fillcolor=palette.grid, opacity=0.4, line_width=0)
    fig.add_vline(x=0, line={"color": palette.muted, "width": 1})
    layout = base_layout(palette)
    layout["xaxis"] = axis(
        palette, title={"text": t("waves.change_axis", lang).format(unit=unit)}, zeroline=False
    )
    layout["yaxis"] = axis(palette, autorange="reversed", type="category")
    layout["margin"] = {"l": 180, "r": 20, "t": 10, "b": 60}
    fig.update_layout(**layout)
    if not shown:
        fig.add_annotation(
            text=t("fig.no_data", lang), showarrow=False, xref="paper", yref="paper", x=0.5, y=0.5
        )
    return fig
