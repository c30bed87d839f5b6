"""A migration wave: SAMU moved from one platform to another in one planned night.

Built from a plan file by `waves.plan` (never by hand in the product), stored as appended
events by `waves.history`, compared before vs after by `waves.compare`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from waves.errors import PlanError

ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
LONGEST_NIGHT = timedelta(hours=24)
TIMEZONE = "Europe/Paris"


@dataclass(frozen=True)
class Move:
    """One SAMU of a wave and the platforms it leaves and joins."""

    samu_id: str
    source: str  # the platform it moves from
    target: str  # the platform it moves to


@dataclass(frozen=True)
class Wave:
    """A planned migration: its SAMU, its night (a maintenance window) and who approved it."""

    id: str
    title: str
    starts_at: datetime  # the night, UTC
    ends_at: datetime
    approved_by: str
    moves: tuple[Move, ...]
    reason: str = ""

    def __post_init__(self) -> None:
        if not ID_PATTERN.fullmatch(self.id):
            raise PlanError(f"wave id {self.id!r}: letters, digits, '.', '_' or '-' (≤ 64)")
        if self.starts_at.tzinfo is None or self.ends_at.tzinfo is None:
            raise PlanError(f"wave {self.id}: the night needs times with a UTC offset")
        if self.ends_at <= self.starts_at:
            raise PlanError(f"wave {self.id}: the night ends before it starts")
        if self.ends_at - self.starts_at > LONGEST_NIGHT:
            raise PlanError(f"wave {self.id}: a migration night lasts at most 24 h")
        if not self.approved_by.strip():
            raise PlanError(f"wave {self.id}: approved_by is required")
        if not self.moves:
            raise PlanError(f"wave {self.id}: no SAMU")
        ids = [m.samu_id for m in self.moves]
        twice = sorted({s for s in ids if ids.count(s) > 1})
        if twice:
            raise PlanError(f"wave {self.id}: SAMU listed twice: {', '.join(twice)}")

    @property
    def samu_ids(self) -> tuple[str, ...]:
        return tuple(m.samu_id for m in self.moves)

    def move_of(self, samu_id: str) -> Move | None:
        return next((m for m in self.moves if m.samu_id == samu_id), None)

    def to_dict(self) -> dict[str, Any]:
        """The wave as stored in its events and shown by the API (times in ISO 8601, UTC)."""
        return {
            "id": self.id,
            "title": self.title,
            "night": {"start": self.starts_at.isoformat(), "end": self.ends_at.isoformat()},
            "approved_by": self.approved_by,
            "reason": self.reason,
            "samu": [{"id": m.samu_id, "from": m.source, "to": m.target} for m in self.moves],
        }

    @staticmethod
    def from_dict(data: dict[str, Any]) -> Wave:
        """The inverse of `to_dict` (stored events)."""
        night = data["night"]
        return Wave(
            id=str(data["id"]),
            title=str(data["title"]),
            starts_at=datetime.fromisoformat(night["start"]).astimezone(UTC),
            ends_at=datetime.fromisoformat(night["end"]).astimezone(UTC),
            approved_by=str(data["approved_by"]),
            moves=tuple(Move(str(m["id"]), str(m["from"]), str(m["to"])) for m in data["samu"]),
            reason=str(data.get("reason", "")),
        )
