"""Backtest alerts scored against ground truth: per incident detection and reset delays, pages
and tickets; pages that matched nothing, per SLO and SAMU.

Pure: firings and incidents in, a score out. Ground truth is what was really played: the
simulator's scenario windows (`vigie slo backtest --seed`), or for stored history the incidents
people recorded after the fact in a scenario file (`--truth`, absolute times) — never the
alerts themselves. Planned maintenance mutes the alerts of the SAMU it covers, as the alert
pipeline's maintenance muter does (`delivered`): a muted alert is not a page.

A page *matches* an incident when it is for that SAMU — or, for an incident of the whole fleet
or of the platform itself (`samu` ''), when it is fleet-wide (no SAMU, `national`, a region) —
and overlaps the incident widened by `grace` after its end (an alert holds a while after
recovery). A national page during one SAMU's outage is a second page for that incident: false.
Detection is from the incident's start to the first matching page; reset from its end to the
end of the last matching page (None while one still fires).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from alerts.maintenance import MaintenanceWindow
from slo.backtest_guards import Firing

PLATFORM = ""  # the samu of an incident of the platform itself (our collector, our pipeline)
GRACE = timedelta(minutes=30)


@dataclass(frozen=True)
class Incident:
    """One fault that was really played: its kind, the SAMU it hit ('' = the platform), when,
    and whether it hit the whole fleet at once (fleet-wide pages then belong to it)."""

    kind: str
    samu: str
    start: datetime
    end: datetime
    fleet: bool = False


@dataclass(frozen=True)
class Outcome:
    """How the alerts met one incident."""

    incident: Incident
    detected_after: timedelta | None  # None: no page matched it
    detected_by: str
    reset_after: timedelta | None  # None: missed, or a matching page still fires
    pages: int
    tickets: int


@dataclass(frozen=True)
class Score:
    """Per-incident outcomes, the pages and tickets, and the pages that matched nothing."""

    outcomes: tuple[Outcome, ...]
    pages: int
    tickets: int
    false_pages: tuple[Firing, ...]
    muted: int = 0  # alerts muted by planned maintenance from start to end (never a page)

    @property
    def recall(self) -> float | None:
        """Detected incidents ÷ incidents (None without incidents)."""
        if not self.outcomes:
            return None
        return sum(o.detected_after is not None for o in self.outcomes) / len(self.outcomes)

    @property
    def precision(self) -> float | None:
        """Pages that matched an incident ÷ pages (None without pages)."""
        if not self.pages:
            return None
        return (self.pages - len(self.false_pages)) / self.pages


def fleet_wide(samu: str) -> bool:
    """Whether an alert's `samu` label is fleet-wide: none, `national`, or a region."""
    return samu in ("", "national") or samu.startswith("region:")


def matches(alert: Firing, incident: Incident, grace: timedelta = GRACE) -> bool:
    """Whether an alert belongs to an incident (its SAMU, or fleet-wide for a fleet-wide
    incident, overlapping in time)."""
    samu = alert.label("samu")
    if samu != incident.samu and not (incident.fleet and fleet_wide(samu)):
        return False
    ends = alert.ends_at
    return alert.starts_at < incident.end + grace and (ends is None or ends > incident.start)


def delivered(
    alerts: Iterable[Firing], maintenance: Sequence[MaintenanceWindow], regions: Mapping[str, str]
) -> tuple[list[Firing], int]:
    """The alerts as the pipeline delivers them: an alert of a SAMU under planned maintenance is
    muted while the window runs, so it starts at its first unmuted instant or not at all.
    Returns the delivered alerts and how many were muted throughout."""
    out: list[Firing] = []
    muted = 0
    for alert in alerts:
        samu = alert.label("samu")
        windows = [w for w in maintenance if samu and w.covers(samu, regions.get(samu, ""))]
        start = alert.starts_at
        end = alert.ends_at or datetime.max.replace(tzinfo=start.tzinfo)
        for a, b in sorted(span for w in windows for span in w.occurrences(start, end)):
            if a <= start < b:
                start = b
        if start >= end:
            muted += 1
            continue
        out.append(alert if start == alert.starts_at else replace(alert, starts_at=start))
    return out, muted


def score(
    alerts: Sequence[Firing],
    incidents: Sequence[Incident],
    grace: timedelta = GRACE,
    muted: int = 0,
) -> Score:
    """Score delivered alerts (`delivered`) against the incidents really played."""
    pages = [a for a in alerts if a.label("severity") == "page"]
    tickets = [a for a in alerts if a.label("severity") == "ticket"]
    outcomes = []
    for incident in incidents:
        mine = [p for p in pages if matches(p, incident, grace)]
        n_tickets = sum(matches(t, incident, grace) for t in tickets)
        if not mine:
            outcomes.append(Outcome(incident, None, "", None, 0, n_tickets))
            continue
        first = min(mine, key=lambda p: p.starts_at)
        detected = max(first.starts_at - incident.start, timedelta(0))
        ends = [p.ends_at for p in mine]
        reset = None
        if all(e is not None for e in ends):
            reset = max(max(e for e in ends if e is not None) - incident.end, timedelta(0))
        outcomes.append(
            Outcome(incident, detected, first.label("alertname"), reset, len(mine), n_tickets)
        )
    false = tuple(p for p in pages if not any(matches(p, i, grace) for i in incidents))
    return Score(tuple(outcomes), len(pages), len(tickets), false, muted)


def false_by(false_pages: Iterable[Firing]) -> dict[tuple[str, str, str], int]:
    """False pages counted per (alert name, SLO, SAMU), most first."""
    counts = Counter(
        (p.label("alertname"), p.label("slo"), p.label("samu") or "fleet") for p in false_pages
    )
    return dict(counts.most_common())
