"""The national picture, pure: SLO statuses, alerts and maintenance in; one row per SAMU and the
headline numbers out. No I/O: `dashboards.views` gathers the inputs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from alerts.maintenance import MaintenanceWindow
from dashboards.ports import GroupView
from dashboards.theme import STATES, MapState
from slo.evaluate import NATIONAL, SloStatus
from store.registry import Registry, Samu

BURN_WINDOW = timedelta(hours=1)  # the burn shown in the risk table (the state's window)


@dataclass(frozen=True)
class SamuRow:
    """One SAMU on the national view: its shown state and its primary SLO's numbers."""

    samu: Samu
    state: MapState
    slo_state: str  # the primary SLO's state: ok, burning, exhausted, no_data
    sli: float | None
    burn: float | None  # over BURN_WINDOW
    budget_left: float | None
    exhaustion: timedelta | None
    pages: int


@dataclass(frozen=True)
class Kpis:
    """The headline numbers of the national view."""

    sli_now: float | None
    sli_window: float | None
    budget_left: float | None
    objective: float | None
    by_state: Mapping[MapState, int]
    pages: int
    calls_per_min: float | None = None
    usual_per_min: float | None = None


def page_counts(groups: Iterable[GroupView]) -> dict[str, int]:
    """Active (not suppressed) page alerts per SAMU id; the key "" counts the rest."""
    seen: dict[str, set[str]] = {}
    for group in groups:
        for alert in group.alerts:
            if alert.state == "active" and alert.labels.get("severity") == "page":
                seen.setdefault(alert.labels.get("samu", ""), set()).add(alert.fingerprint)
    return {samu: len(fps) for samu, fps in seen.items()}


def in_maintenance(samu: Samu, windows: Iterable[MaintenanceWindow], now: datetime) -> bool:
    """Whether an active, not cancelled maintenance window covers the SAMU now."""
    return any(
        not w.cancelled and w.covers(samu.id, samu.region) and w.active_at(now) for w in windows
    )


def spending(status: SloStatus) -> bool:
    """Whether an SLO is spending its budget now: burning, or exhausted and still burning (an
    exhausted budget that no longer burns is history, shown in the risk table, not on the map)."""
    if status.state == "burning":
        return True
    burn = burn_of(status, BURN_WINDOW)
    return status.state == "exhausted" and burn is not None and burn > 1


def shown_state(
    statuses: Sequence[SloStatus], pages: int, maintenance: bool, primary: str
) -> MapState:
    """The map state: a firing page first, then maintenance, burning, no data, ok.

    "No data" means the SAMU reports nothing at all: a small SAMU with no call in the window
    but fresh telemetry and passing probes is OK (a quiet night is not a blind spot)."""
    if pages:
        return "page"
    if maintenance:
        return "maintenance"
    if any(spending(s) for s in statuses):
        return "burning"
    if primary == "no_data" and all(s.state == "no_data" for s in statuses):
        return "no_data"
    return "ok"


def rows(
    registry: Registry,
    statuses: Sequence[SloStatus],
    groups: Sequence[GroupView],
    windows: Sequence[MaintenanceWindow],
    now: datetime,
    primary_slo: str,
) -> list[SamuRow]:
    """One row per SAMU of the registry, in registry order."""
    per_samu: dict[str, list[SloStatus]] = {}
    for st in statuses:
        per_samu.setdefault(st.samu, []).append(st)
    pages = page_counts(groups)
    out = []
    for samu in registry:
        mine = per_samu.get(samu.id, [])
        primary = next((s for s in mine if s.slo == primary_slo), None)
        slo_state = primary.state if primary else "no_data"
        state = shown_state(
            mine,
            pages.get(samu.id, 0),
            in_maintenance(samu, windows, now),
            slo_state,
        )
        out.append(
            SamuRow(
                samu,
                state,
                slo_state,
                primary.sli if primary else None,
                burn_of(primary, BURN_WINDOW) if primary else None,
                primary.budget.remaining if primary else None,
                primary.exhaustion if primary else None,
                pages.get(samu.id, 0),
            )
        )
    return out


def burn_of(status: SloStatus, window: timedelta) -> float | None:
    """The burn rate over `window`, or over the closest window the SLO's policy has."""
    if not status.burns:
        return None
    best = min(status.burns, key=lambda w: abs(w - window))
    return status.burns[best].burn_rate


def short_sli(status: SloStatus) -> float | None:
    """The SLI over the shortest alert window ("now"), None without events."""
    if not status.burns:
        return None
    sample = status.burns[min(status.burns)]
    if sample.valid_events <= 0:
        return None
    return 1 - sample.bad_events / sample.valid_events


def risk_order(all_rows: Iterable[SamuRow]) -> list[SamuRow]:
    """Most at risk first: state rank, then shortest time to exhaustion, highest burn."""
    rank = {s: i for i, s in enumerate(STATES)}
    far = timedelta(days=10_000)

    def key(r: SamuRow) -> tuple[int, timedelta, float, str]:
        return (
            rank[r.state],
            r.exhaustion if r.exhaustion is not None else far,
            -(r.burn or 0.0),
            r.samu.id,
        )

    return sorted(all_rows, key=key)


def national_status(
    statuses: Sequence[SloStatus], national_slo: str, primary_slo: str
) -> SloStatus | None:
    """The national status: the national SLO if loaded, else the primary SLO's composite."""
    found = {(s.slo, s.samu): s for s in statuses if s.samu == NATIONAL}
    return found.get((national_slo, NATIONAL)) or found.get((primary_slo, NATIONAL))


def kpis(
    all_rows: Sequence[SamuRow], national: SloStatus | None, groups: Sequence[GroupView]
) -> Kpis:
    """The headline numbers (calls per minute are added by the caller, from the store)."""
    by_state: dict[MapState, int] = {s: 0 for s in STATES}
    for r in all_rows:
        by_state[r.state] += 1
    return Kpis(
        sli_now=short_sli(national) if national else None,
        sli_window=national.sli if national else None,
        budget_left=national.budget.remaining if national else None,
        objective=national.objective if national else None,
        by_state=by_state,
        pages=sum(page_counts(groups).values()),
    )


@dataclass(frozen=True)
class EntraideRow:
    """A degraded SAMU and the state of the SAMU that backs it up."""

    samu: Samu
    state: MapState
    backup: Samu | None
    backup_state: MapState | None


def entraide(all_rows: Sequence[SamuRow], registry: Registry) -> list[EntraideRow]:
    """For every SAMU not ok, its backup and the backup's state (most urgent first)."""
    by_id = {r.samu.id: r for r in all_rows}
    out = []
    for r in risk_order(all_rows):
        if r.state == "ok":
            continue
        backup = registry.get(r.samu.backup_id) if r.samu.backup_id else None
        backup_row = by_id.get(backup.id) if backup else None
        out.append(EntraideRow(r.samu, r.state, backup, backup_row.state if backup_row else None))
    return out
