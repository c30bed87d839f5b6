"""Who people are and what they may do: roles, SAMU scope, persons and the acting principal."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    """The roles of issue 5; `alert-source` is for machines that push alerts (Prometheus)."""

    VIEWER = "viewer"
    ONCALL = "on-call"
    REPORTER = "reporter"
    ADMIN = "admin"
    ALERT_SOURCE = "alert-source"


# What holding a role grants, besides the role itself (admin holds everything).
_IMPLIES: dict[Role, frozenset[Role]] = {
    Role.VIEWER: frozenset(),
    Role.ONCALL: frozenset({Role.VIEWER}),
    Role.REPORTER: frozenset({Role.VIEWER}),
    Role.ADMIN: frozenset(Role),
    Role.ALERT_SOURCE: frozenset(),
}


def parse_roles(names: Iterable[str]) -> frozenset[Role]:
    """Role names to roles; an unknown name is a ValueError that lists the known ones."""
    roles = set()
    for name in names:
        try:
            roles.add(Role(name.strip()))
        except ValueError:
            known = ", ".join(r.value for r in Role)
            raise ValueError(f"unknown role {name!r}; known roles: {known}") from None
    return frozenset(roles)


def grants(roles: Iterable[Role], required: Role) -> bool:
    """True when one of `roles` is, or implies, the `required` role."""
    return any(r == required or required in _IMPLIES[r] for r in roles)


@dataclass(frozen=True)
class Person:
    """An account: a local login (password) or a single sign-on identity (issuer + subject)."""

    id: str
    name: str  # the login name, unique
    display_name: str
    email: str
    roles: frozenset[Role]
    samu_scope: frozenset[str] | None  # None: every SAMU; a set: a SAMU manager's SAMU
    disabled: bool = False
    source: str = "local"  # "local" or "oidc"
    issuer: str = ""
    subject: str = ""
    password_hash: str = ""  # never shown, never logged

    def __repr__(self) -> str:
        return f"Person(id={self.id!r}, name={self.name!r}, roles={sorted(self.roles)})"


def check_scope(roles: frozenset[Role], samu_scope: frozenset[str] | None) -> None:
    """An admin sees every SAMU: a SAMU scope is for viewers, on-call and reporters."""
    if samu_scope is not None and Role.ADMIN in roles:
        raise ValueError("an admin sees every SAMU; a SAMU scope cannot be given to an admin")
    if samu_scope is not None and not samu_scope:
        raise ValueError("a SAMU scope needs at least one SAMU id")


# Trusted headers the access middleware sets (after removing any the client sent), so code
# behind it that only sees headers (the Dash UI under WSGI, routers reading X-Vigie-User) knows
# the caller.
USER_HEADER = "x-vigie-user"
ROLES_HEADER = "x-vigie-roles"
SCOPE_HEADER = "x-vigie-samu-scope"
TRUSTED_HEADERS = (USER_HEADER, ROLES_HEADER, SCOPE_HEADER)


@dataclass(frozen=True)
class Principal:
    """The authenticated caller of one request (request.state.principal)."""

    person_id: str
    name: str
    roles: frozenset[Role]
    samu_scope: frozenset[str] | None  # None: all SAMU
    via: str  # "session", "token" or "anonymous"
    session_csrf: str = ""  # the session's CSRF token (sessions only); never logged

    def __repr__(self) -> str:
        return f"Principal(name={self.name!r}, roles={sorted(self.roles)}, via={self.via!r})"

    @property
    def anonymous(self) -> bool:
        return self.via == "anonymous"

    def has(self, role: Role) -> bool:
        """True when the caller holds `role` or a role that implies it."""
        return grants(self.roles, role)

    def can_see(self, samu_id: str) -> bool:
        """True when the SAMU is in the caller's scope."""
        return self.samu_scope is None or samu_id in self.samu_scope

    def visible(self, samu_ids: Iterable[str]) -> list[str]:
        """The given SAMU ids the caller may see, in order (for list endpoints)."""
        return [s for s in samu_ids if self.can_see(s)]

    def to_headers(self) -> dict[str, str]:
        scope = "*" if self.samu_scope is None else ",".join(sorted(self.samu_scope))
        roles = ",".join(sorted(r.value for r in self.roles))
        return {USER_HEADER: self.name, ROLES_HEADER: roles, SCOPE_HEADER: scope}

    @classmethod
    def from_headers(cls, headers: Mapping[str, str]) -> Principal:
        """The principal the access middleware put in the trusted headers (anonymous if none)."""
        lower = {k.lower(): v for k, v in headers.items()}
        name = lower.get(USER_HEADER, "")
        if not name:
            return ANONYMOUS
        scope = lower.get(SCOPE_HEADER, "")
        roles = [r for r in lower.get(ROLES_HEADER, "").split(",") if r]
        return cls(
            person_id="",
            name=name,
            roles=parse_roles(roles),
            samu_scope=None if scope == "*" else frozenset(s for s in scope.split(",") if s),
            via="header",
        )


ANONYMOUS = Principal("", "anonymous", frozenset(), frozenset(), "anonymous")
