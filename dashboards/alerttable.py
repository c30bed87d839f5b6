"""The alerts page's table: one page of rows as Dash components, grouped by (SAMU, severity),
with the buttons the caller may use; and what a row's button asks for.

The browser draws this table from its JSON (`vigie.js`, `alertRows`), not Dash's renderer (see
`dashboards.pages.alerts`), so a button is named by its id (`{"type": …, "index": …}`), which
the browser hands back through `ids.ROW_ACTION`.
"""

from __future__ import annotations

from typing import Any

from dash import dcc, html
from dash.development.base_component import Component

from dashboards import alertrows, ids
from dashboards.alertrows import AlertRow
from dashboards.i18n import fmt, t
from people.model import Principal, Role

ROW_ACTIONS = (ids.ACK, ids.SILENCE_ROW, ids.OPEN_INCIDENT)


def row_trigger(asked: Any) -> dict[str, str] | None:
    """The button a row click named (`{"type": …, "index": …}`), from what the browser put in
    `ids.ROW_ACTION`; anything else is None."""
    if not isinstance(asked, dict):
        return None
    action, index = asked.get("action"), asked.get("index")
    if action not in ROW_ACTIONS or not isinstance(index, str) or not index:
        return None
    return {"type": str(action), "index": index}


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
