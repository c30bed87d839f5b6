"""SAMU maps, both fully offline: an equal-tile map laid out like France (the default, plain
HTML) and a geographic map of the SAMU seats drawn on plain plotly axes (nothing fetched).

A geographic map makes Paris and its ring tiny; the tile map gives every SAMU the same room.
State is shown by fill colour AND an icon (tiles) or marker symbol (geographic), with a label
in the hover text and the legend.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import plotly.graph_objects as go
from dash import html
from dash.development.base_component import Component

from dashboards.figures.style import axis, base_layout
from dashboards.i18n import t
from dashboards.theme import ICONS, STATES, MapState, Palette
from store.registry import Samu

SYMBOLS: dict[MapState, str] = {
    "page": "x",
    "gap": "hourglass",
    "maintenance": "diamond",
    "ticket": "triangle-up",
    "no_data": "circle-open",
    "ok": "circle",
}
# Overseas seats are drawn in a row under mainland France (insets), like the tile map's corner.
_INSET_LAT = 41.2
_INSET_LON0 = -4.8
_INSET_STEP = 1.1


@dataclass(frozen=True)
class MapTile:
    """One SAMU on a map: who, where, what state."""

    samu: Samu
    state: MapState
    why: str = ""  # the view model's reason for the state, shown on hover


def _label(samu: Samu) -> str:
    return samu.department


def _title(tile: MapTile, lang: str) -> str:
    text = f"{tile.samu.name} — {t('state.' + tile.state, lang)}"
    return f"{text} : {tile.why}" if tile.why else text


def _aria_label(text: str) -> dict[str, Any]:
    return {"aria-label": text}


def tile_grid(tiles: Sequence[MapTile], lang: str, prefix: str = "/samu/") -> Component:
    """One equal square per SAMU at its (tile_row, tile_col), as HTML: each tile is a link to
    the SAMU page (keyboard reachable, named for screen readers), coloured by state with its
    icon; no plotting library is needed to draw it."""
    return html.Div(
        [
            html.A(
                f"{ICONS[tile.state]} {_label(tile.samu)}",
                href=prefix + tile.samu.id,
                className=f"tile state-{tile.state}",
                title=_title(tile, lang),
                style={"gridRow": tile.samu.tile_row + 1, "gridColumn": tile.samu.tile_col + 1},
                **_aria_label(f"{tile.samu.name} : {t('state.' + tile.state, lang)}"),
            )
            for tile in tiles
        ],
        className="tiles",
    )


def seat_position(samu: Samu, overseas_index: int) -> tuple[float, float]:
    """Where a SAMU seat is drawn: its (lon, lat), or its inset slot for overseas SAMU."""
    if samu.overseas:
        return _INSET_LON0 + overseas_index * _INSET_STEP, _INSET_LAT
    return samu.lon, samu.lat


def geo_map(tiles: Sequence[MapTile], palette: Palette, lang: str, big: bool = False) -> go.Figure:
    """SAMU seats by longitude and latitude (equal-distance aspect at 46° N), one trace per
    state so that the legend names each state; overseas seats in a row of insets."""
    overseas = [tile.samu.id for tile in tiles if tile.samu.overseas]
    fig = go.Figure()
    for state in STATES:
        mine = [tile for tile in tiles if tile.state == state]
        if not mine:
            continue
        xy = [
            seat_position(x.samu, overseas.index(x.samu.id) if x.samu.overseas else 0) for x in mine
        ]
        fig.add_trace(
            go.Scatter(
                x=[p[0] for p in xy],
                y=[p[1] for p in xy],
                mode="markers",
                name=f"{ICONS[state]} {t('state.' + state, lang)}",
                marker={
                    "symbol": SYMBOLS[state],
                    "size": 18 if big else 12,
                    "color": palette.fills[state],
                    "line": {"width": 2, "color": palette.fills[state]},
                },
                customdata=[x.samu.id for x in mine],
                hovertext=[_title(x, lang) for x in mine],
                hoverinfo="text",
            )
        )
    layout = base_layout(palette, big)
    ratio = 1 / math.cos(math.radians(46.0))
    layout.update(
        xaxis=axis(palette, visible=False, range=[-5.5, 10.0], fixedrange=True),
        yaxis=axis(
            palette,
            visible=False,
            range=[40.5, 51.5],
            fixedrange=True,
            scaleanchor="x",
            scaleratio=ratio,
        ),
        margin={"l": 5, "r": 5, "t": 5, "b": 5},
        hovermode="closest",
        dragmode=False,
    )
    fig.update_layout(layout)
    return fig
