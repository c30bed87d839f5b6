"""The frame around every page: skip link, header with navigation and language switch, routing.

`/` national view, `/samu/<id>` a SAMU, `/alerts`, `/reports`, `/waves` (migration waves),
`/wall` (or any page with `?kiosk=1`) the wall mode: dark theme, no header and no controls.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import parse_qs

from dash import ClientsideFunction, Dash, Input, Output, State, dcc, html, no_update
from dash.development.base_component import Component

from dashboards import ids
from dashboards.i18n import lang_of, t
from dashboards.pages.parts import aria
from dashboards.theme import state_css

INDEX = (
    """<!DOCTYPE html>
<html lang="fr">
<head>{%metas%}<title>{%title%}</title>{%favicon%}{%css%}<style>"""
    + state_css()
    + """</style></head>
<body>{%app_entry%}<footer>{%config%}{%scripts%}{%renderer%}</footer></body>
</html>"""
)

Page = Callable[[str, dict[str, str]], Component]
Pages = Mapping[str, Page]


def layout() -> Component:
    """The static frame; the routing callback fills `content`."""
    return html.Div(
        id=ids.ROOT,
        className="theme-light",
        children=[
            dcc.Location(id=ids.URL, refresh=False),
            dcc.Store(id=ids.LANG, storage_type="local", data="fr"),
            html.A(t("skip"), href="#" + ids.CONTENT, id=ids.SKIP_LINK, className="skip-link"),
            html.Header(id=ids.HEADER, className="app-header", children=header("fr")),
            html.Main(id=ids.CONTENT, tabIndex="-1"),
        ],
    )


def header(lang: str) -> list[Component]:
    """Title, main navigation and the language switch."""
    return [
        html.Span(t("app.title", lang), className="brand"),
        html.Nav(
            html.Ul(
                [
                    html.Li(dcc.Link(t("nav.national", lang), href="/")),
                    html.Li(dcc.Link(t("nav.alerts", lang), href="/alerts")),
                    html.Li(dcc.Link(t("nav.reports", lang), href="/reports")),
                    html.Li(dcc.Link(t("nav.collector", lang), href="/collector")),
                    html.Li(dcc.Link(t("nav.waves", lang), href="/waves")),
                    html.Li(dcc.Link(t("nav.wall", lang), href="/wall")),
                ]
            ),
            id=ids.NAV,
            **aria(label=t("nav.label", lang)),
        ),
        html.Button(
            t("lang.switch", lang),
            id=ids.LANG_BUTTON,
            className="lang-switch",
            lang="en" if lang == "fr" else "fr",
            **aria(label=f"{t('lang.label', lang)} : {t('lang.switch', lang)}"),
        ),
    ]


def nav_links(lang: str) -> Component:
    """The main navigation links."""
    return html.Ul(
        [
            html.Li(dcc.Link(t("nav.national", lang), href="/")),
            html.Li(dcc.Link(t("nav.alerts", lang), href="/alerts")),
            html.Li(dcc.Link(t("nav.reports", lang), href="/reports")),
            html.Li(dcc.Link(t("nav.collector", lang), href="/collector")),
            html.Li(dcc.Link(t("nav.waves", lang), href="/waves")),
            html.Li(dcc.Link(t("nav.wall", lang), href="/wall")),
        ]
    )


def params_of(search: str | None) -> dict[str, str]:
    """The query string as single values (`?kiosk=1&refresh=5`)."""
    return {k: v[-1] for k, v in parse_qs((search or "").lstrip("?")).items()}


def is_wall(pathname: str | None, params: dict[str, str]) -> bool:
    """Wall mode: the /wall page or any page asked with `?kiosk=1`."""
    return (pathname or "/").rstrip("/") == "/wall" or params.get("kiosk") == "1"


def register(app: Dash, pages: Pages, wall: Page, samu: Page) -> None:
    """Routing, the language switch and the `lang` attribute of the document."""

    @app.callback(
        Output(ids.CONTENT, "children"),
        Output(ids.ROOT, "className"),
        Output(ids.HEADER, "hidden"),
        Output(ids.NAV, "children"),
        Output(ids.LANG_BUTTON, "children"),
        Input(ids.URL, "pathname"),
        Input(ids.URL, "search"),
        Input(ids.LANG, "data"),
    )
    def route(
        pathname: str | None, search: str | None, lang_data: object
    ) -> tuple[Component, str, bool, Component, str]:
        lang = lang_of(lang_data)
        content, theme, hidden = render(pathname, search, lang, pages, wall, samu)
        return content, theme, hidden, nav_links(lang), t("lang.switch", lang)

    @app.callback(
        Output(ids.LANG, "data"),
        Input(ids.LANG_BUTTON, "n_clicks"),
        State(ids.LANG, "data"),
        prevent_initial_call=True,
    )
    def switch(clicks: int | None, lang_data: object) -> Any:
        if not clicks:
            return no_update
        return "fr" if lang_of(lang_data) == "en" else "en"

    app.clientside_callback(  # type: ignore[no-untyped-call]
        ClientsideFunction(namespace="vigie", function_name="setLang"),
        Output(ids.SKIP_LINK, "title"),
        Input(ids.LANG, "data"),
    )


def render(
    pathname: str | None,
    search: str | None,
    lang: str,
    pages: Pages,
    wall: Page,
    samu: Page,
) -> tuple[Component, str, bool]:
    """The page for a path: (content, root class, header hidden)."""
    params = params_of(search)
    path = (pathname or "/").rstrip("/") or "/"
    if is_wall(path, params):
        return wall(lang, params), "theme-wall", True
    if path.startswith("/samu/"):
        params["samu_id"] = path.removeprefix("/samu/")
        return samu(lang, params), "theme-light", False
    page = pages.get(path, pages["/"])
    return page(lang, params), "theme-light", False
