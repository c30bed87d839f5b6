"""One view model per SAMU: its state, the figures shown beside it and the words, from one
computation over the SLO package's statuses (the UI never recomputes an SLI, a budget or a burn).

The rule (docs/ui.md): the state is the first of these that holds —

1. **page**: an active (not silenced, not inhibited) alert of severity `page` names the SAMU, or
   one of its SLO statuses holds a `page` burn-rate condition that no silenced alert covers;
2. **gap**: Vigie's own ingest gap covers the SAMU (its minutes are excluded from its budgets);
3. **maintenance**: a planned maintenance window covers the SAMU now;
4. **ticket**: the same with severity `ticket`;
5. **no_data**: no SLO of the SAMU has any event over its window;
6. **ok**.

Minutes a slice SLO (S3 reachability, O1 freshness) did not judge are said, never hidden: "12 min
sans données", "5 min de trou Vigie" (the SLO package's `MinuteTally` over the window; those
minutes are outside the SAMU's budget, so the SLI alone would not show them).

The figures shown (SLI, burn, budget, time to exhaustion) are those of the SLO that decides the
state: the SLO named by the most urgent active alert, else the primary SLO. An alert with no
SLO (a guard, e.g. traffic collapse) shows its own name and no unrelated figures. The reason
line says which SLO and which numbers made the colour. Pure: values in, values out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from dashboards.i18n import alert_name, fmt, slo_name, t
from dashboards.ports import AlertView
from dashboards.theme import ICONS, MapState
from slo.evaluate import SloStatus
from store.registry import Samu

BURN_WINDOW = timedelta(hours=1)  # the burn shown beside the state (the policy's state window)
GAP_ALERTS = frozenset({"VigieIngestGap"})  # the platform's own ingest-gap alert


@dataclass(frozen=True)
class SamuFacts:
    """What the platform says about one SAMU now: plain values gathered by `dashboards.views`."""

    samu: Samu
    statuses: tuple[SloStatus, ...] = ()
    alerts: tuple[AlertView, ...] = ()  # firing alerts labelled with this SAMU, muted or not
    maintenance: str | None = None  # the title of the window covering the SAMU now
    gap: bool = False  # Vigie ingest gap: the missing minutes are ours, not the SAMU's
    entraide_out: float = 0.0  # calls overflowed to the backup over `entraide_minutes`
    entraide_minutes: int = 15
    backup: Samu | None = None
    exhausted_since: Mapping[str, datetime] = field(default_factory=dict)  # per SLO id


@dataclass(frozen=True)
class SamuView:
    """One SAMU as every screen shows it: state, words and the figures that explain them."""

    samu: Samu
    state: MapState
    icon: str
    label: str
    why: str
    slo: str  # the SLO whose figures are shown ('' when none applies)
    sli: float | None
    burn: float | None
    budget_left: float | None
    exhaustion: timedelta | None
    sli_text: str
    burn_text: str
    budget_text: str
    exhaustion_text: str
    pages: int
    tickets: int
    muted: int
    entraide: str  # "" unless the SAMU overflows calls to its backup now
    backup: Samu | None
    minutes: str = ""  # slice SLOs' minutes not judged (no data, Vigie gap); "" when none

    @property
    def hover(self) -> str:
        """The reason line, and the minutes not judged when there are some (a tile's title)."""
        return f"{self.why} — {self.minutes}" if self.minutes else self.why


def active(alerts: Sequence[AlertView], severity: str) -> list[AlertView]:
    """Active (not muted) alerts of a severity, oldest first."""
    return sorted(
        (a for a in alerts if a.state == "active" and a.labels.get("severity") == severity),
        key=lambda a: (a.starts_at, a.fingerprint),
    )


@dataclass(frozen=True)
class Cause:
    """Why a SAMU is at a severity: an SLO whose burn condition holds, or an alert (a guard)."""

    slo: str
    alert: AlertView | None
    status: SloStatus | None


def causes(facts: SamuFacts, severity: str) -> list[Cause]:
    """Active alerts of `severity`, then SLO conditions of `severity` no alert accounts for
    (neither active nor muted: a silenced SLO stays silenced on the screen too)."""
    by_slo = {s.slo: s for s in facts.statuses}
    found = [
        Cause(a.labels.get("slo", ""), a, by_slo.get(a.labels.get("slo", "")))
        for a in active(facts.alerts, severity)
    ]
    covered = {
        a.labels.get("slo", "")
        for a in facts.alerts
        if a.labels.get("severity") == severity and a.labels.get("slo")
    }
    for st in sorted(facts.statuses, key=lambda s: s.slo):
        if st.slo not in covered and any(c.severity == severity for c in st.conditions):
            found.append(Cause(st.slo, None, st))
    return found


def burn_of(status: SloStatus, window: timedelta = BURN_WINDOW) -> float | None:
    """The burn rate over `window`, or over the closest window the SLO's policy has."""
    if not status.burns:
        return None
    best = min(status.burns, key=lambda w: abs(w - window))
    return status.burns[best].burn_rate


def budget_words(remaining: float | None, since: datetime | None, now: datetime, lang: str) -> str:
    """`41,2 %`; an overspent budget is "épuisé" (since when, if known), never negative."""
    if remaining is None:
        return t("none", lang)
    if remaining > 0:
        return fmt(lang).percent(remaining, 1)
    if since is None:
        return t("budget.exhausted", lang)
    return t("budget.exhausted_since", lang).format(d=fmt(lang).duration(now - since))


def minutes_words(status: SloStatus, lang: str) -> str:
    """`12 min sans données, 5 min de trou Vigie` for a slice SLO's window; "" when it judged
    every minute (or is not a slice SLO)."""
    tally = status.minutes
    if tally is None:
        return ""
    f = fmt(lang)
    found = [
        t(key, lang).format(n=f.integer(n))
        for key, n in (("minutes.no_data", tally.no_data), ("minutes.gap", tally.gap))
        if n > 0
    ]
    return ", ".join(found)


def minutes_line(statuses: Sequence[SloStatus], lang: str) -> str:
    """Each slice SLO's minutes not judged, named: `S3 · joignabilité : 12 min sans données`."""
    lines = [
        t("minutes.line", lang).format(slo=slo_name(s.slo, lang), parts=words)
        for s in sorted(statuses, key=lambda s: s.slo)
        if (words := minutes_words(s, lang))
    ]
    return " ; ".join(lines)


def state_of(facts: SamuFacts) -> MapState:
    """The rule of the module docstring."""
    if causes(facts, "page"):
        return "page"
    if facts.gap:
        return "gap"
    if facts.maintenance is not None:
        return "maintenance"
    if causes(facts, "ticket"):
        return "ticket"
    if all(s.state == "no_data" for s in facts.statuses):
        return "no_data"
    return "ok"


def driver(facts: SamuFacts, state: MapState, primary_slo: str) -> tuple[SloStatus | None, str]:
    """The status whose figures explain the state, and the SLO id shown ('' for a guard)."""
    if state in ("page", "ticket"):
        first = causes(facts, state)[0]
        return first.status, first.slo
    found = next((s for s in facts.statuses if s.slo == primary_slo), None)
    return found, primary_slo if found else ""


def _why(facts: SamuFacts, state: MapState, status: SloStatus | None, slo: str, lang: str) -> str:
    f = fmt(lang)
    if state in ("page", "ticket"):
        held = [c for c in (status.conditions if status else ()) if c.severity == state]
        if held:
            c = max(held, key=lambda c: c.long_burn / c.factor)
            return t("why.burn", lang).format(
                slo=slo_name(slo, lang),
                burn=f.number(c.long_burn, 1),
                window=f.duration(c.long_window),
                factor=f.number(c.factor, 1),
            )
        alert = causes(facts, state)[0].alert
        name = alert_name(alert.labels.get("alertname", ""), lang) if alert else ""
        return t("why.alert", lang).format(alert=name, slo=slo_name(slo, lang)) if slo else name
    if state == "gap":
        return t("why.gap", lang)
    if state == "maintenance":
        return t("why.maintenance", lang).format(title=facts.maintenance)
    if state == "no_data":
        return t("why.no_data", lang)
    return t("why.ok", lang)


def samu_view(facts: SamuFacts, primary_slo: str, now: datetime, lang: str) -> SamuView:
    """The view model of one SAMU (pure)."""
    f = fmt(lang)
    state = state_of(facts)
    status, slo = driver(facts, state, primary_slo)
    burn = burn_of(status) if status else None
    remaining = status.budget.remaining if status else None
    since = facts.exhausted_since.get(slo) if slo else None
    muted = sum(1 for a in facts.alerts if a.state != "active")
    entraide = ""
    if facts.entraide_out > 0 and facts.backup is not None:
        entraide = t("entraide.marker", lang).format(backup=facts.backup.name)
    return SamuView(
        samu=facts.samu,
        state=state,
        icon=ICONS[state],
        label=t(f"state.{state}", lang),
        why=_why(facts, state, status, slo, lang),
        slo=slo,
        sli=status.sli if status else None,
        burn=burn,
        budget_left=remaining,
        exhaustion=status.exhaustion if status else None,
        sli_text=f.percent(status.sli, 3) if status else t("none", lang),
        burn_text=f.number(burn, 1),
        budget_text=budget_words(remaining, since, now, lang),
        exhaustion_text=(
            t("budget.exhausted", lang)
            if remaining is not None and remaining <= 0
            else f.duration(status.exhaustion if status else None)
        ),
        pages=len(causes(facts, "page")),
        tickets=len(causes(facts, "ticket")),
        muted=muted,
        entraide=entraide,
        backup=facts.backup,
        minutes=minutes_line(facts.statuses, lang),
    )


@dataclass(frozen=True)
class SloRow:
    """One SLO of a SAMU as its table row shows it (all from the one status)."""

    slo: str
    name: str
    state: str
    state_text: str
    sli_text: str
    budget_text: str
    burn_text: str
    exhaustion_text: str
    minutes_text: str = ""  # slice SLOs: minutes not judged over the window


def slo_row(status: SloStatus, now: datetime, lang: str) -> SloRow:
    """The row of one SLO status; an overspent budget reads "épuisé", never a negative %."""
    f = fmt(lang)
    remaining = status.budget.remaining
    exhausted = remaining is not None and remaining <= 0
    return SloRow(
        slo=status.slo,
        name=slo_name(status.slo, lang),
        state=status.state,
        state_text=t(f"slo_state.{status.state}", lang),
        sli_text=f.percent(status.sli, 3),
        budget_text=budget_words(remaining, None, now, lang),
        burn_text=f.number(burn_of(status), 1),
        exhaustion_text=t("budget.exhausted", lang) if exhausted else f.duration(status.exhaustion),
        minutes_text=(
            (minutes_words(status, lang) or f.integer(0))
            if status.minutes is not None
            else f.integer(None)
        ),
    )
