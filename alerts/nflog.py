"""The notification log: per (group key, receiver), what was last notified and when.

Persisted in `notification_log`, so that after a restart a group already notified within its
repeat interval is not paged again. `needs_update` is Alertmanager's `DedupStage.needsUpdate`.
"""

from __future__ import annotations

import threading
from collections.abc import Set
from dataclasses import dataclass
from datetime import datetime, timedelta

from alerts.tables import row_version
from store.client import Store
from store.clock import Clock, utc

DEFAULT_RETENTION = timedelta(hours=120)  # Alertmanager's --data.retention


@dataclass(frozen=True)
class NflogEntry:
    """The last notification of one group to one receiver."""

    group_key: str
    receiver: str
    at: datetime
    firing: frozenset[int]
    resolved: frozenset[int]


def needs_update(
    entry: NflogEntry | None,
    firing: Set[int],
    resolved: Set[int],
    send_resolved: bool,
    repeat_interval: timedelta,
    now: datetime,
) -> bool:
    """Whether a group must be notified now, given what was last notified (Alertmanager's rule)."""
    if entry is None:
        return bool(firing)  # never notified: only if something fires
    if not firing <= entry.firing:
        return True  # a new firing alert
    if not firing:
        # Everything resolved: notify (even without send_resolved, to clear the log) only if
        # the receiver had been told something was firing.
        return bool(entry.firing)
    if send_resolved and not resolved <= entry.resolved:
        return True
    return entry.at < now - repeat_interval


class NotificationLog:
    """The notification log in memory, written through to the store and reloaded from it."""

    def __init__(
        self, store: Store, clock: Clock, retention: timedelta = DEFAULT_RETENTION
    ) -> None:
        self._store = store
        self._clock = clock
        self.retention = retention
        self._entries: dict[tuple[str, str], NflogEntry] = {}
        self._lock = threading.Lock()

    def load(self) -> int:
        """Read back the entries younger than the retention; returns how many."""
        rows = self._store.query(
            "SELECT group_key, receiver, at, firing, resolved FROM {db}.notification_log FINAL "
            "WHERE at > {cutoff:DateTime64(6, 'UTC')}",
            {"cutoff": self._clock.now() - self.retention},
        )
        with self._lock:
            for key, receiver, at, firing, resolved in rows:
                entry = NflogEntry(key, receiver, utc(at), frozenset(firing), frozenset(resolved))
                self._entries[(key, receiver)] = entry
        return len(rows)

    def get(self, group_key: str, receiver: str) -> NflogEntry | None:
        """The last entry for the group and receiver, if younger than the retention."""
        with self._lock:
            entry = self._entries.get((group_key, receiver))
        if entry is None or entry.at <= self._clock.now() - self.retention:
            return None
        return entry

    def log(
        self, group_key: str, receiver: str, firing: Set[int], resolved: Set[int]
    ) -> NflogEntry:
        """Record a notification as sent now."""
        entry = NflogEntry(
            group_key, receiver, self._clock.now(), frozenset(firing), frozenset(resolved)
        )
        self._store.insert(
            "notification_log",
            [[group_key, receiver, entry.at, sorted(firing), sorted(resolved), row_version()]],
            ("group_key", "receiver", "at", "firing", "resolved", "version"),
        )
        with self._lock:
            self._entries[(group_key, receiver)] = entry
        return entry

    def entries(self) -> list[NflogEntry]:
        with self._lock:
            return sorted(self._entries.values(), key=lambda e: (e.group_key, e.receiver))
