"""Low-traffic and fast-path guards, pure: facts read from the store in, findings out.

Burn rates cannot page fast for a small SAMU at night (0–5 calls an hour), so these sit beside
them: N consecutive failed probe minutes; K consecutive failed or missing reachability checks
(10 s apart: the ≤ 45 s path); traffic far below its same-weekday/hour baseline (S4, French
public holidays compared with Sundays, judged only when the baseline is thick enough and the
shortfall is statistically clear, so a naturally quiet hour never fires); telemetry that stops
(no data); a budget spent or about to be.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import holidays

from slo.evaluate import SloStatus
from slo.judge import fleet_silent
from slo.model import PlausibilityGuard
from slo.policy import Guards, Severity

GAP_ALERT = "VigieIngestGap"
# A collapse must also be this unlikely under the baseline's Poisson law (calibration: ~4 M
# SAMU × 10-minute tests a year must not page on chance alone).
COLLAPSE_ALPHA = 1e-7
# S4 looks at its `for` duration and at these multiples of it: a longer silence is clearer.
COLLAPSE_SPANS = (1, 2, 3, 6)
# Overseas SAMU have their own public holidays (`holidays` subdivisions).
_HOLIDAY_SUBDIV = {"971": "971", "972": "972", "973": "973", "974": "974", "976": "976"}


@dataclass(frozen=True)
class Finding:
    """One guard that holds: the labels of its alert, its severity and what to tell people."""

    alertname: str
    samu: str
    severity: Severity
    labels: Mapping[str, str] = field(default_factory=dict)
    annotations: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class HeartbeatFacts:
    """Reachability checks of one SAMU in the lookback: last success and failures after it."""

    last_ok: datetime | None
    last_seen: datetime | None
    fails_since_ok: float


def probe_findings(
    slo_id: str,
    recent_bad: Mapping[str, float],
    equipped: Iterable[str],
    guards_of: Mapping[str, Guards],
    severity: Severity,
) -> list[Finding]:
    """SAMU whose last N settled probe minutes all failed or had no probe result."""
    out = []
    for samu in equipped:
        n = guards_of[samu].probe_failed_minutes
        if n > 0 and recent_bad.get(samu, 0.0) >= n:
            out.append(
                Finding(
                    "ProbeFailing",
                    samu,
                    severity,
                    {"slo": slo_id},
                    {"summary": f"{n} consecutive failed or silent probe minutes"},
                )
            )
    return out


def gap_finding(why: str) -> Finding:
    """The one platform alert of a silence that is ours, not the SAMU's."""
    return Finding(GAP_ALERT, "", "page", {}, {"summary": f"Vigie ingest gap: {why}"})


def heartbeat_findings(
    facts: Mapping[str, HeartbeatFacts], now: datetime, guards: Guards
) -> list[Finding]:
    """SAMU with K failed checks since the last success, or no success for K intervals.

    Silence is judged against the fleet: when a large share of the SAMU that send checks are
    silent at once (`slo.judge.fleet_silent`), the silence is ours (ingest stalled or behind):
    one Vigie ingest gap alert replaces a page per silent SAMU. Explicit failed checks still
    page.
    """
    window = guards.heartbeat_window
    silent = {s for s, f in facts.items() if f.last_seen is None or now - f.last_seen > window}
    ours = bool(facts) and fleet_silent(len(silent), len(facts))
    out = []
    if ours:
        out.append(gap_finding(f"{len(silent)} of {len(facts)} SAMU sent no check for {window}"))
    for samu, f in sorted(facts.items()):
        failed = f.fails_since_ok >= guards.heartbeat_failed_checks
        missing = f.last_ok is None or now - f.last_ok > window
        if failed or (missing and not (ours and samu in silent)):
            why = "failed" if failed else "failed or missing"
            out.append(
                Finding(
                    "HeartbeatLost",
                    samu,
                    "page",
                    {},
                    {"summary": f"{guards.heartbeat_failed_checks} reachability checks {why}"},
                )
            )
    return out


def no_data_findings(
    last_minute: Mapping[str, datetime | None], now: datetime, guards: Guards
) -> list[Finding]:
    """SAMU that sent telemetry recently but nothing for `no_data_after`; when a large share of
    the fleet stops at once the silence is ours (one Vigie ingest gap alert instead)."""
    quiet = [
        samu
        for samu, last in last_minute.items()
        if last is not None and now - (last + timedelta(minutes=1)) >= guards.no_data_after
    ]
    active = [s for s, last in last_minute.items() if last is not None]
    if fleet_silent(len(quiet), len(active)):
        return [
            gap_finding(
                f"{len(quiet)} of {len(active)} SAMU sent nothing for {guards.no_data_after}"
            )
        ]
    return [
        Finding(
            "TelemetryNoData",
            samu,
            "page",
            {},
            {"summary": f"no telemetry for {guards.no_data_after}"},
        )
        for samu in sorted(quiet)
    ]


def budget_findings(
    statuses: Iterable[SloStatus], guards_of: Mapping[tuple[str, str], Guards]
) -> list[Finding]:
    """Budgets spent (exhausted) or running out within `budget_forecast` at the current burn."""
    out = []
    for st in statuses:
        guards = guards_of.get((st.slo, st.samu))
        remaining = st.budget.remaining
        if guards is None or remaining is None:
            continue
        if remaining <= 0 and guards.budget_exhausted:
            out.append(
                Finding(
                    "SLOBudgetExhausted",
                    st.samu,
                    "ticket",
                    {"slo": st.slo},
                    {"summary": f"error budget spent ({remaining:.0%} left)"},
                )
            )
        elif (
            guards.budget_forecast is not None
            and st.exhaustion is not None
            and st.exhaustion < guards.budget_forecast
        ):
            out.append(
                Finding(
                    "SLOBudgetForecast",
                    st.samu,
                    "ticket",
                    {"slo": st.slo},
                    {"summary": f"error budget runs out in {st.exhaustion}"},
                )
            )
    return out


@cache
def _calendar(subdiv: str | None, year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("FR", subdiv=subdiv, years=range(year - 1, year + 1))


def is_holiday(day: date, department: str, country: str | None = "FR") -> bool:
    """Whether `day` is a public holiday for a SAMU of `department` (France only)."""
    if country != "FR":
        return False
    return day in _calendar(_HOLIDAY_SUBDIV.get(department), day.year)


def reference_instants(
    now: datetime, timezone: str, weeks: int, department: str, country: str | None = "FR"
) -> list[datetime]:
    """The same local time on past comparable days: the same weekday (holidays skipped), or
    past Sundays when today is a public holiday (a holiday behaves like a Sunday)."""
    zone = ZoneInfo(timezone)
    local = now.astimezone(zone)
    today = local.date()
    sunday_like = local.weekday() == 6 or is_holiday(today, department, country)
    out: list[datetime] = []
    day = today
    for _ in range(weeks * 7 + 35):
        day -= timedelta(days=1)
        if len(out) == weeks:
            break
        holiday = is_holiday(day, department, country)
        matches = (
            (day.weekday() == 6 or holiday)
            if sunday_like
            else (day.weekday() == local.weekday() and not holiday)
        )
        if matches:
            wall = datetime.combine(day, local.time().replace(tzinfo=None), zone)
            out.append(wall.astimezone(now.tzinfo))
    return out


def poisson_cdf(k: float, mean: float) -> float:
    """P(X ≤ k) for X ~ Poisson(mean)."""
    if mean <= 0:
        return 1.0
    total, term = 0.0, -mean
    for i in range(math.floor(k) + 1):
        if i > 0:
            term += math.log(mean) - math.log(i)
        total += math.exp(term)
    return min(1.0, total)


def collapse_findings(
    guard: PlausibilityGuard,
    current: Mapping[str, Sequence[float]],
    baseline: Mapping[str, Sequence[Sequence[float]]],
) -> list[Finding]:
    """S4: per SAMU, traffic over `for` × COLLAPSE_SPANS vs the median of past references.

    `current[samu][i]` is the count over span i; `baseline[samu][i]` the counts over the same
    span at each reference instant. A span fires when its baseline holds at least
    `min_baseline_events` per `for`, the count is below `below_fraction` of it, and such a low
    count is improbable (COLLAPSE_ALPHA) under a Poisson law with the baseline as its mean.
    """
    rule = guard.collapse
    out = []
    for samu, counts in sorted(current.items()):
        refs = baseline.get(samu, ())
        for i, count in enumerate(counts):
            past = refs[i] if i < len(refs) else ()
            if len(past) < 2:
                continue
            expected = statistics.median(past)
            per_for = expected / COLLAPSE_SPANS[i]
            if per_for < rule.min_baseline_events:
                continue
            if count < rule.below_fraction * expected and poisson_cdf(count, expected) < (
                COLLAPSE_ALPHA
            ):
                minutes = rule.for_minutes * COLLAPSE_SPANS[i]
                out.append(
                    Finding(
                        "TrafficCollapse",
                        samu,
                        guard.severity,
                        {"guard": guard.id},
                        {
                            "summary": f"{count:g} calls in {minutes} min, "
                            f"baseline {expected:g} (same weekday and hour)"
                        },
                    )
                )
                break
    return out
