"""The authorisation rule: one per resource, asked by every form of access.

A `Rule` says which role may read a resource, which may change it, and how SAMU scope applies.
The access gate asks it for every request (REST, the Alertmanager v2 API, downloads and
exports, the CLI through the API, the UI's pages and callbacks); the routers and the UI ask it
for each item they list or change. A person with a SAMU scope (a SAMU manager) reads and
changes only what belongs to their SAMU:

- `Scope.SAMU`: each item belongs to the SAMU it names or could match (an alert's `samu` label,
  an incident's SAMU, a maintenance window's SAMU and regions, a silence's matchers, the SAMU in
  a path or query). A scoped person may touch it only when every one of those SAMU is theirs;
  an item that belongs to no SAMU (`NO_SAMU`: an alert without a `samu` label, a silence
  without a `samu` matcher) is national, and so not theirs.
- `Scope.NATIONAL`: the resource is about every SAMU (the monthly report to ANS, the routing
  configuration, the audit log, accounts); scoped people are refused it whole.
- `Scope.NONE`: no SAMU data in it (health, login, the reports' public key).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

from people.model import Principal, Role

T = TypeVar("T")
NO_SAMU = ""  # the SAMU of a thing that names none: national


class Open(StrEnum):
    """Requirements that are not roles."""

    PUBLIC = "public"  # anyone, even anonymous (health, login, links that carry their own token)
    AGENT = "agent"  # telemetry agents; authenticated by the collector itself (agent tokens)
    SIGNED_IN = "signed-in"  # any authenticated caller, whatever the role (me, logout)


Requirement = Role | Open


class Scope(StrEnum):
    """How SAMU scope applies to a resource (see the module docstring)."""

    SAMU = "samu"
    NATIONAL = "national"
    NONE = "none"


class Action(StrEnum):
    READ = "read"
    CHANGE = "change"


@dataclass(frozen=True)
class Rule:
    """Who may read and change one resource, and how SAMU scope applies to it."""

    read: Requirement
    change: Requirement
    scope: Scope

    def needs(self, action: Action) -> Requirement:
        return self.read if action == Action.READ else self.change


VIEWER, ONCALL, REPORTER, ADMIN = Role.VIEWER, Role.ONCALL, Role.REPORTER, Role.ADMIN

RULES: Mapping[str, Rule] = {
    # no SAMU data
    "platform": Rule(Open.PUBLIC, Open.PUBLIC, Scope.NONE),  # health, /metrics, OpenAPI
    "login": Rule(Open.PUBLIC, Open.PUBLIC, Scope.NONE),  # login forms, OIDC
    "session": Rule(Open.SIGNED_IN, Open.SIGNED_IN, Scope.NONE),  # me, logout
    "link": Rule(Open.PUBLIC, Open.PUBLIC, Scope.NONE),  # signed ack links, heartbeat tokens
    "report-key": Rule(Open.PUBLIC, Open.PUBLIC, Scope.NONE),  # anyone may check a signature
    "slo-spec": Rule(VIEWER, ADMIN, Scope.NONE),  # SLO definitions, reload from files
    "ui": Rule(VIEWER, VIEWER, Scope.NONE),  # the UI's pages and assets (each callback: CALLBACKS)
    # a SAMU's things
    "telemetry": Rule(Open.AGENT, Open.AGENT, Scope.SAMU),  # agent tokens bound to SAMU ids
    "samu": Rule(VIEWER, ADMIN, Scope.SAMU),  # the registry and the UI's SAMU views
    "counts": Rule(VIEWER, ADMIN, Scope.SAMU),
    "ingest": Rule(VIEWER, ADMIN, Scope.SAMU),
    "slo-status": Rule(VIEWER, ADMIN, Scope.SAMU),
    "alert": Rule(VIEWER, Role.ALERT_SOURCE, Scope.SAMU),
    "silence": Rule(VIEWER, ONCALL, Scope.SAMU),
    "maintenance": Rule(VIEWER, ADMIN, Scope.SAMU),
    "incident": Rule(VIEWER, ONCALL, Scope.SAMU),
    "schedule": Rule(VIEWER, ADMIN, Scope.SAMU),  # who is on call, iCal exports
    "wave": Rule(VIEWER, ADMIN, Scope.SAMU),  # migration waves: each SAMU's row, plans national
    # about every SAMU
    "slo-national": Rule(VIEWER, ADMIN, Scope.NATIONAL),
    "heartbeat": Rule(VIEWER, ADMIN, Scope.NATIONAL),  # monitors of national systems
    "routing": Rule(VIEWER, ADMIN, Scope.NATIONAL),  # routing, inhibitions, status, reload
    "report": Rule(REPORTER, ADMIN, Scope.NATIONAL),  # the monthly report to ANS
    "audit": Rule(ADMIN, ADMIN, Scope.NATIONAL),
    "account": Rule(ADMIN, ADMIN, Scope.NATIONAL),  # people and their API tokens
    "agent-token": Rule(ADMIN, ADMIN, Scope.NATIONAL),
    "store": Rule(ADMIN, ADMIN, Scope.NATIONAL),  # backups, migrations
}


@dataclass(frozen=True)
class Decision:
    """The verdict on one access: 0 (allowed), 401 or 403, and why."""

    status: int
    reason: str = ""

    @property
    def allowed(self) -> bool:
        return self.status == 0


ALLOW = Decision(0)


def decide(principal: Principal, resource: str, action: Action) -> Decision:
    """Whether `principal` may `action` the resource at all (its items are checked by `touch`)."""
    rule = RULES.get(resource)
    if rule is None:
        return Decision(403, f"no authorisation rule for {resource!r}")
    need = rule.needs(action)
    if need in (Open.PUBLIC, Open.AGENT):
        return ALLOW
    if principal.anonymous:
        return Decision(401, "authentication required")
    if need == Open.SIGNED_IN:
        return ALLOW
    assert isinstance(need, Role)
    if not principal.has(need):
        return Decision(403, f"this needs the {need.value} role")
    if rule.scope == Scope.NATIONAL and principal.samu_scope is not None:
        return Decision(403, f"{resource} covers every SAMU: it needs a national account")
    return ALLOW


def touch(principal: Principal, samu_ids: Collection[str]) -> Decision:
    """Whether `principal` may read or change a thing that belongs, or could belong, to these
    SAMU (NO_SAMU for a thing that names none): every one must be in their scope."""
    if principal.samu_scope is None:
        return ALLOW
    outside = sorted(s for s in set(samu_ids) if not principal.can_see(s))
    if not samu_ids:
        outside = [NO_SAMU]
    if not outside:
        return ALLOW
    shown = ", ".join("no SAMU (national)" if s == NO_SAMU else s for s in outside[:3])
    more = f" and {len(outside) - 3} more" if len(outside) > 3 else ""
    return Decision(403, f"outside your SAMU scope: {shown}{more}")


def visible(
    principal: Principal, items: Iterable[T], samu_of: Callable[[T], Collection[str]]
) -> list[T]:
    """The items a principal may read, in order (list routes, UI tables)."""
    return [item for item in items if touch(principal, samu_of(item)).allowed]
