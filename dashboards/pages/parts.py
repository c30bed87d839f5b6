"""Widgets several pages share: state badges, KPI cells, the risk rows and the entraide table."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import flask
from dash import dcc, html
from dash.development.base_component import Component

from dashboards import fleet
from dashboards.i18n import fmt, t
from dashboards.theme import ICONS, STATES, MapState
from dashboards.viewmodel import SamuView
from people.model import Principal
from store.registry import Samu

RISK_COLUMNS = ("samu", "region", "state", "why", "burn", "budget", "exhaustion", "sli")
_FAR = timedelta(days=10_000)


def aria(**values: str) -> dict[str, Any]:
    """ARIA attributes as keyword arguments: `**aria(labelledby="h-map")`."""
    return {f"aria-{k}": v for k, v in values.items()}


def caller() -> Principal:
    """The person behind the current callback (trusted headers set by the access gate)."""
    return Principal.from_headers(dict(flask.request.headers))


def badge(state: MapState, lang: str) -> Component:
    """A state as icon + label on its colour (never colour alone)."""
    return html.Span(
        f"{ICONS[state]} {t('state.' + state, lang)}", className=f"badge state-{state}"
    )


def view_badge(view: SamuView) -> Component:
    """A SAMU's state badge from its view model, with the reason as its tooltip."""
    return html.Span(
        f"{view.icon} {view.label}", className=f"badge state-{view.state}", title=view.why
    )


def kpi(label: str, value: str, sub: str = "", key: str = "") -> Component:
    """One headline number with its label (a definition-list pair)."""
    return html.Div(
        [
            html.Dt(label),
            html.Dd([html.Span(value, className="kpi-value"), html.Span(sub, className="kpi-sub")]),
        ],
        className="kpi",
        id=f"kpi-{key}" if key else None,
    )


def kpi_cells(k: fleet.Kpis, lang: str) -> list[Component]:
    """The national KPIs in a fixed order (the wall relies on a fixed structure)."""
    f = fmt(lang)
    target = t("kpi.objective", lang).format(v=f.percent(k.objective, 2)) if k.objective else ""
    usual = t("kpi.usual", lang).format(n=f.number(k.usual_per_min)) if k.usual_per_min else ""
    tickets = t("kpi.tickets", lang).format(n=k.tickets)
    states = "  ".join(f"{ICONS[s]}\u00a0{k.by_state[s]}" for s in STATES)
    return [
        kpi(t("kpi.now", lang), f.percent(k.sli_now, 3), "", "now"),
        kpi(t("kpi.window", lang), f.percent(k.sli_window, 3), target, "window"),
        kpi(t("kpi.budget", lang), k.budget_text, "", "budget"),
        kpi(t("kpi.pages", lang), str(k.pages), tickets, "pages"),
        kpi(t("kpi.calls", lang), f.number(k.calls_per_min), usual, "calls"),
        kpi(t("kpi.states", lang), states, "", "states"),
    ]


def legend(lang: str) -> Component:
    """Every state with its icon, colour and words (shapes besides colour)."""
    return html.Ul(
        [html.Li(badge(s, lang)) for s in STATES], className="legend", title=t("map.legend", lang)
    )


def samu_link(samu: Samu) -> Component:
    """A link to the SAMU page (the second click from home)."""
    return dcc.Link(samu.name, href=f"/samu/{samu.id}")


def sort_rows(rows: Sequence[SamuView], column: str, desc: bool) -> list[SamuView]:
    """Rows sorted by a risk-table column; the default `risk` is the national risk order."""
    if column not in RISK_COLUMNS:
        return fleet.risk_order(rows)
    rank = {s: i for i, s in enumerate(STATES)}

    def key(r: SamuView) -> tuple[object, str]:
        value: object = {
            "samu": r.samu.name,
            "region": r.samu.region,
            "state": rank[r.state],
            "why": r.why,
            "burn": r.burn if r.burn is not None else -1.0,
            "budget": r.budget_left if r.budget_left is not None else 9.0,
            "exhaustion": r.exhaustion if r.exhaustion is not None else _FAR,
            "sli": r.sli if r.sli is not None else 9.0,
        }[column]
        return value, r.samu.id

    return sorted(rows, key=key, reverse=desc)


def risk_rows(rows: Sequence[SamuView], lang: str) -> list[Component]:
    """Table rows of the risk table: every cell from the SAMU's one view model."""
    return [
        html.Tr(
            [
                html.Th(samu_link(r.samu), scope="row"),
                html.Td(r.samu.region),
                html.Td(view_badge(r)),
                html.Td(
                    [r.why, html.Br(), html.Small(r.minutes, className="minutes")]
                    if r.minutes
                    else r.why,
                    className="why",
                ),
                html.Td(r.burn_text, className="num"),
                html.Td(r.budget_text, className="num"),
                html.Td(r.exhaustion_text, className="num"),
                html.Td(r.sli_text, className="num"),
            ],
            className=f"row-{r.state}",
        )
        for r in rows
    ]


def entraide_table(
    found: Sequence[fleet.EntraideRow], minutes: int, lang: str, limit: int = 12
) -> Component:
    """SAMU in entraide (calls sent to their backup) and degraded SAMU, with the backup's state."""
    if not found:
        return html.P(t("entraide.none", lang))
    head = html.Thead(
        html.Tr(
            [
                html.Th(t(k, lang), scope="col")
                for k in ("col.samu", "col.state", "col.transfers", "col.backup_state")
            ]
        )
    )
    body = html.Tbody(
        [
            html.Tr(
                [
                    html.Th(samu_link(e.samu.samu), scope="row"),
                    html.Td(view_badge(e.samu)),
                    html.Td(fleet.transfers_text(e, minutes, lang)),
                    html.Td(
                        [samu_link(e.backup.samu), " ", view_badge(e.backup)]
                        if e.backup
                        else t("none", lang)
                    ),
                ]
            )
            for e in found[:limit]
        ]
    )
    return html.Table([head, body], className="data")


def when(at: datetime, lang: str, samu: Samu | None = None) -> str:
    """An instant in Paris time, with the SAMU's local time when it is overseas."""
    f = fmt(lang)
    text = f.instant(at)
    if samu is not None and samu.overseas:
        text += f" — {f.local(at, samu.timezone)}"
    return text
