"""Wall mode: dark, no controls, large text, made to run unattended for a week.

- Data refreshes in place every `refresh` seconds (tiles and texts are replaced, the page is
  never reloaded, the structure never changes between ticks or pages). The browser asks for the
  next refresh only once the last one answered (a slow server is not flooded, and an answer is
  never thrown away because the next tick came first), or after `RETRY` refreshes without one.
- The focus panel rotates through the configured pages (`national`, `trouble`, `alerts`) every
  `rotate` seconds. The browser decides the slot from its clock (`window.vigieClock`, injectable
  by tests, else `Date.now`), so every wall screen shows the same page at the same time.
- When an update fails (server restart, network cut) the last data stays on screen with a
  "données du HH:MM" banner; Dash's interval keeps asking and the wall recovers by itself.

Configured by the query string of the kiosk's URL (`/wall?pages=national,alerts&rotate=30`),
defaults from `UiServices.wall_pages` / `wall_rotate_s` / `refresh_s`.
"""

from __future__ import annotations

from typing import Any

from dash import ClientsideFunction, Dash, Input, Output, State, dcc, html
from dash.development.base_component import Component

from dashboards import alertrows, fleet, ids, views
from dashboards.figures.maps import MapTile, tile_grid
from dashboards.i18n import fmt, lang_of, t
from dashboards.pages import parts
from dashboards.ports import UiServices
from dashboards.theme import ICONS, STATES, MapState
from people.model import Principal

FOCUS_ROWS = 5
TROUBLE_SHOWN = 8
PAGES = ("national", "trouble", "alerts")
STALE_AFTER = 3  # refresh periods without an update before the data is called stale
RETRY = 3  # refresh periods without an answer before the request is made again


def seconds(params: dict[str, str], key: str, default_s: float) -> float:
    """A period from the query string (at least 1 s), else the default."""
    try:
        value = float(params.get(key, default_s))
    except ValueError:
        value = default_s
    return max(1.0, value)


def interval_ms(params: dict[str, str], default_s: float) -> int:
    """The refresh period: `?refresh=N` seconds (at least 1), else the default."""
    return int(seconds(params, "refresh", default_s) * 1000)


def pages_of(params: dict[str, str], default: tuple[str, ...]) -> list[str]:
    """The rotated pages: `?pages=national,alerts` (unknown names dropped), else the default."""
    asked = [p for p in params.get("pages", "").split(",") if p in PAGES]
    return asked or [p for p in default if p in PAGES] or ["national"]


def layout_for(services: UiServices) -> Any:
    """The wall layout for the configured refresh, rotation and pages."""

    def layout(lang: str, params: dict[str, str]) -> Component:
        pairs = [_pair(t("none", lang), t("none", lang)) for _ in range(FOCUS_ROWS)]
        refresh_ms = interval_ms(params, services.refresh_s)
        pages = pages_of(params, services.wall_pages)
        config: dict[str, object] = {
            "pages": pages,
            "rotate_ms": int(seconds(params, "rotate", services.wall_rotate_s) * 1000),
            "refresh_ms": refresh_ms,
            "retry_ms": RETRY * refresh_ms,
            "stale_ms": STALE_AFTER * refresh_ms,
            "stale_text": t("wall.stale", lang),
            "page_text": t("wall.page", lang),
        }
        return html.Div(
            [
                html.Div(
                    [
                        html.H1(t("national.title", lang)),
                        html.Span(id=ids.WALL_CLOCK, className="wall-clock"),
                        html.Span(id=ids.WALL_STALE, className="wall-stale", role="status"),
                        html.Span(id=ids.WALL_PAGE, className="wall-page"),
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
                                html.H2(t("none", lang), id=ids.WALL_FOCUS_TITLE),
                                html.Dl(pairs, id=ids.WALL_FOCUS),
                            ],
                            className="wall-focus",
                            **parts.aria(labelledby=ids.WALL_FOCUS_TITLE),
                        ),
                    ],
                    className="wall-body",
                ),
                dcc.Store(id=ids.WALL_TICK, data=0),  # the refresh asked for, by number
                dcc.Interval(id=ids.WALL_SECOND, interval=1000),
                dcc.Store(id=ids.WALL_CONFIG, data=config),
                dcc.Store(id=ids.WALL_SLOT, data={"page": pages[0], "cycle": 0}),
                dcc.Store(id=ids.WALL_LAST, data=None),
                dcc.Store(id=ids.WALL_RECEIVED, data=None),
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


def _filled(rows: list[Component], lang: str) -> list[Component]:
    """Exactly FOCUS_ROWS rows, so that the structure never changes."""
    blank = [_pair(t("none", lang), "") for _ in range(FOCUS_ROWS)]
    return (rows + blank)[:FOCUS_ROWS]


def _national(data: views.National, lang: str) -> tuple[str, list[Component]]:
    rows = [
        _pair(f"{ICONS[s]} {t('state.' + s, lang)}", str(data.kpis.by_state[s]), s, True)
        for s in STATES
        if s != "ok"
    ]
    return t("kpi.states", lang), rows


def _trouble(data: views.National, cycle: int, lang: str) -> tuple[str, list[Component]]:
    trouble = [r for r in fleet.risk_order(data.rows) if r.state in ("page", "gap", "ticket")]
    trouble = trouble[:TROUBLE_SHOWN]
    if not trouble:
        return _national(data, lang)
    row = trouble[cycle % len(trouble)]
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


def _alerts(services: UiServices, who: Principal, lang: str) -> tuple[str, list[Component]]:
    now = services.clock.now()
    groups = views.visible_groups(services.alerting.groups(), who)
    rows = alertrows.rows_of(groups, (), services.registry, now, lang)
    urgent = [r for r in alertrows.ordered(rows, "urgency") if not r.silenced]
    urgent = [r for r in urgent if r.severity in ("page", "ticket")]
    if not urgent:
        return t("wall.alerts", lang), [_pair(t("wall.no_alerts", lang), "")]
    state: dict[str, MapState] = {"page": "page", "ticket": "ticket"}
    return t("wall.alerts", lang), [
        _pair(f"{r.samu_name} · {r.title}", r.since_text, state[r.severity]) for r in urgent
    ]


def focus(
    services: UiServices, who: Principal, data: views.National, slot: dict[str, Any], lang: str
) -> tuple[str, list[Component]]:
    """The focus panel of the page the rotation is on."""
    page = str(slot.get("page", "national"))
    if page == "alerts":
        title, rows = _alerts(services, who, lang)
    elif page == "trouble":
        title, rows = _trouble(data, int(slot.get("cycle", 0)), lang)
    else:
        title, rows = _national(data, lang)
    return title, _filled(rows, lang)


def refresh(
    services: UiServices, who: Principal, tick: int, slot: dict[str, Any], lang: str
) -> tuple[Any, ...]:
    """Everything the wall shows at one tick, and the time of its data."""
    data = views.national(services, who, lang)
    title, rows = focus(services, who, data, slot, lang)
    tiles = tile_grid([MapTile(r.samu, r.state, r.hover) for r in data.rows], lang)
    f = fmt(lang)
    return (
        f.instant(data.now, "HH:mm:ss"),
        str(tick),
        parts.kpi_cells(data.kpis, lang),
        tiles,
        title,
        rows,
        {"at_ms": int(data.now.timestamp() * 1000), "clock": f.clock(data.now)},
    )


def register(app: Dash, services: UiServices) -> None:
    """Wire the wall: the in-place refresh (server) and rotation and staleness (browser)."""

    @app.callback(
        Output(ids.WALL_CLOCK, "children"),
        Output(ids.WALL_COUNTER, "children"),
        Output(ids.WALL_KPIS, "children"),
        Output(ids.WALL_MAP, "children"),
        Output(ids.WALL_FOCUS_TITLE, "children"),
        Output(ids.WALL_FOCUS, "children"),
        Output(ids.WALL_LAST, "data"),
        Input(ids.WALL_TICK, "data"),
        Input(ids.WALL_SLOT, "data"),
        State(ids.LANG, "data"),
    )
    def _refresh(tick: int | None, slot: dict[str, Any] | None, lang: object) -> Any:
        who = parts.caller()
        return refresh(services, who, tick or 0, slot or {}, lang_of(lang))

    app.clientside_callback(  # type: ignore[no-untyped-call]
        ClientsideFunction(namespace="vigie", function_name="wallReceived"),
        Output(ids.WALL_RECEIVED, "data"),
        Input(ids.WALL_LAST, "data"),
    )
    app.clientside_callback(  # type: ignore[no-untyped-call]
        ClientsideFunction(namespace="vigie", function_name="wallSecond"),
        Output(ids.WALL_SLOT, "data"),
        Output(ids.WALL_PAGE, "children"),
        Output(ids.WALL_STALE, "children"),
        Output(ids.WALL_TICK, "data"),
        Input(ids.WALL_SECOND, "n_intervals"),
        State(ids.WALL_CONFIG, "data"),
        State(ids.WALL_SLOT, "data"),
        State(ids.WALL_LAST, "data"),
        State(ids.WALL_RECEIVED, "data"),
        State(ids.WALL_TICK, "data"),
    )
