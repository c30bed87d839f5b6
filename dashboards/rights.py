"""The UI's questions to the platform's authorisation rule (people.authz), one per thing shown.

The same rule as the API: a SAMU manager sees and changes an alert, a silence or an incident
only when every SAMU it belongs to, or could match, is theirs (alerts.scope says which SAMU).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from alerts.errors import MatcherError
from alerts.matchers import Matcher, parse_matchers
from alerts.oncall.incidents import Incident
from alerts.scope import alert_samu, incident_samu, silence_samu
from dashboards.ports import AlertView, SilenceView
from people.authz import Action, decide, touch
from people.model import Principal


def may(who: Principal, resource: str, action: Action = Action.READ) -> bool:
    """Whether the caller may read (or change) a resource at all."""
    return decide(who, resource, action).allowed


def alert_refusal(who: Principal, alert: AlertView) -> str | None:
    found = touch(who, alert_samu(alert.labels))
    return None if found.allowed else found.reason


def incident_refusal(who: Principal, incident: Incident) -> str | None:
    found = touch(who, incident_samu(incident.samu))
    return None if found.allowed else found.reason


def matchers_refusal(
    who: Principal, matchers: Sequence[Matcher], registry: Iterable[str]
) -> str | None:
    """Why a silence with these matchers is not the caller's (it could match another SAMU)."""
    found = touch(who, silence_samu(matchers, registry))
    return None if found.allowed else f"la mise en sourdine pourrait couvrir : {found.reason}"


def silence_refusal(who: Principal, silence: SilenceView, registry: Iterable[str]) -> str | None:
    try:
        matchers = [m for text in silence.matchers for m in parse_matchers(text)]
    except MatcherError:
        return "mise en sourdine illisible"
    return matchers_refusal(who, matchers, registry)
