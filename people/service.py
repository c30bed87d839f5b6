"""The people service: logins, sessions, API tokens and account changes, each one audited.

The API and the CLI call this; it never logs or audits a secret (passwords, session ids, tokens,
OIDC codes), only who, what, on whom and from where.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime

from people import bearer
from people.accounts import Accounts
from people.errors import LoginFailed, LoginThrottled, OidcError, UnknownAccount
from people.model import Person, Principal, Role
from people.oidc import Identity, OidcClient
from people.sessions import Session, Sessions
from people.throttle import LoginThrottle
from people.tokens import ApiToken, ApiTokens
from store.audit import AuditLog
from store.clock import Clock


@dataclass(frozen=True)
class Login:
    """A successful login: the account, its new session and the session id for the cookie."""

    person: Person
    session: Session
    secret: str

    def __repr__(self) -> str:
        return f"Login(person={self.person.name!r})"


LOCAL_CLI = Principal("", "cli@local", frozenset({Role.ADMIN}), None, "token")


class PeopleService:
    """Everything people-related the API needs, with the audit trail."""

    def __init__(
        self,
        accounts: Accounts,
        tokens: ApiTokens,
        sessions: Sessions,
        throttle: LoginThrottle,
        audit: AuditLog,
        clock: Clock,
        oidc: OidcClient | None = None,
        secret: bytes = b"",
        local_token: str = "",
    ) -> None:
        self.accounts = accounts
        self.tokens = tokens
        self.sessions = sessions
        self.throttle = throttle
        self.audit = audit
        self.clock = clock
        self.oidc = oidc
        self.secret = secret  # seals the OIDC login cookie
        # The token `vigie up` leaves in its data dir (mode 0600) for the CLI on the same machine.
        self._local_digest = bearer.digest(local_token) if local_token else ""

    def login(self, name: str, password: str, source: str) -> Login:
        """Check a name and password (throttled); a new session, or LoginFailed/LoginThrottled."""
        wait = self.throttle.retry_after(name, source)
        if wait:
            self.audit.record(name[:64], "auth.login_throttled", name[:64], source)
            raise LoginThrottled(wait)
        person = self.accounts.authenticate(name, password)
        if person is None:
            self.throttle.failure(name, source)
            self.audit.record(name[:64], "auth.login_failed", name[:64], source)
            raise LoginFailed("wrong name or password")
        self.throttle.success(name, source)
        session, secret = self.sessions.open(person.id, source)
        self.audit.record(person.name, "auth.login", person.name, source, {"method": "password"})
        return Login(person, session, secret)

    def oidc_login(self, identity: Identity, source: str) -> Login:
        """Open a session for a single sign-on identity, creating or updating its account."""
        if not identity.roles:
            self.audit.record(
                identity.name,
                "auth.oidc_refused",
                identity.name,
                source,
                {"groups": list(identity.groups)},
            )
            raise OidcError("none of your groups gives a role in Vigie 15; ask an administrator")
        person = self.accounts.by_subject(identity.issuer, identity.subject)
        actor = f"oidc:{identity.issuer}"
        if person is None:
            taken = self.accounts.by_name(identity.name)
            if taken is not None:
                raise OidcError(f"the account name {identity.name!r} is already a local account")
            person = self.accounts.create(
                identity.name,
                identity.roles,
                actor,
                identity.samu_scope,
                display_name=identity.display_name,
                email=identity.email,
                source="oidc",
                issuer=identity.issuer,
                subject=identity.subject,
            )
        elif (person.roles, person.samu_scope) != (identity.roles, identity.samu_scope):
            changed = replace(person, roles=identity.roles, samu_scope=identity.samu_scope)
            person = self.accounts.update(changed, actor, "roles")
        if person.disabled:
            self.audit.record(
                person.name,
                "auth.login_failed",
                person.name,
                source,
                {"method": "oidc", "reason": "disabled"},
            )
            raise OidcError("this account is disabled")
        session, secret = self.sessions.open(person.id, source)
        self.audit.record(
            person.name,
            "auth.login",
            person.name,
            source,
            {"method": "oidc", "roles": sorted(person.roles)},
        )
        return Login(person, session, secret)

    def logout(self, secret: str, principal: Principal, source: str) -> None:
        if self.sessions.revoke(secret):
            self.audit.record(principal.name, "auth.logout", principal.name, source)

    def _principal(self, person_id: str, via: str, csrf: str = "") -> Principal | None:
        try:
            person = self.accounts.get(person_id)
        except UnknownAccount:
            return None
        if person.disabled:
            return None
        return Principal(person.id, person.name, person.roles, person.samu_scope, via, csrf)

    def from_session(self, secret: str) -> Principal | None:
        """The caller behind a session cookie, if the session and account are live."""
        session = self.sessions.find(secret)
        return self._principal(session.person_id, "session", session.csrf) if session else None

    def from_token(self, secret: str) -> Principal | None:
        """The caller behind an API bearer token, if the token and account are live."""
        if self._local_digest and bearer.same(bearer.digest(secret), self._local_digest):
            return LOCAL_CLI
        token = self.tokens.verify(secret)
        return self._principal(token.person_id, "token") if token else None

    def add_user(
        self,
        actor: Principal,
        source: str,
        name: str,
        roles: Iterable[Role],
        samu_scope: Iterable[str] | None = None,
        password: str | None = None,
        display_name: str = "",
        email: str = "",
    ) -> Person:
        person = self.accounts.create(
            name, roles, actor.name, samu_scope, password, display_name, email
        )
        details = {"roles": sorted(person.roles), "samu_scope": sorted(person.samu_scope or [])}
        self.audit.record(actor.name, "user.create", person.name, source, details)
        return person

    def set_password(self, actor: Principal, source: str, person_id: str, password: str) -> None:
        """Set a password and end the account's sessions."""
        person = self.accounts.set_password(person_id, password, actor.name)
        ended = self.sessions.revoke_person(person.id)
        self.audit.record(actor.name, "user.password", person.name, source, {"sessions": ended})

    def set_disabled(self, actor: Principal, source: str, person_id: str, disabled: bool) -> None:
        """Disable (ending its sessions and tokens) or enable an account."""
        person = self.accounts.set_disabled(person_id, disabled, actor.name)
        details = {}
        if disabled:
            details["sessions"] = self.sessions.revoke_person(person.id)
            details["tokens"] = self.tokens.revoke_all(person.id, actor.name)
        action = "user.disable" if disabled else "user.enable"
        self.audit.record(actor.name, action, person.name, source, details)

    def issue_token(
        self,
        actor: Principal,
        source: str,
        person_id: str,
        label: str,
        expires_at: datetime | None = None,
    ) -> tuple[ApiToken, str]:
        person = self.accounts.get(person_id)
        token, secret = self.tokens.issue(person.id, label, actor.name, expires_at)
        self.audit.record(
            actor.name,
            "token.issue",
            person.name,
            source,
            {"token_id": token.id, "label": token.label},
        )
        return token, secret

    def revoke_token(self, actor: Principal, source: str, token_id: str) -> None:
        token = self.tokens.revoke(token_id, actor.name)
        self.audit.record(
            actor.name, "token.revoke", token.person_id, source, {"token_id": token.id}
        )
