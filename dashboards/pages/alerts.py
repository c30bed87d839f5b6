"""The alerts page: active alerts grouped as routed with their incident (ack/unack), silences
(create with an end time, expire) and who is on call now and next."""

from __future__ import annotations

from typing import Any

import flask
from dash import ALL, Dash, Input, Output, State, ctx, dcc, html, no_update
from dash.development.base_component import Component

from dashboards import actions, ids, views
from dashboards.i18n import lang_of, paris, t
from dashboards.pages import parts
from dashboards.ports import GroupView, SilenceView, UiServices
from people.model import Principal, Role

REFRESH_MS = 15_000


def layout(lang: str, params: dict[str, str]) -> Component:
    """The skeleton; the refresh callback fills groups, silences and on-call."""

    def field(key: str, label: str, **kw: Any) -> Component:
        return html.P([html.Label(label, htmlFor=key), dcc.Input(id=key, type="text", **kw)])

    form = html.Form(
        [
            field(
                ids.SILENCE_MATCHERS,
                t("silence.matchers", lang),
                placeholder="samu=fr.health.samu075",
            ),
            field(ids.SILENCE_ENDS, t("silence.ends", lang), placeholder="2h"),
            field(ids.SILENCE_COMMENT, t("silence.comment", lang)),
            html.Button(t("silence.create", lang), id=ids.SILENCE_CREATE, type="button"),
        ],
        className="silence-form",
        **parts.aria(labelledby="h-silences"),
    )
    return html.Div(
        [
            html.H1(t("alerts.title", lang)),
            dcc.Interval(id=ids.ALERTS_TICK, interval=REFRESH_MS),
            dcc.Store(id=ids.ALERTS_VERSION, data=0),
            html.P(
                id=ids.ALERTS_MESSAGE,
                role="status",
                className="message",
                **parts.aria(live="polite"),
            ),
            html.Section(
                [html.H2(t("alerts.groups", lang), id="h-groups"), html.Div(id=ids.GROUPS)],
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


def _group(group: GroupView, incident: Any, can_act: bool, lang: str) -> Component:
    labels = ", ".join(f"{k}={v}" for k, v in sorted(group.labels.items()))
    items = [
        html.Li(
            [
                html.Strong(a.labels.get("alertname", "")),
                f" [{a.labels.get('severity', '')}] ",
                a.summary,
                f" — {paris(a.starts_at)} — ",
                html.Span(t("alerts." + a.state, lang), className=f"mute-{a.state}"),
            ]
        )
        for a in group.alerts
    ]
    body: list[Any] = [
        html.H3(f"{group.receiver} — {labels or '*'}"),
        html.Ul(items),
    ]
    if incident is not None:
        action = "ack" if incident.state == "triggered" else "unack"
        line: list[Any] = [
            f"{t('alerts.incident', lang)} {incident.id} : ",
            html.Span(
                incident.state,
                className=f"incident-{incident.state}",
                id=f"incident-state-{incident.id}",
            ),
            f" {incident.acked_by}" if incident.acked_by and incident.state != "triggered" else "",
        ]
        if can_act:
            line.append(
                html.Button(
                    t("alerts." + action, lang),
                    type="button",
                    id={"type": ids.ACK, "index": f"{incident.id}|{action}"},
                )
            )
        body.append(html.P(line))
    return html.Article(body, className="group")


def _silences(found: list[SilenceView], can_act: bool, lang: str) -> Component:
    if not found:
        return html.P(t("silence.none", lang))
    rows = [
        html.Li(
            [
                ", ".join(s.matchers),
                f" — {s.state} — {paris(s.ends_at)} — {s.created_by}: ",
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


def _urgency(group: GroupView) -> tuple[int, str]:
    """Pages first, then tickets, then the rest; stable by group key."""
    severities = {a.labels.get("severity", "") for a in group.alerts}
    rank = 0 if "page" in severities else 1 if "ticket" in severities else 2
    return rank, group.key


def render(services: UiServices, who: Principal, lang: str) -> tuple[Any, Any, Any]:
    """Groups (with their incidents), silences and on-call, as the caller may see them."""
    groups = sorted(views.visible_groups(services.alerting.groups(), who), key=_urgency)
    incidents = {(i.group_key, i.receiver): i for i in services.incidents.open_incidents()}
    can_act = who.has(Role.ONCALL)
    shown = [_group(g, incidents.get((g.key, g.receiver)), can_act, lang) for g in groups]
    shifts = [
        html.Li(
            f"{s.schedule} — {t('alerts.now', lang)} : {', '.join(s.on_call) or '—'} — "
            f"{t('alerts.next', lang)} : {', '.join(s.next_people) or '—'}"
            + (f" ({paris(s.next_start)})" if s.next_start else "")
        )
        for s in services.alerting.on_call()
    ]
    return (
        shown or html.P(t("alerts.none", lang)),
        _silences(services.alerting.silences(), can_act, lang),
        html.Ul(shifts),
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
        if isinstance(trigger, dict) and trigger.get("type") == ids.ACK:
            return actions.incident_action(services, who, str(trigger["index"]), source, lang)
        if isinstance(trigger, dict) and trigger.get("type") == ids.EXPIRE:
            return actions.expire_silence(services, who, str(trigger["index"]), source, lang)
        return actions.create_silence(services, who, fields, source, lang)
    except actions.ActionRefused as exc:
        return actions.Outcome(str(exc), False)


def register(app: Dash, services: UiServices) -> None:
    """Wire the alerts page: refresh and actions."""

    @app.callback(
        Output(ids.GROUPS, "children"),
        Output(ids.SILENCES, "children"),
        Output(ids.ONCALL, "children"),
        Input(ids.ALERTS_TICK, "n_intervals"),
        Input(ids.ALERTS_VERSION, "data"),
        State(ids.LANG, "data"),
    )
    def _refresh(_: int | None, __: int | None, lang: object) -> Any:
        return render(services, parts.caller(), lang_of(lang))

    @app.callback(
        Output(ids.ALERTS_MESSAGE, "children"),
        Output(ids.ALERTS_VERSION, "data"),
        Input({"type": ids.ACK, "index": ALL}, "n_clicks"),
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
        _a: Any,
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
        who = parts.caller()
        fields = {"matchers": matchers or "", "ends": ends or "", "comment": comment or ""}
        source = f"ui {flask.request.remote_addr or ''}".strip()
        outcome = act(services, who, ctx.triggered_id, fields, source, lang_of(lang))
        return outcome.message, (version or 0) + (1 if outcome.changed else 0)
