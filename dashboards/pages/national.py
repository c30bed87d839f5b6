"""The national view (home): KPIs, the SAMU map (tiles or geographic), risk table, entraide."""

from __future__ import annotations

from typing import Any

from dash import ALL, Dash, Input, Output, State, ctx, dcc, html, no_update
from dash.development.base_component import Component

from dashboards import ids, views
from dashboards.figures.maps import MapTile, geo_map, tile_grid
from dashboards.figures.style import GRAPH_CONFIG
from dashboards.i18n import lang_of, t
from dashboards.pages import parts
from dashboards.ports import UiServices
from dashboards.theme import LIGHT
from people.model import Principal

REFRESH_MS = 30_000
RISK_ROWS = 25  # rows shown before "show all": a NOC looks at the top of the list
_HEADS = {
    "samu": "col.samu",
    "region": "col.region",
    "state": "col.state",
    "why": "col.why",
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
            _section("h-kpis", t("kpi.title", lang), html.Dl(id=ids.KPIS, className="kpis")),
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
                        html.Div(id=ids.MAP, className="map"),
                        parts.legend(lang),
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
                html.Button(id=ids.RISK_MORE, type="button", className="more"),
            ),
        ],
        className="page national",
    )


def map_of(tiles: list[MapTile], kind: str, lang: str) -> Component:
    """The tile map (plain HTML, the default) or the geographic one (plotly, loaded on demand)."""
    if kind != "geo":
        return tile_grid(tiles, lang)
    return dcc.Graph(
        id=ids.MAP_GEO,
        config=GRAPH_CONFIG,
        figure=geo_map(tiles, LIGHT, lang),
        style={"height": "640px"},
    )


def refresh(
    services: UiServices, who: Principal, kind: str, sort: dict[str, Any], lang: str
) -> tuple[list[Component], Component, list[Component], Component, str]:
    """KPIs, map, risk rows (the first RISK_ROWS unless all are asked) and entraide."""
    data = views.national(services, who, lang)
    tiles = [MapTile(r.samu, r.state, r.hover) for r in data.rows]
    rows = parts.sort_rows(data.rows, str(sort.get("col", "risk")), bool(sort.get("desc")))
    shown = rows if sort.get("all") else rows[:RISK_ROWS]
    more = t("risk.fewer", lang) if sort.get("all") else t("risk.all", lang).format(n=len(rows))
    return (
        parts.kpi_cells(data.kpis, lang),
        map_of(tiles, kind, lang),
        parts.risk_rows(shown, lang),
        parts.entraide_table(data.entraide, views.ENTRAIDE_MINUTES, lang),
        more,
    )


def next_sort(current: dict[str, Any], column: str) -> dict[str, Any]:
    """Clicking a column sorts by it; clicking it again reverses the order; `all` toggles
    between the first RISK_ROWS rows and every row."""
    if column == "all":
        return {**current, "all": not current.get("all")}
    if current.get("col") == column:
        return {**current, "col": column, "desc": not current.get("desc")}
    return {**current, "col": column, "desc": False}


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
        Output(ids.MAP, "children"),
        Output(ids.RISK_BODY, "children"),
        Output(ids.ENTRAIDE, "children"),
        Output(ids.RISK_MORE, "children"),
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
        Input(ids.RISK_MORE, "n_clicks"),
        State(ids.RISK_SORT, "data"),
        prevent_initial_call=True,
    )
    def _sort(clicks: list[int | None], more: int | None, current: dict[str, Any]) -> Any:
        if ctx.triggered_id == ids.RISK_MORE and more:
            return next_sort(current or {}, "all")
        if not any(clicks) or not isinstance(ctx.triggered_id, dict):
            return no_update
        return next_sort(current or {}, str(ctx.triggered_id["index"]))

    @app.callback(
        Output(ids.URL, "pathname", allow_duplicate=True),
        Input(ids.MAP_GEO, "clickData"),
        prevent_initial_call=True,
    )
    def _open(click: dict[str, Any] | None) -> Any:
        samu = clicked_samu(click)
        return f"/samu/{samu}" if samu else no_update
