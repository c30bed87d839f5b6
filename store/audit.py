"""The audit log: who did what, when, from where; appended to the store, kept 12 months."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from store.client import Store
from store.clock import Clock, utc

COLUMNS = ["at", "id", "actor", "source", "action", "target", "details"]


class _Peer(Protocol):
    @property
    def host(self) -> str: ...


class HttpRequest(Protocol):
    """What `actor_of` reads of a request (Starlette's `Request` has it)."""

    @property
    def headers(self) -> Any: ...

    @property
    def client(self) -> _Peer | None: ...


def actor_of(request: HttpRequest) -> tuple[str, str]:
    """Who acts (the `X-Vigie-User` header the access gate set, else "anonymous") and from which
    address: the `actor` and `source` of an audit event, for every package's API."""
    user = str(request.headers.get("x-vigie-user", "")).strip() or "anonymous"
    return user, request.client.host if request.client else ""


@dataclass(frozen=True)
class AuditEvent:
    at: datetime
    id: str
    actor: str
    source: str
    action: str
    target: str
    details: dict[str, Any]


class AuditLog:
    """Appends and reads audit events; `details` must hold no free text from telemetry."""

    def __init__(self, store: Store, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    def record(
        self,
        actor: str,
        action: str,
        target: str = "",
        source: str = "",
        details: dict[str, Any] | None = None,
    ) -> AuditEvent:
        event = AuditEvent(
            at=self._clock.now(),
            id=str(uuid.uuid4()),
            actor=actor,
            source=source,
            action=action,
            target=target,
            details=details or {},
        )
        self._store.insert(
            "audit_log",
            [[event.at, event.id, actor, source, action, target, json.dumps(event.details)]],
            COLUMNS,
        )
        return event

    def query(
        self,
        since: datetime | None = None,
        action: str | None = None,
        actor: str | None = None,
        limit: int = 100,
    ) -> list[AuditEvent]:
        params: dict[str, Any] = {
            "limit": max(1, min(limit, 10_000)),
            "since": since or datetime(1970, 1, 1, tzinfo=UTC),
            "action": action or "",
            "actor": actor or "",
        }
        rows = self._store.query(
            "SELECT at, toString(id), actor, source, action, target, details FROM {db}.audit_log "
            "WHERE at >= {since:DateTime64(3, 'UTC')} "
            "AND ({action:String} = '' OR action = {action:String}) "
            "AND ({actor:String} = '' OR actor = {actor:String}) "
            "ORDER BY at DESC LIMIT {limit:UInt32}",
            params,
        )
        return [
            AuditEvent(utc(r[0]), r[1], r[2], r[3], r[4], r[5], json.loads(r[6] or "{}"))
            for r in rows
        ]
