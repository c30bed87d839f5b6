"""The collector page: what each agent sent per SAMU in the last hour — points accepted,
refused by reason, and the latest refusal — so an operator sees *which agent* sends what.

The figures come from `store.intake.agents` (the table the collector writes with every batch),
the same reading as `vigie ingest status` and `/api/v1/ingest/status`; a SAMU-scoped person sees
only the rows of their SAMU.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from dash import Dash, Input, Output, State, dcc, html
from dash.development.base_component import Component

from dashboards import ids
from dashboards.i18n import fmt, lang_of, t
from dashboards.pages import parts
from dashboards.ports import UiServices
from people.model import Principal
from store.intake import AgentIntake, agents

REFRESH_MS = 30_000
PERIOD = timedelta(hours=1)
COLUMNS = ("agent", "samu", "accepted", "rejected", "reasons", "last")


def layout(lang: str, params: dict[str, str]) -> Component:
    """The skeleton; the refresh callback fills the table."""
    return html.Div(
        [
            html.H1(t("collector.title", lang)),
            dcc.Interval(id=ids.COLLECTOR_TICK, interval=REFRESH_MS),
            html.P(t("collector.period", lang)),
            html.Section(
                [
                    html.H2(t("collector.agents", lang), id="h-collector-agents"),
                    html.Div(id=ids.COLLECTOR_AGENTS),
                ],
                **parts.aria(labelledby="h-collector-agents"),
            ),
        ],
        className="page collector",
    )


def agents_table(rows: Sequence[AgentIntake], lang: str) -> Component:
    """One row per agent and SAMU; refused points first, so a misbehaving agent is on top."""
    if not rows:
        return html.P(t("collector.none", lang), className="no-data")
    ordered = sorted(rows, key=lambda r: (-r.rejected_total, r.agent, r.samu_id))
    f = fmt(lang)
    head = html.Tr([html.Th(t(f"collector.col.{c}", lang), scope="col") for c in COLUMNS])
    body = [
        html.Tr(
            [
                html.Td(r.agent),
                html.Td(r.samu_id),
                html.Td(f.integer(r.accepted)),
                html.Td(f.integer(r.rejected_total)),
                html.Td(", ".join(f"{k}={f.integer(v)}" for k, v in sorted(r.rejected.items()))),
                html.Td(_last(r, lang)),
            ],
            className="rejecting" if r.rejected else None,
        )
        for r in ordered
    ]
    return html.Table([html.Thead(head), html.Tbody(body)], className="collector-agents")


def _last(row: AgentIntake, lang: str) -> str:
    if row.last_rejection_at is None:
        return ""
    return f"{fmt(lang).instant(row.last_rejection_at)} — {row.last_rejection}"


def render(services: UiServices, who: Principal, now: datetime, lang: str) -> Component:
    """The table of the last hour, limited to the caller's SAMU scope."""
    rows = [r for r in agents(services.store, now - PERIOD) if who.can_see(r.samu_id)]
    return agents_table(rows, lang)


def register(app: Dash, services: UiServices) -> None:
    """Wire the collector page's refresh."""

    @app.callback(
        Output(ids.COLLECTOR_AGENTS, "children"),
        Input(ids.COLLECTOR_TICK, "n_intervals"),
        State(ids.LANG, "data"),
    )
    def _refresh(_: int | None, lang: object) -> Any:
        return render(services, parts.caller(), services.clock.now(), lang_of(lang))
