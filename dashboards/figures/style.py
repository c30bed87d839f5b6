"""The common look of every figure for one theme: fonts, colours, margins (offline config)."""

from __future__ import annotations

from typing import Any

from dashboards.theme import Palette

FONT = "DejaVu Sans, Verdana, Arial, sans-serif"
# The Graph config every page uses: no plotly logo, no link to the plotly cloud, no mathjax.
GRAPH_CONFIG: Any = {
    "displaylogo": False,
    "showLink": False,
    "showSendToCloud": False,
    "showEditInChartStudio": False,
    "modeBarButtonsToRemove": ["sendDataToCloud", "lasso2d", "select2d"],
    "responsive": True,
    "typesetMath": False,
}


def base_layout(palette: Palette, big: bool = False, title: str = "") -> dict[str, Any]:
    """Layout defaults: theme colours, fonts large enough for a wall when `big`."""
    size = 24 if big else 14
    return {
        "title": {"text": title, "font": {"size": size + 2}} if title else None,
        "paper_bgcolor": palette.background,
        "plot_bgcolor": palette.background,
        "font": {"family": FONT, "color": palette.text, "size": size},
        "margin": {"l": 60, "r": 20, "t": 50 if title else 10, "b": 50},
        "hoverlabel": {"font": {"size": size}},
        "legend": {"orientation": "h", "y": -0.2, "font": {"size": size}},
        "uirevision": "keep",  # zoom and legend choices survive data refreshes
    }


def axis(palette: Palette, **extra: Any) -> dict[str, Any]:
    """An axis in the theme's grid colour."""
    return {
        "gridcolor": palette.grid,
        "zerolinecolor": palette.grid,
        "linecolor": palette.grid,
        **extra,
    }
