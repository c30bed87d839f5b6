"""Wall mode: dark, no controls, large text; refreshes its data in place every 10 s (tiles and
texts are replaced, the page is never reloaded) and rotates its focus panel between the national
summary and each SAMU in trouble. The structure never changes between ticks.
"""

from __future__ import annotations

from typing import Any

from dash import Dash, Input, Output, State, dcc, html
from dash.development.base_component import Component

from dashboards import fleet, ids, views
from dashboards.figures.maps import MapTile, tile_grid
from dashboards.i18n import fmt, lang_of, t
from dashboards.pages import parts
from dashboards.ports import UiServices
from dashboards.theme import ICONS, STATES, MapState
from people.model import Principal

FOCUS_ROWS = 5
TROUBLE_SHOWN = 8


def interval_ms(params: dict[str, str], default_s: float) -> int:
    """The refresh period: `?refresh=N` seconds (at least 1), else the default."""
    try:
        seconds = float(params.get("refresh", default_s))
    except ValueError:
        seconds = default_s
    return int(max(1.0, seconds) * 1000)


def layout_for(default_s: float) -> Any:
    """The wall layout for a default refresh period."""

    def layout(lang: str, params: dict[str, str]) -> Component:
        pairs = [_pair("—", "—") for _ in range(FOCUS_ROWS)]
        return html.Div(
            [
                html.Div(
                    [
                        html.H1(t("national.title", lang)),
                        html.Span(id=ids.WALL_CLOCK, className="wall-clock"),
                        html.Span(
                            [t("wall.updated", lang), " ", html.Span("0", id=ids.WALL_COUNTER)],
                            className="wall-updated",
                        ),
                    ],
                    className="wall-head",
                ),
                html.Dl(id=ids.WALL_KPIS, className="kpis"),
                html.Div(
                    [
                        html.Div(id=ids.WALL_MAP, className="map"),
                        html.Section(
                            [
                                html.H2("—", id=ids.WALL_FOCUS_TITLE),
                                html.Dl(pairs, id=ids.WALL_FOCUS),
                            ],
                            className="wall-focus",
                            **parts.aria(labelledby=ids.WALL_FOCUS_TITLE),
                        ),
                    ],
                    className="wall-body",
                ),
                dcc.Interval(id=ids.WALL_TICK, interval=interval_ms(params, default_s)),
            ],
            id=ids.WALL,
            className="wall",
        )

    return layout


def _pair(
    label: str, value: str, state: MapState | None = None, on_label: bool = False
) -> Component:
    """One row of the focus panel; always Div > (Dt > Span, Dd > Span), whatever the data."""
    badge = f"badge state-{state}" if state else ""
    return html.Div(
        [
            html.Dt(html.Span(label, className=badge if on_label else "")),
            html.Dd(html.Span(value, className="" if on_label else badge)),
        ],
        className="focus-row",
    )


def focus(data: views.National, tick: int, lang: str) -> tuple[str, list[Component]]:
    """The rotating panel: tick 0 the national summary, then each SAMU in trouble in turn."""
    trouble = [r for r in fleet.risk_order(data.rows) if r.state in ("page", "gap", "ticket")]
    trouble = trouble[:TROUBLE_SHOWN]
    slot = tick % (1 + len(trouble))
    if slot == 0:
        rows = [
            _pair(f"{ICONS[s]} {t('state.' + s, lang)}", str(data.kpis.by_state[s]), s, True)
            for s in STATES
        ]
        return t("kpi.states", lang), rows[:FOCUS_ROWS]
    row = trouble[slot - 1]
    backup = next((e for e in data.entraide if e.samu.samu.id == row.samu.id), None)
    backup_text = t("none", lang)
    if backup is not None and backup.backup is not None:
        backup_text = f"{backup.backup.samu.name} {backup.backup.icon} {backup.backup.label}"
    return f"{t('wall.trouble', lang)} : {row.samu.name}", [
        _pair(t("col.state", lang), f"{row.icon} {row.label}", row.state),
        _pair(t("col.why", lang), row.why),
        _pair(t("col.burn", lang), row.burn_text),
        _pair(t("col.budget", lang), f"{row.budget_text} · {row.exhaustion_text}"),
        _pair(t("col.backup", lang), backup_text),
    ]


def refresh(services: UiServices, who: Principal, tick: int, lang: str) -> tuple[Any, ...]:
    """Everything the wall shows at one tick."""
    data = views.national(services, who, lang)
    title, rows = focus(data, tick, lang)
    tiles = tile_grid([MapTile(r.samu, r.state, r.why) for r in data.rows], lang)
    return (
        fmt(lang).instant(data.now, "HH:mm:ss"),
        str(tick),
        parts.kpi_cells(data.kpis, lang),
        tiles,
        title,
        rows,
    )


def register(app: Dash, services: UiServices) -> None:
    """Wire the wall's in-place refresh."""

    @app.callback(
        Output(ids.WALL_CLOCK, "children"),
        Output(ids.WALL_COUNTER, "children"),
        Output(ids.WALL_KPIS, "children"),
        Output(ids.WALL_MAP, "children"),
        Output(ids.WALL_FOCUS_TITLE, "children"),
        Output(ids.WALL_FOCUS, "children"),
        Input(ids.WALL_TICK, "n_intervals"),
        State(ids.LANG, "data"),
    )
    def _refresh(tick: int | None, lang: object) -> Any:
        who = parts.caller()
        return refresh(services, who, tick or 0, lang_of(lang))
