"""Backtest alerts scored against ground truth: precision, recall, detection and reset times.

Pure: firings and incidents in, a score out. A page *matches* an incident when it is for that
SAMU (or fleet-wide: `national`, or no SAMU at all) and overlaps the incident widened by `grace`
after its end (an alert holds for a while after recovery: the short window must clear). A page
that matches no incident is a false page. Detection time is from the incident's start to the
first matching page; reset time from its end to the last matching page's end.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from slo.backtest import Firing

FLEET_WIDE = ("", "national")


@dataclass(frozen=True)
class Incident:
    """One played fault: its kind, the SAMU it hit, and when."""

    kind: str
    samu: str
    start: datetime
    end: datetime


@dataclass(frozen=True)
class Outcome:
    """How the alerts met one incident: detection and reset delays (None: never, or not yet)."""

    incident: Incident
    detected_after: timedelta | None
    detected_by: str
    reset_after: timedelta | None


@dataclass(frozen=True)
class Score:
    """Per-incident outcomes and the pages that matched nothing."""

    outcomes: tuple[Outcome, ...]
    pages: int
    false_pages: tuple[Firing, ...]

    @property
    def recall(self) -> float | None:
        """Detected incidents ÷ incidents (None without incidents)."""
        if not self.outcomes:
            return None
        found = sum(o.detected_after is not None for o in self.outcomes)
        return found / len(self.outcomes)

    @property
    def precision(self) -> float | None:
        """Pages that matched an incident ÷ pages (None without pages)."""
        if not self.pages:
            return None
        return (self.pages - len(self.false_pages)) / self.pages


def matches(page: Firing, incident: Incident, grace: timedelta) -> bool:
    """Whether a page belongs to an incident (its SAMU or fleet-wide, overlapping in time)."""
    samu = page.label("samu")
    if samu != incident.samu and samu not in FLEET_WIDE:
        return False
    ends = page.ends_at
    return page.starts_at < incident.end + grace and (ends is None or ends > incident.start)


def score(
    firings: Sequence[Firing],
    incidents: Sequence[Incident],
    grace: timedelta = timedelta(minutes=30),
    severity: str = "page",
) -> Score:
    """Score the `severity` alerts of a backtest against the incidents that were played."""
    pages = [f for f in firings if f.label("severity") == severity]
    outcomes = []
    for incident in incidents:
        mine = [p for p in pages if matches(p, incident, grace)]
        if not mine:
            outcomes.append(Outcome(incident, None, "", None))
            continue
        first = min(mine, key=lambda p: p.starts_at)
        detected = max(first.starts_at - incident.start, timedelta(0))
        ends = [p.ends_at for p in mine]
        reset = None
        if all(e is not None for e in ends):
            reset = max(max(e for e in ends if e is not None) - incident.end, timedelta(0))
        outcomes.append(Outcome(incident, detected, first.label("alertname"), reset))
    false = tuple(p for p in pages if not any(matches(p, i, grace) for i in incidents))
    return Score(tuple(outcomes), len(pages), false)
