"""The national picture, pure: SLO statuses, alerts, maintenance and entraide in; one view model
per SAMU (`dashboards.viewmodel`), the headline numbers and the entraide pairs out. No I/O:
`dashboards.views` gathers the inputs. Counts by state are counted from the same view models
the tiles show, so a KPI never disagrees with the map.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from alerts.maintenance import MaintenanceWindow
from dashboards.i18n import fmt, t
from dashboards.ports import AlertView, GroupView
from dashboards.theme import STATES, MapState
from dashboards.viewmodel import GAP_ALERTS, SamuFacts, SamuView, budget_words, samu_view
from slo.evaluate import NATIONAL, SloStatus
from store.registry import Registry, Samu


@dataclass(frozen=True)
class Kpis:
    """The headline numbers of the national view, as values and as the words shown."""

    sli_now: float | None
    sli_window: float | None
    budget_left: float | None
    objective: float | None
    by_state: Mapping[MapState, int]
    pages: int
    tickets: int
    calls_per_min: float | None = None
    usual_per_min: float | None = None
    budget_text: str = "—"


@dataclass(frozen=True)
class EntraideRow:
    """A SAMU in entraide or degraded, and the SAMU that backs it up."""

    samu: SamuView
    backup: SamuView | None
    transfers: float


def alerts_by_samu(groups: Iterable[GroupView]) -> dict[str, tuple[AlertView, ...]]:
    """Every firing alert once (an alert routed to several receivers is one alert), by SAMU."""
    seen: dict[str, AlertView] = {}
    for group in groups:
        for alert in group.alerts:
            seen.setdefault(alert.fingerprint, alert)
    out: dict[str, list[AlertView]] = {}
    for alert in seen.values():
        out.setdefault(alert.labels.get("samu", ""), []).append(alert)
    return {k: tuple(v) for k, v in out.items()}


def maintenance_title(
    samu: Samu, windows: Iterable[MaintenanceWindow], now: datetime
) -> str | None:
    """The title of an active, not cancelled maintenance window covering the SAMU now."""
    for w in windows:
        if not w.cancelled and w.covers(samu.id, samu.region) and w.active_at(now):
            return w.title
    return None


def in_gap(platform: Sequence[AlertView]) -> bool:
    """Vigie's ingest gap covers a SAMU: the platform's gap alert is active, for this SAMU or
    for the whole fleet (the engine raises one alert, not one per SAMU)."""
    return any(a.labels.get("alertname") in GAP_ALERTS and a.state == "active" for a in platform)


def facts(
    registry: Registry,
    statuses: Sequence[SloStatus],
    groups: Sequence[GroupView],
    windows: Sequence[MaintenanceWindow],
    now: datetime,
    entraide_out: Mapping[str, float] | None = None,
    exhausted_since: Mapping[str, Mapping[str, datetime]] | None = None,
) -> list[SamuFacts]:
    """The facts of every SAMU of the registry, in registry order."""
    per_samu: dict[str, list[SloStatus]] = {}
    for st in statuses:
        per_samu.setdefault(st.samu, []).append(st)
    alerts = alerts_by_samu(groups)
    platform = [a for a in alerts.get("", ()) if a.labels.get("alertname") in GAP_ALERTS]
    out = []
    for samu in registry:
        mine = tuple(per_samu.get(samu.id, ()))
        own = alerts.get(samu.id, ())
        gap_alerts = [*platform, *(a for a in own if a.labels.get("alertname") in GAP_ALERTS)]
        out.append(
            SamuFacts(
                samu=samu,
                statuses=mine,
                alerts=tuple(a for a in own if a.labels.get("alertname") not in GAP_ALERTS),
                maintenance=maintenance_title(samu, windows, now),
                gap=in_gap(gap_alerts),
                entraide_out=(entraide_out or {}).get(samu.id, 0.0),
                backup=registry.get(samu.backup_id) if samu.backup_id else None,
                exhausted_since=(exhausted_since or {}).get(samu.id, {}),
            )
        )
    return out


def views(
    all_facts: Sequence[SamuFacts], primary_slo: str, now: datetime, lang: str
) -> list[SamuView]:
    """One view model per SAMU."""
    return [samu_view(f, primary_slo, now, lang) for f in all_facts]


def risk_order(rows: Iterable[SamuView]) -> list[SamuView]:
    """Most urgent first: state rank, then shortest time to exhaustion, highest burn."""
    rank = {s: i for i, s in enumerate(STATES)}
    far = timedelta(days=10_000)

    def key(r: SamuView) -> tuple[int, timedelta, float, str]:
        return (
            rank[r.state],
            r.exhaustion if r.exhaustion is not None else far,
            -(r.burn or 0.0),
            r.samu.id,
        )

    return sorted(rows, key=key)


def national_status(
    statuses: Sequence[SloStatus], national_slo: str, primary_slo: str
) -> SloStatus | None:
    """The national status: the national SLO if loaded, else the primary SLO's composite."""
    found = {(s.slo, s.samu): s for s in statuses if s.samu == NATIONAL}
    return found.get((national_slo, NATIONAL)) or found.get((primary_slo, NATIONAL))


def short_sli(status: SloStatus) -> float | None:
    """The SLI over the shortest alert window ("now"), None without events."""
    if not status.burns:
        return None
    sample = status.burns[min(status.burns)]
    if sample.valid_events <= 0:
        return None
    return 1 - sample.bad_events / sample.valid_events


def kpis(rows: Sequence[SamuView], national: SloStatus | None, now: datetime, lang: str) -> Kpis:
    """The headline numbers, counted from the view models the map shows."""
    by_state: dict[MapState, int] = {s: 0 for s in STATES}
    for r in rows:
        by_state[r.state] += 1
    remaining = national.budget.remaining if national else None
    return Kpis(
        sli_now=short_sli(national) if national else None,
        sli_window=national.sli if national else None,
        budget_left=remaining,
        objective=national.objective if national else None,
        by_state=by_state,
        pages=sum(r.pages for r in rows),
        tickets=sum(r.tickets for r in rows),
        budget_text=budget_words(remaining, None, now, lang),
    )


def entraide(rows: Sequence[SamuView], out: Mapping[str, float]) -> list[EntraideRow]:
    """SAMU overflowing calls to their backup, then the other degraded SAMU, most urgent first,
    each with its backup's view."""
    by_id = {r.samu.id: r for r in rows}
    found = []
    for r in risk_order(rows):
        transfers = out.get(r.samu.id, 0.0)
        if r.state in ("ok", "maintenance", "no_data") and transfers <= 0:
            continue
        backup = by_id.get(r.backup.id) if r.backup else None
        found.append(EntraideRow(r, backup, transfers))
    return sorted(found, key=lambda e: e.transfers <= 0)  # stable: in entraide first


def transfers_text(row: EntraideRow, minutes: int, lang: str) -> str:
    """`→ Lyon : 12 appels en 15 min`, or a dash when no call is transferred."""
    if row.transfers <= 0 or row.backup is None:
        return t("none", lang)
    key = "entraide.to_1" if round(row.transfers) == 1 else "entraide.to"
    return t(key, lang).format(
        backup=row.backup.samu.name, n=fmt(lang).integer(row.transfers), m=minutes
    )
