"""The SAMU page: its SLOs, SLI against the objective, budget burn-down, burn per alert window,
calls against the usual, incidents and maintenance on the time axis, alerts and who is on call.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import plotly.graph_objects as go
from dash import Dash, Input, Output, State, dcc, html
from dash.development.base_component import Component

from dashboards import ids, views
from dashboards.figures.samu_charts import burn_down, burn_rate_series, entraide_pair, heat_map
from dashboards.figures.series import calls_vs_usual, sli_series
from dashboards.figures.style import GRAPH_CONFIG
from dashboards.i18n import alert_name, fmt, lang_of, slo_name, t
from dashboards.pages import parts
from dashboards.ports import AlertView, UiServices
from dashboards.theme import LIGHT
from dashboards.viewmodel import slo_row
from people.model import Principal

REFRESH_MS = 30_000
_GRAPHS = (
    ids.SAMU_SLI,
    ids.SAMU_BUDGET,
    ids.SAMU_BURNS,
    ids.SAMU_CALLS,
    ids.SAMU_HEAT,
    ids.SAMU_PAIR,
)


def layout(lang: str, params: dict[str, str]) -> Component:
    """The skeleton for one SAMU; the refresh callback fills it."""
    graphs = [
        dcc.Graph(id=g, config=GRAPH_CONFIG, figure=go.Figure(), style={"height": "380px"})
        for g in _GRAPHS
    ]
    return html.Div(
        [
            dcc.Link(t("samu.back", lang), href="/", className="back"),
            dcc.Store(id=ids.SAMU_ID, data=params.get("samu_id", "")),
            dcc.Interval(id=ids.SAMU_TICK, interval=REFRESH_MS),
            html.Div(id=ids.SAMU_HEAD),
            html.Section(
                [html.H2(t("samu.slos", lang), id="h-slos"), html.Div(id=ids.SAMU_SLOS)],
                **parts.aria(labelledby="h-slos"),
            ),
            html.Div(graphs, className="charts"),
            html.Section(
                [html.H2(t("samu.alerts", lang), id="h-samu-alerts"), html.Div(id=ids.SAMU_ALERTS)],
                **parts.aria(labelledby="h-samu-alerts"),
            ),
        ],
        className="page samu",
    )


def _slo_table(detail: views.SamuDetail, lang: str) -> Component:
    head = html.Thead(
        html.Tr(
            [
                html.Th(t(key, lang), scope="col")
                for key in (
                    "col.slo",
                    "col.sli",
                    "col.budget",
                    "col.burn",
                    "col.exhaustion",
                    "col.minutes",
                    "col.state",
                )
            ]
        )
    )
    rows = [slo_row(s, detail.now, lang) for s in sorted(detail.statuses, key=lambda s: s.slo)]
    body = html.Tbody(
        [
            html.Tr(
                [
                    html.Th(r.name, scope="row"),
                    html.Td(r.sli_text, className="num"),
                    html.Td(r.budget_text, className="num"),
                    html.Td(r.burn_text, className="num"),
                    html.Td(r.exhaustion_text, className="num"),
                    html.Td(r.minutes_text, className="num"),
                    html.Td(r.state_text),
                ]
            )
            for r in rows
        ]
    )
    return html.Table([head, body], className="data")


def _alerts(detail: views.SamuDetail, lang: str) -> list[Component]:
    seen: dict[str, AlertView] = {}
    for g in detail.groups:
        for a in g.alerts:
            if a.labels.get("samu") == detail.samu.id:
                seen.setdefault(a.fingerprint, a)
    items = [
        html.Li(
            [
                html.Strong(alert_name(a.labels.get("alertname", ""), lang)),
                f" ({t('severity.' + a.labels.get('severity', 'none'), lang)}) ",
                slo_name(a.labels["slo"], lang) if a.labels.get("slo") else "",
                " — ",
                parts.when(a.starts_at, lang, detail.samu),
                f" — {t('alerts.' + a.state, lang)}",
            ]
        )
        for a in seen.values()
    ]
    incidents = [
        html.Li(
            f"{t('alerts.incident', lang)} {i.id} : {t('incident.' + i.state, lang)}"
            + (f" ({t('incident.by', lang).format(who=i.acked_by)})" if i.acked_by else "")
        )
        for i in detail.incidents
    ]
    shifts = [
        html.Li(f"{s.schedule} : {', '.join(s.on_call) or t('none', lang)}") for s in detail.on_call
    ]
    return [
        html.Ul(items or [html.Li(t("alerts.none", lang))]),
        html.Ul(incidents) if incidents else html.Span(),
        html.H3(t("alerts.oncall", lang)),
        html.Ul(shifts),
    ]


def refresh(services: UiServices, who: Principal, samu_id: str, lang: str) -> tuple[Any, ...]:
    """Header, SLO table, four figures and alerts for one SAMU (or a not-found message)."""
    detail = views.samu_detail(services, samu_id, who, lang)
    if detail is None:
        empty = go.Figure()
        return (html.H1(t("samu.unknown", lang)), "", *(empty for _ in _GRAPHS), "")
    samu, row = detail.samu, detail.row
    clock = f"{t('samu.local', lang)} {fmt(lang).local(detail.now, samu.timezone)}"
    head = [
        html.H1(samu.name),
        html.P([parts.view_badge(row), " ", samu.region, " · ", clock]),
        html.P(row.why, className="why"),
        html.P(row.minutes, className="minutes") if row.minutes else html.Span(),
        html.P(row.entraide, className="entraide") if row.entraide else html.Span(),
    ]
    objective = detail.primary.objective if detail.primary else 0.9995
    now = detail.now
    first = detail.hours[0].hour if detail.hours else now
    # A short history is zoomed on (at least 6 h shown); a long one shows the whole span.
    week = min(max(now - timedelta(days=views.SLI_DAYS), first), now - timedelta(hours=6))
    start = min(max(views.history_start(now, detail.primary), first), now - timedelta(hours=6))
    recent = [p for p in detail.hours if p.hour >= week]
    window = (views.history_start(now, detail.primary), detail.window_end)
    pair_range = (now - timedelta(hours=views.PAIR_HOURS), now)
    backup = detail.backup.name if detail.backup else t("samu.no_backup", lang)
    return (
        head,
        _slo_table(detail, lang),
        sli_series(recent, objective, detail.spans, LIGHT, lang, x_range=(week, now)),
        burn_down(detail.hours, objective, window, LIGHT, lang, x_range=(start, now)),
        burn_rate_series(recent, objective, detail.thresholds, LIGHT, lang, x_range=(week, now)),
        calls_vs_usual(
            detail.calls,
            detail.usual,
            detail.spans,
            LIGHT,
            lang,
            x_range=(now - timedelta(hours=views.CALLS_HOURS), now),
        ),
        heat_map(detail.bad_hours, window[0], now, LIGHT, lang),
        entraide_pair(
            samu.name,
            detail.pair_calls,
            backup,
            detail.backup_calls,
            detail.transfers,
            LIGHT,
            lang,
            x_range=pair_range,
        ),
        _alerts(detail, lang),
    )


def register(app: Dash, services: UiServices) -> None:
    """Wire the SAMU page's refresh."""

    @app.callback(
        Output(ids.SAMU_HEAD, "children"),
        Output(ids.SAMU_SLOS, "children"),
        *(Output(g, "figure") for g in _GRAPHS),
        Output(ids.SAMU_ALERTS, "children"),
        Input(ids.SAMU_TICK, "n_intervals"),
        Input(ids.SAMU_ID, "data"),
        State(ids.LANG, "data"),
    )
    def _refresh(_: int | None, samu_id: str, lang: object) -> Any:
        who = parts.caller()
        return refresh(services, who, samu_id or "", lang_of(lang))
