"""Accounts in the store: create, change, set a password, disable, list; each change appended."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from people.errors import AccountError, UnknownAccount
from people.model import Person, Role, check_scope, parse_roles
from people.passwords import (
    DEFAULT,
    DUMMY_HASH,
    ScryptParams,
    hash_password,
    verify_password,
)
from people.versions import Versions
from store.client import Store
from store.clock import Clock

NAME_RE = re.compile(r"^[a-z0-9][a-z0-9._@-]{0,63}$")
_COLUMNS = [
    "id",
    "version",
    "at",
    "changed_by",
    "change",
    "name",
    "display_name",
    "email",
    "roles",
    "all_samu",
    "samu_scope",
    "disabled",
    "source",
    "issuer",
    "subject",
    "password_hash",
]


def _person(row: tuple[Any, ...] | list[Any]) -> Person:
    return Person(
        id=row[0],
        name=row[1],
        display_name=row[2],
        email=row[3],
        roles=parse_roles(row[4]),
        samu_scope=None if row[5] else frozenset(row[6]),
        disabled=bool(row[7]),
        source=row[8],
        issuer=row[9],
        subject=row[10],
        password_hash=row[11],
    )


class Accounts:
    """The accounts of the platform, stored as appended versions in `people`."""

    def __init__(self, store: Store, clock: Clock, params: ScryptParams = DEFAULT) -> None:
        self._store = store
        self._clock = clock
        self._params = params
        self._versions = Versions(clock)

    def _latest(self, **match: str) -> list[Person]:
        """The latest version of the accounts whose given columns equal the given values."""
        params = {k: match.get(k, "") for k in ("id", "name", "iss", "sub")}
        rows = self._store.query(
            "SELECT id, name, display_name, email, roles, all_samu, samu_scope, disabled, source, "
            "issuer, subject, password_hash FROM ("
            "SELECT * FROM {db}.people ORDER BY id, version DESC LIMIT 1 BY id) "
            "WHERE ({id:String} = '' OR id = {id:String}) "
            "AND ({name:String} = '' OR name = {name:String}) "
            "AND ({iss:String} = '' OR (issuer = {iss:String} AND subject = {sub:String})) "
            "ORDER BY name",
            params,
        )
        return [_person(r) for r in rows]

    def list(self) -> list[Person]:
        """Every account, disabled ones included, by name."""
        return self._latest()

    def get(self, person_id: str) -> Person:
        found = self._latest(id=person_id) if person_id else []
        if not found:
            raise UnknownAccount(f"no account with id {person_id!r}")
        return found[0]

    def by_name(self, name: str) -> Person | None:
        found = self._latest(name=name.strip().lower()) if name.strip() else []
        return found[0] if found else None

    def by_subject(self, issuer: str, subject: str) -> Person | None:
        found = self._latest(iss=issuer, sub=subject) if issuer and subject else []
        return found[0] if found else None

    def _append(self, person: Person, actor: str, change: str) -> Person:
        check_scope(person.roles, person.samu_scope)
        scope = sorted(person.samu_scope or ())
        row = [
            person.id,
            self._versions.next(),
            self._clock.now(),
            actor,
            change,
            person.name,
            person.display_name,
            person.email,
            sorted(r.value for r in person.roles),
            person.samu_scope is None,
            scope,
            person.disabled,
            person.source,
            person.issuer,
            person.subject,
            person.password_hash,
        ]
        self._store.insert("people", [row], _COLUMNS)
        return person

    def create(
        self,
        name: str,
        roles: Iterable[Role],
        actor: str,
        samu_scope: Iterable[str] | None = None,
        password: str | None = None,
        display_name: str = "",
        email: str = "",
        source: str = "local",
        issuer: str = "",
        subject: str = "",
    ) -> Person:
        """A new account; the name must be new (lower case letters, digits, . _ @ -)."""
        name = name.strip().lower()
        if not NAME_RE.match(name):
            raise AccountError(
                f"invalid account name {name!r}: 1–64 lower-case letters, digits, '.', '_', "
                "'@' or '-', starting with a letter or digit"
            )
        if self.by_name(name) is not None:
            raise AccountError(f"an account named {name!r} already exists")
        person = Person(
            id=str(uuid.uuid4()),
            name=name,
            display_name=display_name or name,
            email=email,
            roles=frozenset(roles),
            samu_scope=None if samu_scope is None else frozenset(samu_scope),
            source=source,
            issuer=issuer,
            subject=subject,
            password_hash=hash_password(password, self._params) if password else "",
        )
        try:
            return self._append(person, actor, "create")
        except ValueError as exc:
            raise AccountError(str(exc)) from exc

    def update(self, person: Person, actor: str, change: str) -> Person:
        """Append a changed version of an existing account (roles, scope, names)."""
        self.get(person.id)
        try:
            return self._append(person, actor, change)
        except ValueError as exc:
            raise AccountError(str(exc)) from exc

    def set_password(self, person_id: str, password: str, actor: str) -> Person:
        """Set a new password (checked against the password rule, then hashed)."""
        person = self.get(person_id)
        hashed = hash_password(password, self._params)
        return self._append(replace(person, password_hash=hashed), actor, "password")

    def set_disabled(self, person_id: str, disabled: bool, actor: str) -> Person:
        person = self.get(person_id)
        change = "disable" if disabled else "enable"
        return self._append(replace(person, disabled=disabled), actor, change)

    def authenticate(self, name: str, password: str) -> Person | None:
        """The enabled local account with this name and password, else None (same cost)."""
        person = self.by_name(name) if NAME_RE.match(name.strip().lower()) else None
        encoded = person.password_hash if person and person.password_hash else DUMMY_HASH
        ok = verify_password(password, encoded)
        if person is None or not ok or person.disabled or not person.password_hash:
            return None
        return person
