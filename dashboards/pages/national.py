"""The national view (home): KPIs, the SAMU map (tiles or geographic), risk table, entraide."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go
from dash import ALL, Dash, Input, Output, State, ctx, dcc, html, no_update
from dash.development.base_component import Component

from dashboards import ids, views
from dashboards.figures.maps import MapTile, geo_map, tile_map
from dashboards.figures.style import GRAPH_CONFIG
from dashboards.i18n import lang_of, t
from dashboards.pages import parts
from dashboards.people.model import Principal
from dashboards.ports import UiServices
from dashboards.theme import LIGHT

REFRESH_MS = 30_000
_HEADS = {
    "samu": "col.samu",
    "region": "col.region",
    "state": "col.state",
    "burn": "col.burn",
    "budget": "col.budget",
    "exhaustion": "col.exhaustion",
    "sli": "col.sli",
}


def _section(title_id: str, title: str, *children: Component) -> Component:
    return html.Section([html.H2(title, id=title_id), *children], **parts.aria(labelledby=title_id))


def layout(lang: str, params: dict[str, str]) -> Component:
    """The page skeleton; the refresh callback fills the numbers, map and tables."""
    heads = [
        html.Th(
            html.Button(
                t(key, lang), id={"type": ids.RISK_SORT_BUTTON, "index": col}, className="sort"
            ),
            scope="col",
        )
        for col, key in _HEADS.items()
    ]
    return html.Div(
        [
            html.H1(t("national.title", lang)),
            dcc.Interval(id=ids.NATIONAL_TICK, interval=REFRESH_MS),
            dcc.Store(id=ids.RISK_SORT, data={"col": "risk", "desc": False}),
            _section("h-kpis", t("kpi.states", lang), html.Dl(id=ids.KPIS, className="kpis")),
            html.Div(
                [
                    _section(
                        "h-map",
                        t("map.title", lang),
                        html.Div(
                            [
                                html.Span(t("map.kind", lang), id="map-kind-label"),
                                dcc.RadioItems(
                                    id=ids.MAP_KIND,
                                    value="tiles",
                                    inline=True,
                                    options=[
                                        {"label": t("map.tiles", lang), "value": "tiles"},
                                        {"label": t("map.geo", lang), "value": "geo"},
                                    ],
                                ),
                            ],
                            role="group",
                            **parts.aria(labelledby="map-kind-label"),
                        ),
                        dcc.Graph(
                            id=ids.MAP,
                            config=GRAPH_CONFIG,
                            figure=go.Figure(),
                            style={"height": "640px", "maxWidth": "760px"},
                        ),
                        html.P(t("map.hint", lang), className="hint"),
                    ),
                    _section("h-entraide", t("entraide.title", lang), html.Div(id=ids.ENTRAIDE)),
                ],
                className="national-grid",
            ),
            _section(
                "h-risk",
                t("risk.title", lang),
                html.Table(
                    [html.Thead(html.Tr(heads)), html.Tbody(id=ids.RISK_BODY)],
                    id=ids.RISK,
                    className="data",
                ),
            ),
        ],
        className="page national",
    )


def refresh(
    services: UiServices, who: Principal, kind: str, sort: dict[str, Any], lang: str
) -> tuple[list[Component], go.Figure, list[Component], Component]:
    """KPIs, map, risk rows and entraide for the caller."""
    data = views.national(services, who)
    tiles = [MapTile(r.samu, r.state) for r in data.rows]
    build = geo_map if kind == "geo" else tile_map
    rows = parts.sort_rows(data.rows, str(sort.get("col", "risk")), bool(sort.get("desc")))
    return (
        parts.kpi_cells(data.kpis, lang),
        build(tiles, LIGHT, lang),
        parts.risk_rows(rows, lang),
        parts.entraide_table(data.entraide, lang),
    )


def next_sort(current: dict[str, Any], column: str) -> dict[str, Any]:
    """Clicking a column sorts by it; clicking it again reverses the order."""
    if current.get("col") == column:
        return {"col": column, "desc": not current.get("desc")}
    return {"col": column, "desc": False}


def clicked_samu(click: dict[str, Any] | None) -> str | None:
    """The SAMU id of a clicked map point, if any."""
    points = (click or {}).get("points") or []
    if not points or not points[0].get("customdata"):
        return None
    return str(points[0]["customdata"])


def register(app: Dash, services: UiServices) -> None:
    """Wire the national view's callbacks."""

    @app.callback(
        Output(ids.KPIS, "children"),
        Output(ids.MAP, "figure"),
        Output(ids.RISK_BODY, "children"),
        Output(ids.ENTRAIDE, "children"),
        Input(ids.NATIONAL_TICK, "n_intervals"),
        Input(ids.MAP_KIND, "value"),
        Input(ids.RISK_SORT, "data"),
        State(ids.LANG, "data"),
    )
    def _refresh(_: int | None, kind: str, sort: dict[str, Any], lang: object) -> Any:
        who = parts.caller()
        return refresh(services, who, kind, sort or {}, lang_of(lang))

    @app.callback(
        Output(ids.RISK_SORT, "data"),
        Input({"type": ids.RISK_SORT_BUTTON, "index": ALL}, "n_clicks"),
        State(ids.RISK_SORT, "data"),
        prevent_initial_call=True,
    )
    def _sort(clicks: list[int | None], current: dict[str, Any]) -> Any:
        if not any(clicks) or not isinstance(ctx.triggered_id, dict):
            return no_update
        return next_sort(current or {}, str(ctx.triggered_id["index"]))

    @app.callback(
        Output(ids.URL, "pathname", allow_duplicate=True),
        Input(ids.MAP, "clickData"),
        prevent_initial_call=True,
    )
    def _open(click: dict[str, Any] | None) -> Any:
        samu = clicked_samu(click)
        return f"/samu/{samu}" if samu else no_update
