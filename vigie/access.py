"""The access policy: every route and every UI callback of the platform, and what it touches.

Each route (method + path template) and each Dash callback (by its first output's component id)
maps to the resource it reads or changes; `people.authz.RULES` says who may do that, one rule per
resource. A route or callback missing here is refused to everyone, admins included, so a new one
cannot be forgotten: tests walk the app's route table and callback map against these tables.
Routes whose path or query names a SAMU are also checked against the caller's SAMU scope; the
routers and callbacks check each item they list or change with `people.authz.touch`.
`install_access` in vigie.access_gate enforces it on the ASGI app.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from people.authz import ALLOW, RULES, Action, Decision, Open, Requirement, decide, touch
from people.model import ANONYMOUS, Principal, Role

__all__ = ["ALLOW", "Decision", "Open", "Requirement"]

READ, CHANGE = Action.READ, Action.CHANGE
ADMIN = Role.ADMIN  # what the admin-only routes need (tests read it)
UI = "/"  # the Dash UI, mounted at "/": pages, assets and callbacks
DASH_UPDATE = "/_dash-update-component"  # where every Dash callback is posted


@dataclass(frozen=True)
class Access:
    """What a route or callback does: `action` on `resource` (a key of people.authz.RULES)."""

    resource: str
    action: Action = READ

    def __post_init__(self) -> None:
        if self.resource not in RULES:
            raise ValueError(f"no authorisation rule for the resource {self.resource!r}")

    @property
    def need(self) -> Requirement:
        return RULES[self.resource].needs(self.action)


def _r(resource: str) -> Access:
    return Access(resource, READ)


def _c(resource: str) -> Access:
    return Access(resource, CHANGE)


POLICY: Mapping[tuple[str, str], Access] = {
    # platform
    ("GET", "/api/v1/health"): _r("platform"),  # readiness (store reachable)
    ("GET", "/api/v1/health/live"): _r("platform"),  # liveness (the process answers)
    ("GET", "/metrics"): _r("platform"),  # Prometheus scrapes it; aggregate self-metrics only
    ("GET", "/favicon.ico"): _r("platform"),  # browsers ask for it before login
    ("GET", "/openapi.json"): _r("platform"),  # the API's shape is no secret (and fuzzers need it)
    ("GET", "/docs"): _r("platform"),
    ("GET", "/docs/oauth2-redirect"): _r("platform"),
    ("GET", "/redoc"): _r("platform"),
    ("GET", "/api/v1/migrations"): _r("store"),
    ("GET", "/api/v1/audit"): _r("audit"),
    ("POST", "/api/v1/admin/backup"): _c("store"),  # writes a backup under the backup directory
    ("GET", "/api/v1/admin/backups"): _r("store"),
    # SAMU registry and telemetry
    ("GET", "/api/v1/samu"): _r("samu"),
    ("GET", "/api/v1/samu/{samu_id}"): _r("samu"),
    ("GET", "/api/v1/samu/{samu_id}/counts"): _r("counts"),
    ("GET", "/api/v1/ingest/status"): _r("ingest"),
    ("POST", "/v1/metrics"): _c("telemetry"),
    ("POST", "/v1/traces"): _c("telemetry"),
    ("GET", "/api/v1/agents"): _r("agent-token"),  # agent tokens (collector.agent_auth), audited
    ("POST", "/api/v1/agents"): _c("agent-token"),
    ("POST", "/api/v1/agents/{token_id}/rotate"): _c("agent-token"),
    ("DELETE", "/api/v1/agents/{token_id}"): _c("agent-token"),
    # people and access
    ("GET", "/api/v1/auth/login"): _r("login"),
    ("POST", "/api/v1/auth/login"): _c("login"),
    ("POST", "/api/v1/auth/logout"): _c("session"),
    ("GET", "/api/v1/auth/me"): _r("session"),
    ("GET", "/api/v1/auth/oidc/login"): _r("login"),
    ("GET", "/api/v1/auth/oidc/callback"): _r("login"),
    ("GET", "/api/v1/users"): _r("account"),
    ("POST", "/api/v1/users"): _c("account"),
    ("POST", "/api/v1/users/{person_id}/password"): _c("account"),
    ("POST", "/api/v1/users/{person_id}/disabled"): _c("account"),
    ("GET", "/api/v1/users/{person_id}/tokens"): _r("account"),
    ("POST", "/api/v1/users/{person_id}/tokens"): _c("account"),
    ("DELETE", "/api/v1/users/{person_id}/tokens/{token_id}"): _c("account"),
    # alerting (Alertmanager API v2), maintenance
    ("POST", "/api/v2/alerts"): _c("alert"),
    ("GET", "/api/v2/alerts"): _r("alert"),
    ("GET", "/api/v2/alerts/groups"): _r("alert"),
    ("GET", "/api/v2/silences"): _r("silence"),
    ("POST", "/api/v2/silences"): _c("silence"),
    ("GET", "/api/v2/silence/{silence_id}"): _r("silence"),
    ("DELETE", "/api/v2/silence/{silence_id}"): _c("silence"),
    ("GET", "/api/v2/status"): _r("routing"),
    ("POST", "/api/v1/alerting/reload"): _c("routing"),
    ("GET", "/api/v1/maintenance"): _r("maintenance"),
    ("POST", "/api/v1/maintenance"): _c("maintenance"),
    ("DELETE", "/api/v1/maintenance/{window_id}"): _c("maintenance"),
    # on-call and incidents
    ("GET", "/api/v1/incidents"): _r("incident"),
    ("GET", "/api/v1/incidents/{incident_id}"): _r("incident"),
    ("PATCH", "/api/v1/incidents/{incident_id}"): _c("incident"),
    ("POST", "/api/v1/incidents/{incident_id}/{action}"): _c("incident"),  # ack, unack, resolve
    ("GET", "/api/v1/oncall/now"): _r("schedule"),
    ("GET", "/api/v1/oncall/schedules"): _r("schedule"),
    ("GET", "/api/v1/oncall/schedules/{schedule_id}/ical"): _r("schedule"),
    ("GET", "/api/v1/oncall/heartbeats"): _r("heartbeat"),
    ("POST", "/api/v1/heartbeat/{token}"): _c("link"),  # the token in the path is the secret
    ("GET", "/api/v1/ack/{token}"): _r("link"),  # signed acknowledgement links
    ("POST", "/api/v1/ack/{token}"): _c("link"),
    # SLOs
    ("GET", "/api/v1/slos"): _r("slo-spec"),
    ("GET", "/api/v1/slos/national"): _r("slo-national"),
    ("GET", "/api/v1/slos/{slo_id}/status"): _r("slo-status"),
    ("POST", "/api/v1/slos/reload"): _c("slo-spec"),
    # migration waves (rows filtered by SAMU scope in the router; plans and cancels audited)
    ("GET", "/api/v1/waves"): _r("wave"),
    ("POST", "/api/v1/waves"): _c("wave"),
    ("GET", "/api/v1/waves/{wave_id}"): _r("wave"),
    ("DELETE", "/api/v1/waves/{wave_id}"): _c("wave"),
    ("GET", "/api/v1/waves/{wave_id}/compare"): _r("wave"),
    # monthly availability reports (views and exports are audited by the reports API)
    ("GET", "/api/v1/reports/public-key"): _r("report-key"),  # anyone may check a signature
    ("GET", "/api/v1/reports/{month}/manifest"): _r("report"),
    ("GET", "/api/v1/reports/{name}"): _r("report"),
    ("POST", "/api/v1/reports/{month}/issue"): _c("report"),
    ("POST", "/api/v1/reports/{month}/verify"): _r("report"),
    # the UI: pages and assets need a session; each callback is in CALLBACKS
    ("GET", UI): _r("ui"),
    ("POST", UI): _r("ui"),
}

# Dash callbacks, by the component id of their first output: what each one shows or does.
CALLBACKS: Mapping[str, tuple[Access, ...]] = {
    "content": (_r("ui"),),  # page routing; each page shows only what its rules allow
    "lang": (_r("ui"),),
    "risk-sort": (_r("ui"),),
    "url": (_r("ui"),),  # a click on the map opens a SAMU page
    "kpis": (_r("samu"),),  # the national view (its rows filtered by scope)
    "samu-head": (_r("samu"), _r("slo-status"), _r("alert")),  # one SAMU's page
    "wall-clock": (_r("samu"), _r("alert")),  # wall mode
    "alerts-rows": (_r("alert"), _r("silence"), _r("schedule")),  # the alerts page
    "incident-shown": (_r("incident"),),  # which incident the panel shows
    "incident-panel": (_r("incident"),),  # one incident (its SAMU checked by dashboards.rights)
    "alerts-message": (_c("incident"), _c("silence")),  # ack, silence, expire
    "collector-agents": (_r("ingest"),),  # what each agent sent (its rows filtered by scope)
    "waves-head": (_r("wave"),),  # a migration wave's page (its rows filtered by scope)
    "reports-summary": (_r("report"),),
    "reports-message": (_r("report"),),  # issue (checked again: change) and verify
}

# Path and query parameters that name a SAMU: a SAMU manager may only name their own.
SAMU_PARAMS = ("samu_id", "samu")
# Routes that answer for every SAMU unless one is named: a SAMU manager must name theirs.
NAME_YOUR_SAMU = {("GET", "/api/v1/slos/{slo_id}/status")}


def access_of(policy: Mapping[tuple[str, str], Access], method: str, path: str) -> Access | None:
    """What a route does (HEAD is treated as GET), or None when it is not listed."""
    return policy.get(("GET" if method == "HEAD" else method, path))


def requirement(
    policy: Mapping[tuple[str, str], Access], method: str, path: str
) -> Requirement | None:
    """The role (or Open) a route needs, from its resource's rule; None when not listed."""
    found = access_of(policy, method, path)
    return None if found is None else found.need


def callback_of(output: str) -> str:
    """The component id of a callback's first output, from Dash's `output` field
    (`..kpis.children...samu-map.children..`, `lang.data`, `url.pathname@<hash>`)."""
    return output.lstrip(".").split(".", 1)[0].split("@", 1)[0]


def check(
    accesses: tuple[Access, ...] | None,
    principal: Principal,
    samu_refs: Mapping[str, str],
    must_name: bool = False,
) -> Decision:
    """Whether `principal` may do all of `accesses`, naming the SAMU in `samu_refs`."""
    if accesses is None:
        return Decision(403, "this route is not in the access policy")
    for access in accesses:
        decision = decide(principal, access.resource, access.action)
        if not decision.allowed:
            return decision
    named = {name: samu for name, samu in samu_refs.items() if samu}
    for name, samu_id in named.items():
        if not touch(principal, [samu_id]).allowed:
            return Decision(403, f"{name} {samu_id!r} is outside your SAMU scope")
    if must_name and not named and principal.samu_scope is not None:
        return Decision(403, "name one of your SAMU (?samu=…): this answers for every SAMU")
    return ALLOW


def principal_of(request: object) -> Principal:
    """The caller of a request (`request.state.principal`, set by the access gate)."""
    state = getattr(request, "state", None)
    found = getattr(state, "principal", None)
    return found if isinstance(found, Principal) else ANONYMOUS
