"""Server-side login sessions: opaque cookie, absolute lifetime, idle timeout and a CSRF token.

The browser holds a random session id (`vgs_…`, people.bearer); the store holds only its digest,
so a leaked table cannot be replayed. Each login makes a new session (never reuses the one the
browser brought: no session fixation). Activity is written at most once per `touch_every` to
keep the store quiet.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from people import bearer
from people.versions import Versions
from store.client import Store
from store.clock import Clock, utc

_COLUMNS = [
    "digest",
    "version",
    "person_id",
    "created_at",
    "last_seen",
    "expires_at",
    "csrf",
    "source",
    "revoked",
]


@dataclass(frozen=True)
class SessionPolicy:
    """How long a session lives: at most `lifetime`, and `idle` without a request."""

    lifetime: timedelta = timedelta(hours=12)  # one NOC shift
    idle: timedelta = timedelta(minutes=30)
    touch_every: timedelta = timedelta(minutes=1)
    cookie: str = "vigie_session"


@dataclass(frozen=True)
class Session:
    """A live session (the id itself is never kept: only its digest)."""

    digest: str
    person_id: str
    created_at: datetime
    last_seen: datetime
    expires_at: datetime
    csrf: str
    source: str  # the address it was opened from

    def __repr__(self) -> str:
        return f"Session(person_id={self.person_id!r}, created_at={self.created_at})"


class Sessions:
    """Open, find, touch and revoke sessions in the store."""

    def __init__(self, store: Store, clock: Clock, policy: SessionPolicy | None = None) -> None:
        self._store = store
        self._clock = clock
        self.policy = policy or SessionPolicy()
        self._versions = Versions(clock)

    def _write(self, session: Session, revoked: bool = False) -> None:
        row = [
            session.digest,
            self._versions.next(),
            session.person_id,
            session.created_at,
            session.last_seen,
            session.expires_at,
            session.csrf,
            session.source,
            revoked,
        ]
        self._store.insert("sessions", [row], _COLUMNS)

    def open(self, person_id: str, source: str) -> tuple[Session, str]:
        """A new session for the account; returns it with the id to put in the cookie."""
        secret = bearer.SESSION.mint()
        now = self._clock.now()
        session = Session(
            digest=bearer.digest(secret),
            person_id=person_id,
            created_at=now,
            last_seen=now,
            expires_at=now + self.policy.lifetime,
            csrf=secrets.token_urlsafe(32),
            source=source,
        )
        self._write(session)
        return session, secret

    @staticmethod
    def _session(row: tuple[object, ...] | list[object]) -> Session:
        d, person, created, seen, expires, csrf, source = row[:7]
        assert isinstance(created, datetime) and isinstance(seen, datetime)
        assert isinstance(expires, datetime)
        return Session(
            str(d), str(person), utc(created), utc(seen), utc(expires), str(csrf), str(source)
        )

    def _find(self, digest: str) -> tuple[Session, bool] | None:
        rows = self._store.query(
            "SELECT digest, person_id, created_at, last_seen, expires_at, csrf, source, revoked "
            "FROM {db}.sessions FINAL WHERE digest = {digest:String}",
            {"digest": digest},
        )
        return (self._session(rows[0]), bool(rows[0][7])) if rows else None

    def find(self, secret: str) -> Session | None:
        """The live session with this id (not revoked, not expired, not idle), touched."""
        key = bearer.SESSION.digest_of(secret)
        found = self._find(key) if key else None
        if found is None:
            return None
        session, now = found[0], self._clock.now()
        if not bearer.live(found[1], session.expires_at, now):
            return None
        if now - session.last_seen >= self.policy.idle:
            return None
        if now - session.last_seen >= self.policy.touch_every:
            session = Session(**{**session.__dict__, "last_seen": now})
            self._write(session)
        return session

    def revoke(self, secret: str) -> bool:
        """End the session with this id (logout); False when there was none."""
        key = bearer.SESSION.digest_of(secret)
        found = self._find(key) if key else None
        if found is None or found[1]:
            return False
        self._write(found[0], revoked=True)
        return True

    def revoke_person(self, person_id: str) -> int:
        """End every session of an account (disabled, password changed); returns how many."""
        rows = self._store.query(
            "SELECT digest, person_id, created_at, last_seen, expires_at, csrf, source "
            "FROM {db}.sessions FINAL WHERE person_id = {person:String} AND NOT revoked "
            "AND expires_at > {now:DateTime64(6, 'UTC')}",
            {"person": person_id, "now": self._clock.now()},
        )
        for row in rows:
            self._write(self._session(row), revoked=True)
        return len(rows)
