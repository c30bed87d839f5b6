"""Silences: matchers plus a time window; an active silence whose matchers all hold mutes."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from alerts.errors import SilenceError
from alerts.matchers import Matcher, MatchType, matches_all

_POSITIVE = (MatchType.EQUAL, MatchType.REGEXP)


class SilenceState(enum.Enum):
    """Where a silence stands at a given instant."""

    PENDING = "pending"
    ACTIVE = "active"
    EXPIRED = "expired"


@dataclass(frozen=True)
class Silence:
    """A silence as Alertmanager stores it (without its update time, kept by the store)."""

    id: str
    matchers: tuple[Matcher, ...]
    starts_at: datetime
    ends_at: datetime
    created_by: str
    comment: str

    def state(self, now: datetime) -> SilenceState:
        """Pending before `starts_at`, expired after `ends_at`, active in between (inclusive)."""
        if now < self.starts_at:
            return SilenceState.PENDING
        if now > self.ends_at:
            return SilenceState.EXPIRED
        return SilenceState.ACTIVE

    def matches(self, labels: Mapping[str, str]) -> bool:
        """Whether every matcher of the silence holds on the label set."""
        return matches_all(self.matchers, labels)


def validate_silence(silence: Silence) -> None:
    """Reject what Alertmanager rejects: no matcher, all matchers match '', end before start."""
    if not silence.matchers:
        raise SilenceError("at least one matcher required")
    # As Alertmanager: only `=` and `=~` count as matching the empty string here.
    if all(m.type in _POSITIVE and m.matches("") for m in silence.matchers):
        raise SilenceError("at least one matcher must not match the empty string")
    if silence.ends_at < silence.starts_at:
        raise SilenceError("end time must not be before start time")
    if not silence.created_by:
        raise SilenceError("creator information missing")
    if not silence.comment:
        raise SilenceError("comment missing")


class SilenceMatcher:
    """A `Muter` over a snapshot of silences, as Alertmanager's Silencer."""

    def __init__(self, silences: Iterable[Silence]) -> None:
        self._silences = tuple(silences)

    def silenced_by(self, labels: Mapping[str, str], now: datetime) -> list[str]:
        """Ids of the active silences that match the label set at `now`."""
        return [
            s.id
            for s in self._silences
            if s.state(now) is SilenceState.ACTIVE and s.matches(labels)
        ]

    def mutes(self, labels: Mapping[str, str], now: datetime) -> bool:
        """Whether an active silence matches the label set at `now`."""
        return bool(self.silenced_by(labels, now))
