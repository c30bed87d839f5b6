"""The alerts page: one row per alert (its receivers inside), grouped by SAMU and severity,
filtered, sorted and paginated on the server; acknowledge, silence or open the incident from the
row (within the person's scope); silences (create, expire) and who is on call now and next."""

from __future__ import annotations

from typing import Any

import flask
from dash import ALL, Dash, Input, Output, State, ctx, dcc, html, no_update
from dash.development.base_component import Component

from dashboards import actions, alertrows, ids, views
from dashboards.alertrows import AlertRow, Filters
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
                    options=[{"label": t("filter.all", lang), "value": ""}],
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


def _actions(row: AlertRow, who: Principal, lang: str) -> list[Component]:
    """The buttons of a row the caller may use (on-call role, within their SAMU scope)."""
    if not who.has(Role.ONCALL) or (row.samu and not who.can_see(row.samu)):
        return []
    out: list[Component] = []
    incident = row.incident
    if incident is not None:
        action = "ack" if incident.state == "triggered" else "unack"
        out.append(
            html.Button(
                t("alerts." + action, lang),
                type="button",
                id={"type": ids.ACK, "index": f"{incident.id}|{action}"},
            )
        )
        out.append(
            html.Button(
                t("alerts.open_incident", lang),
                type="button",
                id={"type": ids.OPEN_INCIDENT, "index": incident.id},
            )
        )
    if not row.silenced:
        out.append(
            html.Button(
                t("alerts.silence", lang),
                type="button",
                id={"type": ids.SILENCE_ROW, "index": row.fingerprint},
            )
        )
    return out


def _row(row: AlertRow, who: Principal, lang: str) -> Component:
    incident: Any = t("none", lang)
    if row.incident is not None:
        incident = html.Span(
            f"{row.incident.id} · {t('incident.' + row.incident.state, lang)}",
            className=f"incident-{row.incident.state}",
            id=f"incident-state-{row.incident.id}",
        )
    samu: Any = row.samu_name
    if row.samu:
        samu = dcc.Link(row.samu_name, href=f"/samu/{row.samu}")
    return html.Tr(
        [
            html.Th(samu, scope="row"),
            html.Td([html.Strong(row.title), html.Br(), row.slo_text]),
            html.Td(html.Span(row.severity_text, className=f"sev sev-{row.severity}")),
            html.Td([fmt(lang).instant(row.starts_at), html.Br(), row.since_text]),
            html.Td(
                [
                    row.state_text,
                    html.Br(),
                    t("alerts.receivers", lang).format(r=", ".join(row.receivers)),
                ]
            ),
            html.Td(incident),
            html.Td(_actions(row, who, lang), className="row-actions"),
        ],
        className="alert-row" + (" silenced" if row.silenced else ""),
        id=f"alert-{row.fingerprint}",
    )


def table(page: alertrows.AlertPage, who: Principal, lang: str) -> Component:
    """The page of rows, one body per (SAMU, severity) group with its title row."""
    if page.total == 0:
        return html.P(t("alerts.none", lang))
    if page.matching == 0:
        return html.P(t("alerts.none_match", lang))
    heads = ("col.samu", "col.alert", "col.severity", "col.since", "col.state", "col.incident")
    head = html.Thead(
        html.Tr(
            [html.Th(t(k, lang), scope="col") for k in heads]
            + [html.Th(t("col.actions", lang), scope="col")]
        )
    )
    bodies = [
        html.Tbody(
            [
                html.Tr(html.Th(title, colSpan=7, scope="rowgroup"), className="group-row"),
                *(_row(r, who, lang) for r in rows),
            ]
        )
        for title, rows in page.groups
    ]
    return html.Table([head, *bodies], className="data alerts-table")


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
    if found is None or not all(who.can_see(s) for s in found.samu):
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
    count = t("alerts.count", lang).format(
        shown=shown, total=cut.total, page=cut.page + 1, pages=cut.pages
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
        _silences(services.alerting.silences(), can_act, lang),
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
        Output(ids.GROUPS, "children"),
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

    @app.callback(
        Output(ids.INCIDENT_SHOWN, "data"),
        Input({"type": ids.OPEN_INCIDENT, "index": ALL}, "n_clicks"),
        prevent_initial_call=True,
    )
    def _open(_clicks: Any) -> Any:
        if not ctx.triggered or not ctx.triggered[0].get("value"):
            return no_update
        return str(ctx.triggered_id["index"])

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
        Input({"type": ids.ACK, "index": ALL}, "n_clicks"),
        Input({"type": ids.EXPIRE, "index": ALL}, "n_clicks"),
        Input({"type": ids.SILENCE_ROW, "index": ALL}, "n_clicks"),
        Input(ids.SILENCE_CREATE, "n_clicks"),
        State(ids.SILENCE_MATCHERS, "value"),
        State(ids.SILENCE_ENDS, "value"),
        State(ids.SILENCE_COMMENT, "value"),
        State(ids.ALERTS_VERSION, "data"),
        State(ids.LANG, "data"),
        prevent_initial_call=True,
    )
    def _act(
        _a: Any,
        _e: Any,
        _s: Any,
        _c: Any,
        matchers: str | None,
        ends: str | None,
        comment: str | None,
        version: int | None,
        lang: object,
    ) -> Any:
        if not ctx.triggered or not ctx.triggered[0].get("value"):
            return no_update, no_update
        who = parts.caller()
        fields = {"matchers": matchers or "", "ends": ends or "", "comment": comment or ""}
        source = f"ui {flask.request.remote_addr or ''}".strip()
        outcome = act(services, who, ctx.triggered_id, fields, source, lang_of(lang))
        return outcome.message, (version or 0) + (1 if outcome.changed else 0)
