"""Which SAMU an alerting thing belongs to, and the caller's right to it, asked per request.

`alerts` knows labels, not people: the composition root passes a `RequestScope` built on the
platform's authorisation rule (people.authz, through vigie.scope); without one, every request
sees everything (tests, embedders). Each thing names the SAMU it belongs to, or could belong
to, judged on meaning, not text:

- an alert: its `samu` label (NO_SAMU when it has none: a national alert);
- a silence: every SAMU of the registry its matchers could match (a regex, a negative matcher
  or a missing `samu` matcher can match others), and NO_SAMU when it could mute an alert that
  carries no `samu` label;
- a maintenance window: its SAMU and the SAMU of its regions (none: the whole platform);
- an incident: its SAMU (none: national).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Protocol

from fastapi import Request

from alerts.maintenance import MaintenanceWindow
from alerts.matchers import Matcher

NO_SAMU = ""  # the `samu` value of a thing that names no SAMU (an absent label)
SAMU_LABEL = "samu"


class RequestScope(Protocol):
    """The caller's right to things of these SAMU: None when allowed, else why not."""

    def refusal(self, request: Request, samu_ids: Collection[str]) -> str | None: ...


class Unscoped:
    """Every caller may see and change everything (no access control in front)."""

    def refusal(self, request: Request, samu_ids: Collection[str]) -> str | None:
        return None


def alert_samu(labels: Mapping[str, str]) -> set[str]:
    """The SAMU an alert belongs to."""
    return {labels.get(SAMU_LABEL, NO_SAMU)}


def silence_samu(matchers: Sequence[Matcher], registry: Iterable[str]) -> set[str]:
    """Every SAMU of the registry (and NO_SAMU) whose alerts the matchers could match.

    Only the matchers on `samu` restrict it: the other labels of an alert can take any value.
    """
    on_samu = [m for m in matchers if m.name == SAMU_LABEL]
    candidates = {NO_SAMU, *registry, *(m.value for m in on_samu)}
    return {v for v in candidates if all(m.matches(v) for m in on_samu)}


def window_samu(window: MaintenanceWindow, regions: Mapping[str, str]) -> set[str]:
    """The SAMU a maintenance window mutes (every one of the registry when it names none)."""
    if not window.samu_ids and not window.regions:
        return {NO_SAMU, *regions}
    covered = {s for s, region in regions.items() if region in window.regions}
    return {*window.samu_ids, *covered}


def incident_samu(samu: Collection[str]) -> set[str]:
    """The SAMU an incident belongs to."""
    return set(samu) or {NO_SAMU}
