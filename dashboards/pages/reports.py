"""The reports page: pick a month, read its national summary, download the signed PDF, CSV and
JSON through the reports API, issue the month and verify its archived files."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import quote

from dash import Dash, Input, Output, State, ctx, dcc, html, no_update
from dash.development.base_component import Component

from dashboards import ids, rights
from dashboards.actions import Outcome
from dashboards.i18n import PARIS, fmt, lang_of, t
from dashboards.pages import parts
from dashboards.ports import ReportSummary, UiServices
from people.authz import Action
from people.model import Principal

API = "/api/v1/reports"
RECENT_MONTHS = 12


def recent_months(now: datetime, count: int = RECENT_MONTHS) -> list[str]:
    """The `count` calendar months (Europe/Paris) that are over at `now`, newest first."""
    here = now.astimezone(PARIS)
    index = here.year * 12 + here.month - 1  # the current month, not over yet
    return [f"{(i - 1) // 12:04d}-{(i - 1) % 12 + 1:02d}" for i in range(index, index - count, -1)]


def month_choices(archived: list[str], now: datetime) -> list[str]:
    """Archived months and the recent ones, newest first, each once."""
    return sorted(set(archived) | set(recent_months(now)), reverse=True)


def month_label(month: str, lang: str) -> str:
    """`2026-10` → "octobre 2026" (the calendar month in Europe/Paris)."""
    year, number = (int(p) for p in month.split("-"))
    return fmt(lang).instant(datetime(year, number, 15, 12, tzinfo=PARIS), "MMMM y")


def layout_for(services: UiServices) -> Callable[[str, dict[str, str]], Component]:
    """The page builder: its month list comes from the archive and the clock."""

    def layout(lang: str, params: dict[str, str]) -> Component:
        if not rights.may(parts.caller(), "report"):  # the monthly report covers every SAMU
            return html.Div([html.H1(t("reports.title", lang)), html.P(t("reports.denied", lang))])
        months = month_choices(services.reports.months(), services.clock.now())
        chosen = params.get("month", "")
        value = chosen if chosen in months else (months[0] if months else None)
        can_act = rights.may(parts.caller(), "report")  # verify: the report's read rule
        can_issue = rights.may(parts.caller(), "report", Action.CHANGE)  # its change rule
        buttons = [
            html.Button(
                t("reports.issue", lang), id=ids.REPORTS_ISSUE, type="button", hidden=not can_issue
            ),
            html.Button(t("reports.verify", lang), id=ids.REPORTS_VERIFY, type="button"),
        ]
        return html.Div(
            [
                html.H1(t("reports.title", lang)),
                dcc.Store(id=ids.REPORTS_VERSION, data=0),
                html.P(
                    [
                        html.Label(t("reports.month", lang), htmlFor=ids.REPORTS_MONTH),
                        dcc.Dropdown(
                            id=ids.REPORTS_MONTH,
                            options=[{"label": month_label(m, lang), "value": m} for m in months],
                            value=value,
                            clearable=False,
                        ),
                    ]
                ),
                html.Section(
                    [
                        html.H2(t("reports.summary", lang), id="h-report-summary"),
                        html.Div(id=ids.REPORTS_SUMMARY),
                    ],
                    **parts.aria(labelledby="h-report-summary"),
                ),
                html.Section(
                    [
                        html.H2(t("reports.downloads", lang), id="h-report-files"),
                        html.Div(id=ids.REPORTS_LINKS),
                        html.P(buttons, hidden=not can_act),
                        html.P(
                            id=ids.REPORTS_MESSAGE,
                            role="status",
                            className="message",
                            **parts.aria(live="polite"),
                        ),
                    ],
                    **parts.aria(labelledby="h-report-files"),
                ),
            ],
            className="page reports",
        )

    return layout


def summary_view(found: ReportSummary, lang: str) -> Component:
    """The national figures of a month; missing data is said, never shown as 100 %."""
    if found.status == "error":
        return html.P(t("reports.unavailable", lang), className="message", title=found.message)
    issued = (
        t("reports.issued_version", lang).format(v=found.version)
        if found.version is not None
        else t("reports.not_issued", lang)
    )
    if found.status == "no_data":
        return html.Div([html.P(t("reports.no_data", lang), className="no-data"), html.P(issued)])
    f = fmt(lang)
    verdict = {True: "reports.met", False: "reports.missed", None: "none"}[found.met]
    target = t("reports.target", lang).format(
        v=f.percent(found.objective, 3), verdict=t(verdict, lang)
    )
    samu = t("reports.samu_split", lang).format(
        met=found.samu_met, missed=found.samu_missed, none=found.samu_no_data
    )
    cells = [
        parts.kpi(
            t("reports.availability", lang), f.percent(found.availability, 3), target, "r-s1"
        ),
        parts.kpi(t("reports.budget", lang), f.percent(found.budget_consumed, 1), "", "r-budget"),
        parts.kpi(t("reports.incidents", lang), f.integer(found.incidents), "", "r-incidents"),
        parts.kpi(t("reports.minutes_down", lang), f.integer(found.minutes_down), "", "r-down"),
        parts.kpi(t("reports.samu_met", lang), samu, "", "r-samu"),
        parts.kpi(t("reports.completeness", lang), f.percent(found.completeness, 1), "", "r-data"),
    ]
    return html.Div([html.Dl(cells, className="kpis"), html.P(issued)])


def links(month: str, lang: str) -> Component:
    """Download links to the reports API (the browser's session carries the reporter role)."""
    m, q = quote(month), f"?lang={'en' if lang == 'en' else 'fr'}"
    items = [
        (t("reports.pdf", lang), f"{API}/{m}.pdf{q}"),
        (t("reports.csv", lang), f"{API}/{m}.csv{q}"),
        (t("reports.daily", lang), f"{API}/{m}-daily.csv{q}"),
        (t("reports.json", lang), f"{API}/{m}.json{q}"),
        (t("reports.manifest", lang), f"{API}/{m}/manifest{q}"),
        (t("reports.public_key", lang), f"{API}/public-key"),
    ]
    return html.Ul([html.Li(html.A(label, href=href, download="")) for label, href in items])


def render(services: UiServices, who: Principal, month: str | None, lang: str) -> tuple[Any, Any]:
    """The summary and the download links of a month (links for reporters only)."""
    if not month:
        return html.P(t("none", lang)), ""
    if not rights.may(who, "report"):  # a national report: a national reporter's
        denied = html.P(t("reports.denied", lang))
        return denied, denied
    return summary_view(services.reports.summary(month), lang), links(month, lang)


def act(services: UiServices, who: Principal, trigger: Any, month: str, lang: str) -> Outcome:
    """Issue (the report's change rule: admins) or verify (its read rule: reporters)."""
    if not rights.may(who, "report"):
        return Outcome(t("reports.denied", lang), False)
    if trigger == ids.REPORTS_ISSUE:
        if not rights.may(who, "report", Action.CHANGE):
            return Outcome(t("reports.denied", lang), False)
        try:
            version = services.reports.issue(month, lang, who.name)
        except LookupError as exc:
            return Outcome(t("reports.refused", lang).format(detail=exc), False)
        return Outcome(t("reports.issued", lang).format(v=version), True)
    check = services.reports.verify(month, lang)
    if not check.ok:
        return Outcome(t("reports.failed", lang).format(detail=check.detail), False)
    text = t("reports.verified", lang).format(
        n=len(check.files), v=check.version, fp=check.fingerprint
    )
    return Outcome(text, False)


def register(app: Dash, services: UiServices) -> None:
    """Wire the reports page: the month's summary and the issue/verify actions."""

    @app.callback(
        Output(ids.REPORTS_SUMMARY, "children"),
        Output(ids.REPORTS_LINKS, "children"),
        Input(ids.REPORTS_MONTH, "value"),
        Input(ids.REPORTS_VERSION, "data"),
        State(ids.LANG, "data"),
    )
    def _refresh(month: str | None, _: int | None, lang: object) -> Any:
        return render(services, parts.caller(), month, lang_of(lang))

    @app.callback(
        Output(ids.REPORTS_MESSAGE, "children"),
        Output(ids.REPORTS_VERSION, "data"),
        Input(ids.REPORTS_ISSUE, "n_clicks"),
        Input(ids.REPORTS_VERIFY, "n_clicks"),
        State(ids.REPORTS_MONTH, "value"),
        State(ids.REPORTS_VERSION, "data"),
        State(ids.LANG, "data"),
        prevent_initial_call=True,
    )
    def _act(_i: Any, _v: Any, month: str | None, version: int | None, lang: object) -> Any:
        if not ctx.triggered or not ctx.triggered[0].get("value") or not month:
            return no_update, no_update
        outcome = act(services, parts.caller(), ctx.triggered_id, month, lang_of(lang))
        return outcome.message, (version or 0) + (1 if outcome.changed else 0)
