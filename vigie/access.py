"""The access policy: every route of the platform (method + path template) and who may call it.

A route missing from POLICY is refused to everyone, admins included, so a new route cannot be
forgotten: a test enumerates the routes of the full app against this table. Routes whose path
or query names a SAMU are also checked against the caller's SAMU scope (SAMU managers).
`install_access` in vigie.access_gate enforces it on the ASGI app.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from people.model import ANONYMOUS, Principal, Role


class Open(StrEnum):
    """Requirements that are not roles."""

    PUBLIC = "public"  # anyone, even anonymous (health, login, links that carry their own token)
    AGENT = "agent"  # telemetry agents; authenticated by the collector itself (issue 7)
    SIGNED_IN = "signed-in"  # any authenticated caller, whatever the role (me, logout)


Requirement = Role | Open
VIEWER, ONCALL, REPORTER, ADMIN = Role.VIEWER, Role.ONCALL, Role.REPORTER, Role.ADMIN
UI = "/"  # the Dash UI, mounted at "/": pages, assets and callbacks

POLICY: Mapping[tuple[str, str], Requirement] = {
    # platform
    ("GET", "/api/v1/health"): Open.PUBLIC,  # readiness (store reachable)
    ("GET", "/api/v1/health/live"): Open.PUBLIC,  # liveness (the process answers)
    ("GET", "/metrics"): Open.PUBLIC,  # Prometheus scrapes it; aggregate self-metrics only
    ("GET", "/favicon.ico"): Open.PUBLIC,  # browsers ask for it before login
    ("GET", "/openapi.json"): Open.PUBLIC,  # the API's shape is no secret (and fuzzers need it)
    ("GET", "/docs"): Open.PUBLIC,
    ("GET", "/docs/oauth2-redirect"): Open.PUBLIC,
    ("GET", "/redoc"): Open.PUBLIC,
    ("GET", "/api/v1/migrations"): ADMIN,
    ("GET", "/api/v1/audit"): ADMIN,
    ("POST", "/api/v1/admin/backup"): ADMIN,  # writes a backup under the backup directory
    ("GET", "/api/v1/admin/backups"): ADMIN,
    # SAMU registry and telemetry
    ("GET", "/api/v1/samu"): VIEWER,
    ("GET", "/api/v1/samu/{samu_id}"): VIEWER,
    ("GET", "/api/v1/samu/{samu_id}/counts"): VIEWER,
    ("GET", "/api/v1/ingest/status"): VIEWER,
    ("POST", "/v1/metrics"): Open.AGENT,
    ("POST", "/v1/traces"): Open.AGENT,
    ("GET", "/api/v1/agents"): ADMIN,  # agent tokens (collector.agent_auth), audited
    ("POST", "/api/v1/agents"): ADMIN,
    ("POST", "/api/v1/agents/{token_id}/rotate"): ADMIN,
    ("DELETE", "/api/v1/agents/{token_id}"): ADMIN,
    # people and access
    ("GET", "/api/v1/auth/login"): Open.PUBLIC,
    ("POST", "/api/v1/auth/login"): Open.PUBLIC,
    ("POST", "/api/v1/auth/logout"): Open.SIGNED_IN,
    ("GET", "/api/v1/auth/me"): Open.SIGNED_IN,
    ("GET", "/api/v1/auth/oidc/login"): Open.PUBLIC,
    ("GET", "/api/v1/auth/oidc/callback"): Open.PUBLIC,
    ("GET", "/api/v1/users"): ADMIN,
    ("POST", "/api/v1/users"): ADMIN,
    ("POST", "/api/v1/users/{person_id}/password"): ADMIN,
    ("POST", "/api/v1/users/{person_id}/disabled"): ADMIN,
    ("GET", "/api/v1/users/{person_id}/tokens"): ADMIN,
    ("POST", "/api/v1/users/{person_id}/tokens"): ADMIN,
    ("DELETE", "/api/v1/users/{person_id}/tokens/{token_id}"): ADMIN,
    # alerting (Alertmanager API v2), maintenance
    ("POST", "/api/v2/alerts"): Role.ALERT_SOURCE,
    ("GET", "/api/v2/alerts"): VIEWER,
    ("GET", "/api/v2/alerts/groups"): VIEWER,
    ("GET", "/api/v2/silences"): VIEWER,
    ("POST", "/api/v2/silences"): ONCALL,
    ("GET", "/api/v2/silence/{silence_id}"): VIEWER,
    ("DELETE", "/api/v2/silence/{silence_id}"): ONCALL,
    ("GET", "/api/v2/status"): VIEWER,
    ("POST", "/api/v1/alerting/reload"): ADMIN,
    ("GET", "/api/v1/maintenance"): VIEWER,
    ("POST", "/api/v1/maintenance"): ADMIN,
    ("DELETE", "/api/v1/maintenance/{window_id}"): ADMIN,
    # on-call and incidents
    ("GET", "/api/v1/incidents"): VIEWER,
    ("GET", "/api/v1/incidents/{incident_id}"): VIEWER,
    ("PATCH", "/api/v1/incidents/{incident_id}"): ONCALL,
    ("POST", "/api/v1/incidents/{incident_id}/{action}"): ONCALL,  # ack, unack, resolve
    ("GET", "/api/v1/oncall/now"): VIEWER,
    ("GET", "/api/v1/oncall/schedules"): VIEWER,
    ("GET", "/api/v1/oncall/schedules/{schedule_id}/ical"): VIEWER,
    ("GET", "/api/v1/oncall/heartbeats"): VIEWER,
    ("POST", "/api/v1/heartbeat/{token}"): Open.PUBLIC,  # the token in the path is the secret
    ("GET", "/api/v1/ack/{token}"): Open.PUBLIC,  # signed acknowledgement links
    ("POST", "/api/v1/ack/{token}"): Open.PUBLIC,
    # SLOs
    ("GET", "/api/v1/slos"): VIEWER,
    ("GET", "/api/v1/slos/national"): VIEWER,
    ("GET", "/api/v1/slos/{slo_id}/status"): VIEWER,
    ("POST", "/api/v1/slos/reload"): ADMIN,
    # migration waves (rows filtered by SAMU scope in the router; plans and cancels audited)
    ("GET", "/api/v1/waves"): VIEWER,
    ("POST", "/api/v1/waves"): ADMIN,
    ("GET", "/api/v1/waves/{wave_id}"): VIEWER,
    ("DELETE", "/api/v1/waves/{wave_id}"): ADMIN,
    ("GET", "/api/v1/waves/{wave_id}/compare"): VIEWER,
    # monthly availability reports (views and exports are audited by the reports API)
    ("GET", "/api/v1/reports/public-key"): Open.PUBLIC,  # anyone may check a report's signature
    ("GET", "/api/v1/reports/{month}/manifest"): REPORTER,
    ("GET", "/api/v1/reports/{name}"): REPORTER,
    ("POST", "/api/v1/reports/{month}/issue"): ADMIN,
    ("POST", "/api/v1/reports/{month}/verify"): REPORTER,
    # the UI: every page needs a session; actions inside check the role (Principal headers)
    ("GET", UI): VIEWER,
    ("POST", UI): VIEWER,
}

# Path and query parameters that name a SAMU: a SAMU manager may only name their own.
SAMU_PARAMS = ("samu_id", "samu")


@dataclass(frozen=True)
class Decision:
    """The verdict on one request: 0 (let it through), 401 or 403, and why."""

    status: int
    reason: str = ""

    @property
    def allowed(self) -> bool:
        return self.status == 0


ALLOW = Decision(0)


def requirement(
    policy: Mapping[tuple[str, str], Requirement], method: str, path: str
) -> Requirement | None:
    """The requirement for a route (HEAD is treated as GET), or None when it is not listed."""
    return policy.get(("GET" if method == "HEAD" else method, path))


def decide(
    need: Requirement | None, principal: Principal, samu_refs: Mapping[str, str]
) -> Decision:
    """Whether `principal` may call a route that needs `need`, naming the SAMU in `samu_refs`."""
    if need is None:
        return Decision(403, "this route is not in the access policy")
    if need in (Open.PUBLIC, Open.AGENT):
        return ALLOW
    if principal.anonymous:
        return Decision(401, "authentication required")
    if need == Open.SIGNED_IN:
        return ALLOW
    assert isinstance(need, Role)
    if not principal.has(need):
        return Decision(403, f"this needs the {need.value} role")
    for name, samu_id in samu_refs.items():
        if samu_id and not principal.can_see(samu_id):
            return Decision(403, f"{name} {samu_id!r} is outside your SAMU scope")
    return ALLOW


def principal_of(request: object) -> Principal:
    """The caller of a request (`request.state.principal`, set by the access gate)."""
    state = getattr(request, "state", None)
    found = getattr(state, "principal", None)
    return found if isinstance(found, Principal) else ANONYMOUS
