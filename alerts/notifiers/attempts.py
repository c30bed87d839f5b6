"""The delivery-attempt log: one appended row per attempt, and the recent failures for the UI."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from store.client import Store
from store.clock import utc

COLUMNS = (
    "at",
    "id",
    "receiver",
    "integration",
    "group_key",
    "status",
    "notification_at",
    "alerts",
    "samu_ids",
    "attempt",
    "ok",
    "retryable",
    "final",
    "detail",
    "duration_s",
)
_DETAIL_CHARS = 1000


@dataclass(frozen=True)
class AttemptRecord:
    """One attempt to deliver a notification through one integration."""

    at: datetime
    receiver: str
    integration: str
    group_key: str
    status: str  # "firing" or "resolved"
    notification_at: datetime  # when the group was flushed: at − notification_at is the delay
    alerts: int
    samu_ids: tuple[str, ...]
    attempt: int  # 1-based
    ok: bool
    retryable: bool
    final: bool  # the last attempt of this delivery (success, permanent failure or given up)
    detail: str
    duration_s: float
    id: str = ""


class AttemptRecorder(Protocol):
    """Where attempts are written."""

    def record(self, attempt: AttemptRecord) -> None: ...


@dataclass
class MemoryAttempts:
    """Attempts kept in a list (tests, dry runs)."""

    rows: list[AttemptRecord]

    def record(self, attempt: AttemptRecord) -> None:
        self.rows.append(attempt)


_SELECT = (
    "SELECT at, toString(id), receiver, integration, group_key, status, notification_at, alerts, "
    "samu_ids, attempt, ok, retryable, final, detail, duration_s FROM {db}.notification_attempts "
)


class AttemptLog:
    """Attempts in the store's `notification_attempts` table."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def record(self, attempt: AttemptRecord) -> None:
        """Append one attempt."""
        row: list[Any] = [
            attempt.at,
            attempt.id or str(uuid.uuid4()),
            attempt.receiver,
            attempt.integration,
            attempt.group_key,
            attempt.status,
            attempt.notification_at,
            attempt.alerts,
            list(attempt.samu_ids),
            attempt.attempt,
            attempt.ok,
            attempt.retryable,
            attempt.final,
            attempt.detail[:_DETAIL_CHARS],
            attempt.duration_s,
        ]
        self._store.insert("notification_attempts", [row], COLUMNS)

    def recent_failures(
        self, since: datetime, final_only: bool = False, limit: int = 100
    ) -> list[AttemptRecord]:
        """Failed attempts since an instant, newest first; `final_only` keeps failed deliveries."""
        rows = self._store.query(
            _SELECT + "WHERE at >= {since:DateTime64(3, 'UTC')} AND NOT ok "
            "AND (NOT {final_only:Bool} OR final) "
            "ORDER BY at DESC, attempt DESC LIMIT {limit:UInt32}",
            {"since": since, "final_only": final_only, "limit": max(1, min(limit, 10_000))},
        )
        return [_record(row) for row in rows]

    def attempts(self, group_key: str, limit: int = 1000) -> list[AttemptRecord]:
        """Every attempt for one alert group, oldest first."""
        rows = self._store.query(
            _SELECT
            + "WHERE group_key = {group_key:String} ORDER BY at, attempt LIMIT {limit:UInt32}",
            {"group_key": group_key, "limit": max(1, min(limit, 100_000))},
        )
        return [_record(row) for row in rows]


def _record(row: Sequence[Any]) -> AttemptRecord:
    values = dict(zip(COLUMNS, row, strict=True))
    values["samu_ids"] = tuple(values["samu_ids"])
    values["at"], values["notification_at"] = utc(values["at"]), utc(values["notification_at"])
    values["ok"], values["retryable"], values["final"] = (
        bool(values["ok"]),
        bool(values["retryable"]),
        bool(values["final"]),
    )
    return AttemptRecord(**values)
