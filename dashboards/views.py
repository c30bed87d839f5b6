"""Gathering: the services' answers turned into the plain values one page shows.

Each function reads what one page needs, once, and filters it to the caller's SAMU scope.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from alerts.oncall.incidents import Incident
from dashboards import fleet, history, rights
from dashboards.figures.samu_charts import Threshold
from dashboards.figures.series import Span
from dashboards.ports import GroupView, ShiftView, UiServices
from dashboards.viewmodel import SamuFacts, SamuView, samu_view
from people.model import Principal
from slo.evaluate import SloStatus
from slo.loader import load_policy
from slo.model import CountFilter, RatioSLI
from store.registry import Samu

SLI_DAYS = 7
WINDOW_DAYS = 28
CALLS_HOURS = 6
PAIR_HOURS = 48
DEFAULT_SLI = RatioSLI(
    "samu.call.setups",
    good=CountFilter(outcomes=frozenset({"success"})),
    valid=CountFilter(not_outcomes=frozenset({"caller_cancelled"})),
)


ENTRAIDE_MINUTES = 15


@dataclass(frozen=True)
class National:
    """Everything the national view and the wall show: one view model per SAMU."""

    now: datetime
    rows: list[SamuView]
    kpis: fleet.Kpis
    entraide: list[fleet.EntraideRow]


@dataclass(frozen=True)
class SamuDetail:
    """Everything the SAMU page shows."""

    now: datetime
    samu: Samu
    row: SamuView
    statuses: list[SloStatus]
    primary: SloStatus | None
    hours: list[history.HourPoint]
    calls: dict[datetime, float]
    usual: dict[datetime, float]
    spans: list[Span]
    groups: list[GroupView]
    incidents: list[Incident]
    on_call: list[ShiftView]
    window_end: datetime
    thresholds: list[Threshold]
    bad_hours: dict[datetime, int]
    backup: Samu | None
    pair_calls: dict[datetime, float]
    backup_calls: dict[datetime, float]
    transfers: dict[datetime, float]


def visible_groups(groups: list[GroupView], who: Principal) -> list[GroupView]:
    """Groups with at least one alert the caller may see (dashboards.rights: a SAMU manager
    sees their SAMU's alerts, not the national ones)."""
    out = []
    for g in groups:
        alerts = tuple(a for a in g.alerts if rights.alert_refusal(who, a) is None)
        if alerts:
            out.append(GroupView(g.key, g.receiver, g.labels, alerts))
    return out


def _facts(
    services: UiServices, statuses: list[SloStatus], groups: list[GroupView], now: datetime
) -> list[SamuFacts]:
    end = now.replace(second=0, microsecond=0)
    out = history.entraide_out(services.store, end - timedelta(minutes=ENTRAIDE_MINUTES), end)
    return fleet.facts(services.registry, statuses, groups, services.maintenance.list(), now, out)


def national(services: UiServices, who: Principal, lang: str = "fr") -> National:
    """The national view at the clock's now, limited to the caller's SAMU."""
    now = services.clock.now()
    statuses = list(services.slo_status())
    groups = visible_groups(services.alerting.groups(), who)
    facts = [f for f in _facts(services, statuses, groups, now) if who.can_see(f.samu.id)]
    rows = fleet.views(facts, services.primary_slo, now, lang)
    nat = fleet.national_status(statuses, services.national_slo, services.primary_slo)
    kpis = fleet.kpis(rows, nat if who.samu_scope is None else None, now, lang)
    scope = "" if who.samu_scope is None or len(who.samu_scope) != 1 else next(iter(who.samu_scope))
    if who.samu_scope is None or scope:
        end = now.replace(second=0, microsecond=0)
        usual = history.usual_per_minute(services.store, end - timedelta(minutes=1), end, scope)
        kpis = replace(
            kpis,
            calls_per_min=history.calls_now(services.store, now, scope),
            usual_per_min=next(iter(usual.values()), None),
        )
    transfers = {f.samu.id: f.entraide_out for f in facts}
    return National(now, rows, kpis, fleet.entraide(rows, transfers))


def primary_sli(services: UiServices) -> RatioSLI:
    """The primary SLO's ratio SLI (the shipped S1 definition when it is not a ratio)."""
    for slo in services.slos():
        if slo.id == services.primary_slo and isinstance(slo.sli, RatioSLI):
            return slo.sli
    return DEFAULT_SLI


def samu_detail(
    services: UiServices, samu_id: str, who: Principal, lang: str = "fr"
) -> SamuDetail | None:
    """The SAMU page's values, or None for an unknown SAMU or one outside the caller's scope."""
    samu = services.registry.get(samu_id)
    if samu is None or not who.can_see(samu_id):
        return None
    now = services.clock.now()
    statuses = [s for s in services.slo_status() if s.samu == samu_id]
    groups = visible_groups(services.alerting.groups(), who)
    windows = services.maintenance.list()
    facts = next(f for f in _facts(services, statuses, groups, now) if f.samu.id == samu_id)
    row = samu_view(facts, services.primary_slo, now, lang)
    primary = next((s for s in statuses if s.slo == services.primary_slo), None)
    start = history_start(now, primary)
    hours = history.hourly_ratio(services.store, primary_sli(services), start, now, samu_id)
    calls_from = now.replace(second=0, microsecond=0) - timedelta(hours=CALLS_HOURS)
    calls = history.calls_per_minute(services.store, calls_from, now, samu_id)
    usual = history.usual_per_minute(services.store, calls_from, now, samu_id)
    incidents = [
        i
        for i in services.incidents.between(start, now + timedelta(seconds=1))
        if samu_id in i.samu
    ]
    spans = [Span(i.opened_at, i.resolved_at or now, "incident", i.title[:40]) for i in incidents]
    for w in windows:
        if w.covers(samu.id, samu.region):
            spans += [Span(a, b, "maintenance", w.title[:40]) for a, b in w.occurrences(start, now)]
    mine = [g for g in groups if any(a.labels.get("samu") == samu_id for a in g.alerts)]
    sli = primary_sli(services)
    backup = services.registry.get(samu.backup_id) if samu.backup_id else None
    pair_from = now.replace(minute=0, second=0, microsecond=0) - timedelta(hours=PAIR_HOURS)
    hour_end = now + timedelta(hours=1)
    return SamuDetail(
        now,
        samu,
        row,
        statuses,
        primary,
        hours,
        calls,
        usual,
        spans,
        mine,
        [i for i in incidents if i.open],
        services.alerting.on_call(),
        window_end(start, primary),
        thresholds(),
        history.bad_minutes_per_hour(services.store, sli, start, now, samu_id),
        backup,
        history.calls_per_hour(services.store, pair_from, hour_end, samu_id),
        history.calls_per_hour(services.store, pair_from, hour_end, backup.id) if backup else {},
        history.calls_per_hour(
            services.store, pair_from, hour_end, samu_id, history.ENTRAIDE_METRIC, "out"
        ),
    )


def window_end(start: datetime, primary: SloStatus | None) -> datetime:
    """Where the primary SLO's window ends, for the steady-consumption line (28 days on)."""
    if primary is not None and primary.budget.window_minutes > 0:
        return start + timedelta(minutes=primary.budget.window_minutes)
    return start + timedelta(days=WINDOW_DAYS)


@functools.cache
def _policy_thresholds() -> tuple[Threshold, ...]:
    found = load_policy()
    policy = found.policies[found.classes["critical"].policy]
    return tuple(Threshold(p.severity, p.long, p.factor(policy.period)) for p in policy.pairs)


def thresholds() -> list[Threshold]:
    """The burn-rate thresholds of the critical class's policy (S1's), from slo/policy.yaml."""
    return list(_policy_thresholds())


def history_start(now: datetime, primary: SloStatus | None) -> datetime:
    """Where the SAMU page's history starts: the primary SLO's window start (else 28 days)."""
    if primary is not None:
        return primary.window_start.replace(minute=0, second=0, microsecond=0)
    return now.replace(minute=0, second=0, microsecond=0) - timedelta(days=WINDOW_DAYS)
