"""The migration waves page (`/waves?wave=<id>`): pick a wave, read its night and method, and
one row per SAMU with each figure before → after, the change, its interval and the verdict; a
picture of every SAMU's change of one figure. A SAMU manager sees only their SAMU's rows."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import plotly.graph_objects as go
from dash import Dash, Input, Output, State, dcc, html
from dash.development.base_component import Component

from dashboards import ids
from dashboards.figures.style import GRAPH_CONFIG
from dashboards.figures.waves import forest
from dashboards.i18n import fmt, lang_of, t
from dashboards.pages import parts
from dashboards.ports import UiServices
from dashboards.theme import LIGHT
from dashboards.waveview import RowView, WaveView, wave_view
from people.model import Principal
from waves.history import StoredWave
from waves.measures import FIGURES

DAYS = (3, 7, 14)


def visible_waves(services: UiServices, who: Principal) -> list[StoredWave]:
    """The waves with at least one SAMU the caller may see, by night, newest first."""
    found = [w for w in services.waves.waves() if any(who.can_see(s) for s in w.wave.samu_ids)]
    return sorted(found, key=lambda w: w.wave.starts_at, reverse=True)


def wave_label(stored: StoredWave, lang: str) -> str:
    w = stored.wave
    when = fmt(lang).instant(w.starts_at, "d MMM y")
    text = t("waves.option", lang).format(id=w.id, title=w.title, when=when, n=len(w.moves))
    return text + (f" ({t('waves.cancelled', lang)})" if stored.cancelled else "")


def layout_for(services: UiServices) -> Callable[[str, dict[str, str]], Component]:
    """The page builder: the waves come from the waves service, filtered by the caller."""

    def layout(lang: str, params: dict[str, str]) -> Component:
        waves = visible_waves(services, parts.caller())
        chosen = params.get("wave", "")
        known = [w.wave.id for w in waves]
        value = chosen if chosen in known else (known[0] if known else None)
        days = int(params["days"]) if params.get("days", "").isdigit() else 7
        options = [{"label": wave_label(w, lang), "value": w.wave.id} for w in waves]
        return html.Div(
            [
                html.H1(t("waves.title", lang)),
                html.P(
                    [
                        html.Label(t("waves.pick", lang), htmlFor=ids.WAVES_PICK),
                        dcc.Dropdown(
                            id=ids.WAVES_PICK, options=options, value=value, clearable=False
                        ),
                        html.Label(t("waves.days", lang), htmlFor=ids.WAVES_DAYS),
                        dcc.RadioItems(
                            id=ids.WAVES_DAYS,
                            options=[
                                {"label": t("waves.days_n", lang).format(n=d), "value": d}
                                for d in DAYS
                            ],
                            value=days if days in DAYS else 7,
                            inline=True,
                        ),
                    ],
                    className="controls",
                ),
                html.Section(id=ids.WAVES_HEAD, **parts.aria(live="polite")),
                html.Section(
                    [
                        html.H2(t("waves.table", lang), id="h-wave-table"),
                        html.Div(id=ids.WAVES_TABLE),
                    ],
                    **parts.aria(labelledby="h-wave-table"),
                ),
                html.Section(
                    [
                        html.H2(t("waves.picture", lang), id="h-wave-picture"),
                        dcc.Dropdown(
                            id=ids.WAVES_FIGURE,
                            options=[
                                {"label": t(f"waves.fig.{f.key}", lang), "value": f.key}
                                for f in FIGURES
                            ],
                            value="network_latency",
                            clearable=False,
                        ),
                        dcc.Graph(
                            id=ids.WAVES_FOREST,
                            config=GRAPH_CONFIG,
                            figure=go.Figure(),
                            style={"height": "420px"},
                        ),
                    ],
                    **parts.aria(labelledby="h-wave-picture"),
                ),
            ],
            className="page waves",
        )

    return layout


def head(view: WaveView, lang: str) -> Component:
    """The wave's title, night, approver, method and how many SAMU got each verdict."""
    counts = " · ".join(
        t("waves.count", lang).format(verdict=t("verdict." + v, lang), n=n)
        for v, n in view.counts
        if n
    )
    return html.Div(
        [
            html.H2(f"{view.id} — {view.title}"),
            html.Dl(
                [
                    parts.kpi(t("waves.night", lang), view.night, "", "wave-night"),
                    parts.kpi(t("waves.approved", lang), view.approved_by, "", "wave-approved"),
                    parts.kpi(t("waves.verdicts", lang), counts, view.state, "wave-verdicts"),
                ],
                className="kpis",
            ),
            html.P(view.method, className="method"),
        ]
    )


def _row(row: RowView) -> Component:
    cells: list[Component] = [
        html.Th(dcc.Link(row.name, href=f"/samu/{row.samu_id}"), scope="row"),
        html.Td(row.move),
        html.Td(html.Span(row.badge, className=f"badge {row.css}")),
    ]
    for c in row.cells:
        cells.append(
            html.Td(
                [
                    html.Div(f"{c.before} → {c.after}", className="wave-values"),
                    html.Div([html.Span(c.badge, className=f"badge {c.css}"), f" {c.change}"]),
                    html.Div(c.interval, className="wave-interval"),
                ],
                className=f"wave-cell verdict-{c.verdict}",
                title=c.interval,
            )
        )
    return html.Tr(cells, id=f"wave-row-{row.samu_id}")


def table(view: WaveView, lang: str) -> Component:
    """One row per SAMU: where it moved, its verdict, then every figure."""
    if not view.rows:
        return html.P(t("waves.no_rows", lang), className="no-data")
    header = [t("waves.col.samu", lang), t("waves.col.move", lang), t("waves.col.verdict", lang)]
    header += [t(f"waves.fig.{f.key}", lang) for f in FIGURES]
    return html.Table(
        [
            html.Caption(t("waves.caption", lang)),
            html.Thead(html.Tr([html.Th(h, scope="col") for h in header])),
            html.Tbody([_row(r) for r in view.rows]),
        ],
        className="data wave-table",
        id=ids.WAVES_ROWS,
    )


def render(
    services: UiServices, who: Principal, wave_id: str | None, days: int, key: str, lang: str
) -> tuple[Any, Any, go.Figure]:
    """Head, table and picture of one wave as the caller may see it."""
    if not wave_id:
        return html.P(t("waves.none", lang), className="no-data"), "", go.Figure()
    try:
        stored = services.waves.get(wave_id)
    except LookupError:
        return html.P(t("waves.none", lang), className="no-data"), "", go.Figure()
    mine = [s for s in stored.wave.samu_ids if who.can_see(s)]
    if not mine:
        return html.P(t("waves.none", lang), className="no-data"), "", go.Figure()
    found = services.waves.compare(wave_id, days).only(mine)
    view = wave_view(found, services.registry, lang)
    names = {r.samu_id: r.name for r in view.rows}
    return head(view, lang), table(view, lang), forest(found, key, names, LIGHT, lang)


def register(app: Dash, services: UiServices) -> None:
    """Wire the waves page: the chosen wave and days give its head, table and picture."""

    @app.callback(
        Output(ids.WAVES_HEAD, "children"),
        Output(ids.WAVES_TABLE, "children"),
        Output(ids.WAVES_FOREST, "figure"),
        Input(ids.WAVES_PICK, "value"),
        Input(ids.WAVES_DAYS, "value"),
        Input(ids.WAVES_FIGURE, "value"),
        State(ids.LANG, "data"),
    )
    def _refresh(wave_id: str | None, days: int | None, key: str | None, lang: object) -> Any:
        return render(
            services, parts.caller(), wave_id, days or 7, key or "network_latency", lang_of(lang)
        )
