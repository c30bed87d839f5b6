"""The active alerts: merged by fingerprint as Alertmanager does, persisted, reloaded at start.

An alert received without an end gets `now + resolve_timeout` (Alertmanager's "timeout" end, which
a later explicit end overrides); a resolved alert stays listed for `retention`, then is forgotten.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from operator import itemgetter

from alerts.events import Event, EventLog
from alerts.model import Alert
from alerts.tables import row_version
from store.client import Store
from store.clock import Clock, utc

_COLUMNS = (
    "fingerprint",
    "labels",
    "annotations",
    "starts_at",
    "ends_at",
    "updated_at",
    "generator_url",
    "timeout",
    "version",
)


@dataclass(frozen=True)
class StoredAlert:
    """An alert as held by the store: its end is always known, and when it was last updated."""

    alert: Alert
    updated_at: datetime
    timeout: bool = False  # the end was not given: it is the resolve timeout

    @property
    def fingerprint(self) -> int:
        return self.alert.fingerprint

    @property
    def ends_at(self) -> datetime:
        assert self.alert.ends_at is not None
        return self.alert.ends_at


def received(alert: Alert, now: datetime, resolve_timeout: timedelta) -> StoredAlert:
    """An alert as just received: stamped `now`, its missing end set to the resolve timeout."""
    if alert.ends_at is None:
        return StoredAlert(replace(alert, ends_at=now + resolve_timeout), now, timeout=True)
    return StoredAlert(alert, now)


def merge(old: StoredAlert, new: StoredAlert) -> StoredAlert:
    """Alertmanager's `Alert.Merge`: the newer wins, the earliest start, the right end."""
    if new.updated_at < old.updated_at:
        return merge(new, old)
    starts_at = min(old.alert.starts_at, new.alert.starts_at)
    ends_at = new.ends_at
    if new.alert.resolved_at(new.updated_at):
        if old.alert.resolved_at(new.updated_at) and old.ends_at > new.ends_at:
            ends_at = old.ends_at
    elif old.ends_at > new.ends_at and not old.timeout:
        ends_at = old.ends_at  # a non-timeout end always rules if it is the latest
    return replace(new, alert=replace(new.alert, starts_at=starts_at, ends_at=ends_at))


def put_one(old: StoredAlert | None, new: StoredAlert) -> StoredAlert:
    """Alertmanager's provider `Put`: merge only when the activity ranges overlap."""
    if old is None:
        return new
    a, o = new.alert, old.alert
    overlaps = (old.ends_at > new.ends_at > o.starts_at) or (
        old.ends_at > a.starts_at > o.starts_at
    )
    return merge(old, new) if overlaps else new


class AlertStore:
    """Holds the alerts in memory, writes each change to `alert_state`, logs transitions."""

    def __init__(
        self,
        store: Store,
        clock: Clock,
        events: EventLog,
        resolve_timeout: timedelta = timedelta(minutes=5),
        retention: timedelta = timedelta(hours=1),
    ) -> None:
        self._store = store
        self._clock = clock
        self._events = events
        self.resolve_timeout = resolve_timeout
        self.retention = retention
        self._alerts: dict[int, StoredAlert] = {}
        self._logged: dict[int, str] = {}  # the last transition written as an event
        self._lock = threading.Lock()

    def load(self) -> list[StoredAlert]:
        """Read back the alerts not resolved longer than `retention` ago."""
        now = self._clock.now()
        rows = self._store.query(
            "SELECT labels, annotations, starts_at, ends_at, updated_at, generator_url, timeout "
            "FROM {db}.alert_state FINAL WHERE ends_at > {cutoff:DateTime64(6, 'UTC')}",
            {"cutoff": now - self.retention},
        )
        loaded = [
            StoredAlert(Alert(r[0], utc(r[2]), utc(r[3]), r[1], r[5]), utc(r[4]), bool(r[6]))
            for r in rows
        ]
        with self._lock:
            for stored in loaded:
                self._alerts[stored.fingerprint] = stored
                self._logged[stored.fingerprint] = _state(stored.alert, now)
        return loaded

    def put(self, alerts: Sequence[Alert]) -> list[StoredAlert]:
        """Merge received alerts into the store; returns their stored versions, in order."""
        now = self._clock.now()
        out: list[StoredAlert] = []
        with self._lock:
            for alert in alerts:
                new = received(alert, now, self.resolve_timeout)
                stored = put_one(self._alerts.get(new.fingerprint), new)
                self._alerts[stored.fingerprint] = stored
                out.append(stored)
        self._store.insert("alert_state", [_row(s) for s in out], _COLUMNS)
        self.transitions()
        return out

    def get(self, fp: int) -> StoredAlert | None:
        with self._lock:
            return self._alerts.get(fp)

    def all(self) -> list[StoredAlert]:
        """Every alert held, firing and recently resolved, by fingerprint."""
        with self._lock:
            # By the dict's key, the fingerprint: `s.fingerprint` would hash every label set again.
            return [s for _, s in sorted(self._alerts.items(), key=itemgetter(0))]

    def transitions(self) -> list[Event]:
        """Append an event for every alert that became firing or resolved since last time."""
        now = self._clock.now()
        found: list[Event] = []
        with self._lock:
            for fp, stored in self._alerts.items():
                state = _state(stored.alert, now)
                last = self._logged.get(fp)
                if state != last:
                    self._logged[fp] = state
                    if last is not None or state == "firing":
                        found.append(self._events.transition(stored.alert, state, now))
        if found:
            self._events.append(found)
        return found

    def gc(self) -> int:
        """Forget alerts resolved longer than `retention` ago; returns how many."""
        cutoff = self._clock.now() - self.retention
        with self._lock:
            old = [fp for fp, s in self._alerts.items() if s.ends_at <= cutoff]
            for fp in old:
                del self._alerts[fp]
                self._logged.pop(fp, None)
        return len(old)


def _state(alert: Alert, now: datetime) -> str:
    return "resolved" if alert.resolved_at(now) else "firing"


def _row(s: StoredAlert) -> list[object]:
    a = s.alert
    return [
        s.fingerprint,
        dict(a.labels),
        dict(a.annotations),
        a.starts_at,
        s.ends_at,
        s.updated_at,
        a.generator_url,
        s.timeout,
        row_version(),
    ]
