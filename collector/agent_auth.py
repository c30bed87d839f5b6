"""Agent authentication: each SAMU agent holds a bearer token bound to its SAMU id(s).

The OTLP receivers ask `AgentAuth.authenticate` for the token in `Authorization: Bearer vga_…`
(HTTP) or the `authorization` metadata (gRPC) before reading the body: none or a wrong one is
401 / UNAUTHENTICATED. After decoding they ask `authorize`: a request that names any SAMU the
token is not bound to is refused whole, 403 / PERMISSION_DENIED, and nothing of it is written
(a mis-bound agent is a configuration error or an attack, not bad data to half-keep; OTLP
senders do not retry 403). Every refusal is counted in `vigie_collector_agent_refusals_total`
(labels: transport, reason — closed sets) and audited, at most one audit row per token and
reason per `audit_every_s`, the next row carrying how many were folded into it.

Tokens are minted, digested and checked by the token core (people.bearer, kind `AGENT`); the
table keeps only digests (collector.tables). The receivers verify against an in-memory map of
live digests, reloaded when a change is made through the same `AgentTokens` object and at least
every `refresh_s` (changes made by another process, e.g. the CLI on a server DSN, take effect
within that delay).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Container, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from prometheus_client import CollectorRegistry, Counter

from collector.errors import CollectorError
from collector.model import Decoded
from people import bearer
from people.versions import Versions
from store.audit import AuditLog
from store.client import Store
from store.clock import Clock, utc
from store.errors import StoreError, StoreUnavailable

log = logging.getLogger(__name__)
_COLUMNS = ["id", "version", "at", "changed_by", "change", "label", "samu_ids", "digest", "revoked"]
REFUSALS = ("missing_token", "invalid_token", "samu_not_allowed")
TRANSPORTS = ("http", "grpc")


class AuthMode(StrEnum):
    """`VIGIE_AGENT_AUTH`: `required` (the default) or `off` (a lab behind its own gate)."""

    REQUIRED = "required"
    OFF = "off"


class AgentTokenError(CollectorError):
    """An agent token change that cannot be made (unknown SAMU, no SAMU, revoked token)."""


class UnknownAgentToken(AgentTokenError):
    """No agent token has this id."""


@dataclass(frozen=True)
class AgentToken:
    """What is known of an agent token; its secret is shown once and never stored."""

    id: str
    label: str
    samu_ids: tuple[str, ...]
    created_at: datetime
    changed_at: datetime
    revoked: bool
    digest: str = field(repr=False)

    def public(self) -> dict[str, Any]:
        """The fields that may be shown (no digest)."""
        return {
            "id": self.id,
            "label": self.label,
            "samu_ids": list(self.samu_ids),
            "created_at": self.created_at.isoformat(),
            "changed_at": self.changed_at.isoformat(),
            "revoked": self.revoked,
        }


class AgentTokens:
    """Add, rotate, revoke and list agent tokens; every change is an appended, audited row."""

    def __init__(
        self, store: Store, clock: Clock, audit: AuditLog, known_samu: Container[str]
    ) -> None:
        self._store, self._clock, self._audit = store, clock, audit
        self.known_samu = known_samu
        self._versions = Versions(clock)
        self.generation = 0  # bumped on every change made through this object

    def list(self, token_id: str = "") -> list[AgentToken]:
        """Every token (latest version of each), oldest first; or the one with `token_id`."""
        rows = self._store.query(
            "SELECT id, label, samu_ids, created, at, revoked, digest FROM ("
            "SELECT *, min(at) OVER (PARTITION BY id) AS created FROM {db}.agent_tokens "
            "WHERE ({id:String} = '' OR id = {id:String}) "
            "ORDER BY id, version DESC LIMIT 1 BY id) ORDER BY created, id",
            {"id": token_id},
        )
        return [
            AgentToken(r[0], r[1], tuple(r[2]), utc(r[3]), utc(r[4]), bool(r[5]), r[6])
            for r in rows
        ]

    def get(self, token_id: str) -> AgentToken:
        found = self.list(token_id) if token_id else []
        if not found:
            raise UnknownAgentToken(f"no agent token with id {token_id!r}")
        return found[0]

    def add(
        self, samu_ids: Sequence[str], label: str, actor: str, source: str = ""
    ) -> tuple[AgentToken, str]:
        """A new token for these SAMU; returns it with its secret (to show once)."""
        ids = tuple(sorted(set(samu_ids)))
        if not ids:
            raise AgentTokenError("an agent token needs at least one SAMU id")
        unknown = [s for s in ids if s not in self.known_samu]
        if unknown:
            raise AgentTokenError(f"unknown SAMU id(s): {', '.join(map(repr, unknown))}")
        secret = bearer.AGENT.mint()
        now = self._clock.now()
        token = AgentToken(
            str(uuid.uuid4()), label[:100], ids, now, now, False, bearer.digest(secret)
        )
        self._append(token, "add", actor, source)
        return token, secret

    def rotate(self, token_id: str, actor: str, source: str = "") -> tuple[AgentToken, str]:
        """A new secret for a live token; the old secret stops working at once."""
        token = self.get(token_id)
        if token.revoked:
            raise AgentTokenError(f"agent token {token_id!r} is revoked; add a new one")
        secret = bearer.AGENT.mint()
        rotated = replace(token, digest=bearer.digest(secret), changed_at=self._clock.now())
        self._append(rotated, "rotate", actor, source)
        return rotated, secret

    def revoke(self, token_id: str, actor: str, source: str = "") -> AgentToken:
        """Revoke a token for good (revoking twice is harmless)."""
        revoked = replace(self.get(token_id), revoked=True, changed_at=self._clock.now())
        self._append(revoked, "revoke", actor, source)
        return revoked

    def _append(self, token: AgentToken, change: str, actor: str, source: str) -> None:
        row = [
            token.id,
            self._versions.next(),
            token.changed_at,
            actor,
            change,
            token.label,
            list(token.samu_ids),
            token.digest,
            token.revoked,
        ]
        self._store.insert("agent_tokens", [row], _COLUMNS)
        self.generation += 1
        details = {"label": token.label, "samu_ids": list(token.samu_ids)}
        self._audit.record(actor, f"agent.token.{change}", token.id, source, details)


@dataclass(frozen=True)
class Refusal:
    """Why a request was refused: 401 (no or wrong token) or 403 (SAMU not bound)."""

    status: int
    reason: str  # one of REFUSALS
    message: str


@dataclass
class _Throttle:
    last_at: datetime
    folded: int = 0


class AgentAuth:
    """The receivers' gate: who is sending (token) and whether they may name these SAMU."""

    def __init__(
        self,
        tokens: AgentTokens,
        audit: AuditLog,
        clock: Clock,
        registry: CollectorRegistry,
        refresh_s: float = 10.0,
        audit_every_s: float = 60.0,
    ) -> None:
        self.tokens, self._audit, self._clock = tokens, audit, clock
        self._refresh_s, self._audit_every_s = refresh_s, audit_every_s
        self._live: dict[str, AgentToken] = {}
        self._ephemeral: dict[str, AgentToken] = {}
        self._loaded_at: datetime | None = None
        self._generation = -1
        self._throttle: dict[tuple[str, str], _Throttle] = {}
        self.refusals = Counter(
            "vigie_collector_agent_refusals",
            "OTLP requests refused by agent authentication, by transport and reason "
            "(missing_token, invalid_token, samu_not_allowed).",
            ["transport", "reason"],
            registry=registry,
        )
        for transport in TRANSPORTS:
            for reason in REFUSALS:
                self.refusals.labels(transport, reason)

    def mint_ephemeral(self, samu_ids: Iterable[str], label: str) -> str:
        """A token valid only in this process's memory (e.g. `vigie up --simulate`)."""
        secret = bearer.AGENT.mint()
        now = self._clock.now()
        token = AgentToken(
            f"ephemeral-{uuid.uuid4()}",
            label,
            tuple(sorted(samu_ids)),
            now,
            now,
            False,
            bearer.digest(secret),
        )
        self._ephemeral[token.digest] = token
        details = {"label": label, "samu_ids": len(token.samu_ids)}
        self._audit.record("vigie", "agent.token.ephemeral", token.id, "", details)
        return secret

    def _stale(self) -> bool:
        if self._loaded_at is None or self._generation != self.tokens.generation:
            return True
        return (self._clock.now() - self._loaded_at).total_seconds() >= self._refresh_s

    def refresh(self) -> None:
        """Reload the live digests; on a store error keep the last map (if there is one)."""
        generation = self.tokens.generation
        try:
            found = self.tokens.list()
        except StoreError as exc:
            if self._loaded_at is None:
                raise StoreUnavailable(f"agent tokens cannot be read: {exc}") from exc
            log.warning("agent tokens could not be reloaded; using the last known ones")
            return
        now = self._clock.now()
        self._live = {t.digest: t for t in found if bearer.live(t.revoked, None, now)}
        self._loaded_at, self._generation = self._clock.now(), generation

    def lookup(self, secret: str) -> AgentToken | None:
        """The live token with this secret, from memory (call `refresh` when stale)."""
        key = bearer.AGENT.digest_of(secret)
        return (self._ephemeral.get(key) or self._live.get(key)) if key else None

    async def authenticate(
        self, authorization: str | None, transport: str, source: str
    ) -> AgentToken | Refusal:
        """The token named by an Authorization value, or a 401 refusal (counted, audited)."""
        value = (authorization or "").strip()
        if not value:
            refusal = Refusal(401, "missing_token", "an agent token is required (Bearer vga_…)")
            return await self._refused(refusal, None, transport, source, {})
        if self._stale():
            await asyncio.to_thread(self.refresh)
        scheme, _, secret = value.partition(" ")
        token = self.lookup(secret.strip()) if scheme.lower() == "bearer" else None
        if token is None:
            refusal = Refusal(401, "invalid_token", "the agent token is unknown or revoked")
            return await self._refused(refusal, None, transport, source, {})
        return token

    async def authorize(
        self, token: AgentToken, decoded: Decoded, transport: str, source: str
    ) -> Refusal | None:
        """None when every SAMU the request names is bound to the token, else a 403."""
        named = {p.samu_id for p in decoded.points} | {s.samu_id for s in decoded.spans}
        named |= {r.samu_id for r in decoded.rejections if r.samu_id}
        foreign = named - set(token.samu_ids)
        if not foreign:
            return None
        known = self.tokens.known_samu
        listed = sorted(s for s in foreign if s in known)
        details: dict[str, Any] = {"samu_ids": listed, "unknown_samu": len(foreign) - len(listed)}
        shown = ", ".join(listed[:3]) or "an unknown SAMU"
        message = f"this agent token is not bound to {shown}; nothing was written"
        return await self._refused(
            Refusal(403, "samu_not_allowed", message), token, transport, source, details
        )

    async def _refused(
        self,
        refusal: Refusal,
        token: AgentToken | None,
        transport: str,
        source: str,
        details: dict[str, Any],
    ) -> Refusal:
        self.refusals.labels(transport, refusal.reason).inc()
        folded = self._fold(token.id if token else "", refusal.reason)
        if folded is not None:
            actor = f"agent:{token.id}" if token else "agent:unknown"
            info = {"reason": refusal.reason, "transport": transport, "folded": folded, **details}
            await asyncio.to_thread(
                self._audit.record, actor, "agent.denied", refusal.reason, source[:100], info
            )
        return refusal

    def _fold(self, token_id: str, reason: str) -> int | None:
        """How many refusals this audit row stands for beyond itself, or None to fold it."""
        now = self._clock.now()
        state = self._throttle.get((token_id, reason))
        if state is None:
            self._throttle[(token_id, reason)] = _Throttle(now)
            return 0
        if (now - state.last_at).total_seconds() < self._audit_every_s:
            state.folded += 1
            return None
        folded, state.last_at, state.folded = state.folded, now, 0
        return folded
