"""API tokens for scripts (`Authorization: Bearer vgt_…`): issued per account, stored as digests.

The secret's format, digest and liveness are people.bearer's (kind `API`).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from people import bearer
from people.errors import AccountError
from people.versions import Versions
from store.client import Store
from store.clock import Clock, utc

_COLUMNS = [
    "id",
    "version",
    "at",
    "changed_by",
    "person_id",
    "label",
    "digest",
    "expires_at",
    "revoked",
]


@dataclass(frozen=True)
class ApiToken:
    """What is known of a token (its secret is shown once, at issue, and never stored)."""

    id: str
    person_id: str
    label: str
    created_at: datetime
    expires_at: datetime | None
    revoked: bool
    digest: str

    def __repr__(self) -> str:
        return f"ApiToken(id={self.id!r}, label={self.label!r}, revoked={self.revoked})"

    def public(self) -> dict[str, Any]:
        """The token's fields that may be shown (no digest)."""
        return {
            "id": self.id,
            "person_id": self.person_id,
            "label": self.label,
            "created_at": self.created_at.isoformat(),
            "expires_at": self.expires_at.isoformat() if self.expires_at else None,
            "revoked": self.revoked,
        }


class ApiTokens:
    """Issue, verify, list and revoke API tokens; every change is an appended row."""

    def __init__(self, store: Store, clock: Clock) -> None:
        self._store = store
        self._clock = clock
        self._versions = Versions(clock)

    def _latest(self, token_id: str = "", person_id: str = "", digest: str = "") -> list[ApiToken]:
        rows = self._store.query(
            "SELECT id, person_id, label, created, expires_at, revoked, digest FROM ("
            "SELECT *, min(at) OVER (PARTITION BY id) AS created FROM {db}.api_tokens "
            "WHERE ({id:String} = '' OR id = {id:String}) "
            "AND ({person:String} = '' OR person_id = {person:String}) "
            "AND ({digest:String} = '' OR digest = {digest:String}) "
            "ORDER BY id, version DESC LIMIT 1 BY id) ORDER BY created, id",
            {"id": token_id, "person": person_id, "digest": digest},
        )
        return [
            ApiToken(r[0], r[1], r[2], utc(r[3]), utc(r[4]) if r[4] else None, r[5], r[6])
            for r in rows
        ]

    def _append(self, token: ApiToken, actor: str) -> None:
        row = [
            token.id,
            self._versions.next(),
            self._clock.now(),
            actor,
            token.person_id,
            token.label,
            token.digest,
            token.expires_at,
            token.revoked,
        ]
        self._store.insert("api_tokens", [row], _COLUMNS)

    def issue(
        self, person_id: str, label: str, actor: str, expires_at: datetime | None = None
    ) -> tuple[ApiToken, str]:
        """A new token for the account; returns it with its secret (to show once)."""
        secret = bearer.API.mint()
        token = ApiToken(
            id=str(uuid.uuid4()),
            person_id=person_id,
            label=label[:100],
            created_at=self._clock.now(),
            expires_at=expires_at,
            revoked=False,
            digest=bearer.digest(secret),
        )
        self._append(token, actor)
        return token, secret

    def verify(self, secret: str) -> ApiToken | None:
        """The live token with this secret (not revoked, not expired), else None."""
        key = bearer.API.digest_of(secret)
        found = self._latest(digest=key) if key else []
        if not found or not bearer.live(found[0].revoked, found[0].expires_at, self._clock.now()):
            return None
        return found[0]

    def of_person(self, person_id: str) -> list[ApiToken]:
        return self._latest(person_id=person_id) if person_id else []

    def revoke(self, token_id: str, actor: str) -> ApiToken:
        found = self._latest(token_id=token_id) if token_id else []
        if not found:
            raise AccountError(f"no API token with id {token_id!r}")
        token = ApiToken(**{**found[0].__dict__, "revoked": True})
        self._append(token, actor)
        return token

    def revoke_all(self, person_id: str, actor: str) -> int:
        """Revoke every live token of an account (when it is disabled); returns how many."""
        live = [t for t in self.of_person(person_id) if not t.revoked]
        for token in live:
            self.revoke(token.id, actor)
        return len(live)
