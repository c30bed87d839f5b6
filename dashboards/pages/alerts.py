"""The alerts page: one row per alert (its receivers inside), grouped by SAMU and severity,
filtered, sorted and paginated on the server; acknowledge, silence or open the incident from the
row (within the person's scope); silences (create, expire) and who is on call now and next.

The page of rows is built here as Dash components but drawn by the browser (`vigie.js`,
`alertRows`) from their JSON in one pass: Dash's renderer spends ~3 ms of CPU per component, and
50 rows are ~900 components (2.5-4 s on a loaded NOC machine). A row's buttons tell the server
which action they ask for through one store (`ids.ROW_ACTION`), which the callbacks below read.
"""

from __future__ import annotations

from typing import Any

import flask
from dash import ALL, ClientsideFunction, Dash, Input, Output, State, ctx, dcc, html, no_update
from dash.development.base_component import Component

from dashboards import actions, alertrows, ids, rights, views
from dashboards.alertrows import Filters
from dashboards.alerttable import row_trigger, table
from dashboards.i18n import alert_name, fmt, lang_of, t
from dashboards.pages import parts
from dashboards.ports import SilenceView, UiServices
from people.model import Principal, Role

REFRESH_MS = 15_000
FILTERS = ("samu", "slo", "severity", "state", "silenced")


def _filter_id(name: str) -> str:
    return f"{ids.ALERTS_FILTER}-{name}"


def layout(lang: str, params: dict[str, str]) -> Component:
    """The skeleton; the refresh callback fills the list, silences and on-call."""

    def field(key: str, label: str, **kw: Any) -> Component:
        return html.P([html.Label(label, htmlFor=key), dcc.Input(id=key, type="text", **kw)])

    form = html.Form(
        [
            field(
                ids.SILENCE_MATCHERS,
                t("silence.matchers", lang),
                placeholder=t("silence.example", lang),
            ),
            field(ids.SILENCE_ENDS, t("silence.ends", lang), placeholder="2h"),
            field(ids.SILENCE_COMMENT, t("silence.comment", lang)),
            html.Button(t("silence.create", lang), id=ids.SILENCE_CREATE, type="button"),
        ],
        className="silence-form",
        **parts.aria(labelledby="h-silences"),
    )
    filters = [
        html.P(
            [
                html.Label(t(f"filter.{name}", lang), htmlFor=_filter_id(name)),
                dcc.Dropdown(
                    id=_filter_id(name),
                    value=params.get(name, ""),
                    clearable=False,
                    searchable=name in ("samu", "slo"),
                    # a value from the URL is an option until the refresh lists the real ones
                    # (a dropdown drops a value it does not offer)
                    options=[{"label": t("filter.all", lang), "value": ""}]
                    + (
                        [{"label": params[name], "value": params[name]}] if params.get(name) else []
                    ),
                ),
            ],
            className="filter",
        )
        for name in FILTERS
    ]
    sort = html.P(
        [
            html.Label(t("sort.label", lang), htmlFor=ids.ALERTS_SORT),
            dcc.Dropdown(
                id=ids.ALERTS_SORT,
                value="urgency",
                clearable=False,
                searchable=False,
                options=[{"label": t(f"sort.{s}", lang), "value": s} for s in alertrows.SORTS],
            ),
        ],
        className="filter",
    )
    return html.Div(
        [
            html.H1(t("alerts.title", lang)),
            dcc.Interval(id=ids.ALERTS_TICK, interval=REFRESH_MS),
            dcc.Store(id=ids.ALERTS_VERSION, data=0),
            dcc.Store(id=ids.ALERTS_PAGE, data=0),
            dcc.Store(id=ids.INCIDENT_SHOWN, data=""),
            dcc.Store(id=ids.ALERTS_ROWS, data=None),
            dcc.Store(id=ids.ALERTS_DRAWN, data=0),
            dcc.Store(id=ids.ROW_ACTION, data=None),
            html.P(
                id=ids.ALERTS_MESSAGE,
                role="status",
                className="message",
                **parts.aria(live="polite"),
            ),
            html.Section(
                [
                    html.H2(t("alerts.list", lang), id="h-groups"),
                    html.Div([*filters, sort], className="filters", role="search"),
                    html.P(id=ids.ALERTS_COUNT, className="count"),
                    html.Div(id=ids.GROUPS),
                    html.P(
                        [
                            html.Button(t("alerts.prev", lang), id=ids.ALERTS_PREV, type="button"),
                            html.Button(
                                t("alerts.next_page", lang), id=ids.ALERTS_NEXT, type="button"
                            ),
                        ],
                        className="pager",
                    ),
                    html.Div(id=ids.INCIDENT_PANEL, className="incident-panel"),
                ],
                **parts.aria(labelledby="h-groups"),
            ),
            html.Section(
                [
                    html.H2(t("silence.title", lang), id="h-silences"),
                    form,
                    html.Div(id=ids.SILENCES),
                ],
                **parts.aria(labelledby="h-silences"),
            ),
            html.Section(
                [html.H2(t("alerts.oncall", lang), id="h-oncall"), html.Div(id=ids.ONCALL)],
                **parts.aria(labelledby="h-oncall"),
            ),
        ],
        className="page alerts",
    )


def _silences(found: list[SilenceView], can_act: bool, lang: str) -> Component:
    if not found:
        return html.P(t("silence.none", lang))
    f = fmt(lang)
    rows = [
        html.Li(
            [
                html.Code(", ".join(s.matchers)),
                " — ",
                t("silence.row", lang).format(
                    state=t(f"silence.state.{s.state}", lang),
                    end=f.instant(s.ends_at),
                    who=s.created_by,
                ),
                " — ",
                s.comment,
                " ",
                html.Button(
                    t("silence.expire", lang), type="button", id={"type": ids.EXPIRE, "index": s.id}
                )
                if can_act and s.state != "expired"
                else "",
            ]
        )
        for s in found
    ]
    return html.Ul(rows)


def incident_panel(services: UiServices, who: Principal, incident_id: str, lang: str) -> Any:
    """The incident opened from a row: state, timing, SAMU, who acknowledged."""
    if not incident_id:
        return ""
    found = next((i for i in services.incidents.open_incidents() if i.id == incident_id), None)
    if found is None or rights.incident_refusal(who, found) is not None:
        return html.P(t("action.out_of_scope", lang))
    f = fmt(lang)
    lines = [
        (t("col.incident", lang), f"{found.id} · {t('incident.' + found.state, lang)}"),
        (t("col.alert", lang), alert_name(found.alertname, lang)),
        (t("col.samu", lang), ", ".join(found.samu) or t("none", lang)),
        (t("col.since", lang), f.instant(found.opened_at)),
        (t("alerts.ack", lang), found.acked_by or t("none", lang)),
    ]
    return html.Dl([html.Div([html.Dt(k), html.Dd(v)]) for k, v in lines])


def render(
    services: UiServices,
    who: Principal,
    lang: str,
    filters: Filters = Filters(),  # noqa: B008 (frozen)
    sort: str = "urgency",
    page: int = 0,
) -> tuple[Any, ...]:
    """The list (one page), its count line, silences, on-call and the filter options."""
    now = services.clock.now()
    groups = views.visible_groups(services.alerting.groups(), who)
    rows = alertrows.rows_of(
        groups, services.incidents.open_incidents(), services.registry, now, lang
    )
    cut = alertrows.page_of(rows, filters, sort, False, page, lang)
    shown = sum(len(r) for _, r in cut.groups)
    f = fmt(lang)
    count = t("alerts.count", lang).format(
        shown=f.integer(shown),
        total=f.integer(cut.total),
        page=f.integer(cut.page + 1),
        pages=f.integer(cut.pages),
    )
    can_act = who.has(Role.ONCALL)
    shifts = [
        html.Li(
            f"{s.schedule} — {t('alerts.now', lang)} : {', '.join(s.on_call) or t('none', lang)} — "
            f"{t('alerts.next', lang)} : {', '.join(s.next_people) or t('none', lang)}"
            + (f" ({fmt(lang).instant(s.next_start)})" if s.next_start else "")
        )
        for s in services.alerting.on_call()
    ]
    options = alertrows.choices(rows, lang)
    return (
        table(cut, who, lang),
        count,
        _silences(
            [
                s
                for s in services.alerting.silences()
                if rights.silence_refusal(who, s, services.registry.ids()) is None
            ],
            can_act,
            lang,
        ),
        html.Ul(shifts),
        cut.page,
        *(options[name] for name in FILTERS),
    )


def act(
    services: UiServices,
    who: Principal,
    trigger: Any,
    fields: dict[str, str],
    source: str,
    lang: str,
) -> actions.Outcome:
    """Run the action a button asked for; a refusal is an outcome with its reason."""
    try:
        kind = trigger.get("type") if isinstance(trigger, dict) else None
        if kind == ids.ACK:
            return actions.incident_action(services, who, str(trigger["index"]), source, lang)
        if kind == ids.EXPIRE:
            return actions.expire_silence(services, who, str(trigger["index"]), source, lang)
        if kind == ids.SILENCE_ROW:
            return actions.silence_alert(services, who, str(trigger["index"]), source, lang)
        return actions.create_silence(services, who, fields, source, lang)
    except actions.ActionRefused as exc:
        return actions.Outcome(str(exc), False)


def register(app: Dash, services: UiServices) -> None:
    """Wire the alerts page: refresh, paging, actions and the incident panel."""

    @app.callback(
        Output(ids.ALERTS_ROWS, "data"),
        Output(ids.ALERTS_COUNT, "children"),
        Output(ids.SILENCES, "children"),
        Output(ids.ONCALL, "children"),
        Output(ids.ALERTS_PAGE, "data"),
        *(Output(_filter_id(name), "options") for name in FILTERS),
        Input(ids.ALERTS_TICK, "n_intervals"),
        Input(ids.ALERTS_VERSION, "data"),
        Input(ids.ALERTS_SORT, "value"),
        Input(ids.ALERTS_PREV, "n_clicks"),
        Input(ids.ALERTS_NEXT, "n_clicks"),
        *(Input(_filter_id(name), "value") for name in FILTERS),
        State(ids.ALERTS_PAGE, "data"),
        State(ids.LANG, "data"),
    )
    def _refresh(_t: Any, _v: Any, sort: str | None, _p: Any, _n: Any, *rest: Any) -> Any:
        *values, page, lang = rest
        step = {ids.ALERTS_PREV: -1, ids.ALERTS_NEXT: 1}.get(str(ctx.triggered_id), 0)
        if str(ctx.triggered_id).startswith(ids.ALERTS_FILTER):
            page = 0
        filters = Filters.of(dict(zip(FILTERS, values, strict=True)))
        return render(
            services, parts.caller(), lang_of(lang), filters, sort or "urgency", (page or 0) + step
        )

    app.clientside_callback(  # type: ignore[no-untyped-call]
        ClientsideFunction(namespace="vigie", function_name="alertRows"),
        Output(ids.ALERTS_DRAWN, "data"),
        Input(ids.ALERTS_ROWS, "data"),
        State(ids.GROUPS, "id"),
        State(ids.ROW_ACTION, "id"),
    )

    @app.callback(
        Output(ids.INCIDENT_SHOWN, "data"),
        Input(ids.ROW_ACTION, "data"),
        prevent_initial_call=True,
    )
    def _open(asked: Any) -> Any:
        trigger = row_trigger(asked)
        if trigger is None or trigger["type"] != ids.OPEN_INCIDENT:
            return no_update
        return trigger["index"]

    @app.callback(
        Output(ids.INCIDENT_PANEL, "children"),
        Input(ids.INCIDENT_SHOWN, "data"),
        Input(ids.ALERTS_VERSION, "data"),
        State(ids.LANG, "data"),
    )
    def _panel(incident_id: str | None, _v: Any, lang: object) -> Any:
        return incident_panel(services, parts.caller(), incident_id or "", lang_of(lang))

    @app.callback(
        Output(ids.ALERTS_MESSAGE, "children"),
        Output(ids.ALERTS_VERSION, "data"),
        Input(ids.ROW_ACTION, "data"),
        Input({"type": ids.EXPIRE, "index": ALL}, "n_clicks"),
        Input(ids.SILENCE_CREATE, "n_clicks"),
        State(ids.SILENCE_MATCHERS, "value"),
        State(ids.SILENCE_ENDS, "value"),
        State(ids.SILENCE_COMMENT, "value"),
        State(ids.ALERTS_VERSION, "data"),
        State(ids.LANG, "data"),
        prevent_initial_call=True,
    )
    def _act(
        asked: Any,
        _e: Any,
        _c: Any,
        matchers: str | None,
        ends: str | None,
        comment: str | None,
        version: int | None,
        lang: object,
    ) -> Any:
        if not ctx.triggered or not ctx.triggered[0].get("value"):
            return no_update, no_update
        trigger = ctx.triggered_id
        if trigger == ids.ROW_ACTION:
            trigger = row_trigger(asked)
            if trigger is None or trigger["type"] == ids.OPEN_INCIDENT:
                return no_update, no_update
        who = parts.caller()
        fields = {"matchers": matchers or "", "ends": ends or "", "comment": comment or ""}
        source = f"ui {flask.request.remote_addr or ''}".strip()
        outcome = act(services, who, trigger, fields, source, lang_of(lang))
        return outcome.message, (version or 0) + (1 if outcome.changed else 0)
