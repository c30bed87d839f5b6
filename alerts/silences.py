"""The silence service: create, update and expire silences as Alertmanager does; persisted, audited.

Beyond Alertmanager: a silence created with `expire_on_resolve` ends by itself once every alert it
matched has resolved (it must first have matched a firing alert), so it cannot hide a recurrence.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from alerts.errors import AlertsError
from alerts.events import SYSTEM, EventLog
from alerts.matchers import Matcher, MatchType
from alerts.model import Alert
from alerts.silence import Silence, SilenceMatcher, SilenceState, validate_silence
from alerts.tables import row_version
from store.audit import AuditLog
from store.client import Store
from store.clock import Clock, utc

_COLUMNS = (
    "id",
    "matchers",
    "starts_at",
    "ends_at",
    "created_by",
    "comment",
    "expire_on_resolve",
    "seen_firing",
    "updated_at",
    "version",
)


class SilenceNotFound(AlertsError, LookupError):
    """No silence has this id."""


class SilenceExpired(AlertsError, ValueError):
    """The silence has already expired and cannot be expired again."""


@dataclass(frozen=True)
class SilenceRecord:
    """A stored silence: the silence, its last update, and the auto-expiry state."""

    silence: Silence
    updated_at: datetime
    expire_on_resolve: bool = False
    seen_firing: bool = False  # it has matched a firing alert (auto-expiry is armed)


def matchers_json(matchers: Iterable[Matcher]) -> str:
    """Matchers in Alertmanager's API form: name, value, isRegex, isEqual."""
    return json.dumps([_wire(m) for m in matchers])


def _wire(m: Matcher) -> dict[str, object]:
    regex = m.type in (MatchType.REGEXP, MatchType.NOT_REGEXP)
    equal = m.type in (MatchType.EQUAL, MatchType.REGEXP)
    return {"name": m.name, "value": m.value, "isRegex": regex, "isEqual": equal}


def matcher_from_wire(name: str, value: str, is_regex: bool, is_equal: bool) -> Matcher:
    """A matcher from its API form (raises MatcherError on a bad regular expression)."""
    types = {
        (False, True): MatchType.EQUAL,
        (False, False): MatchType.NOT_EQUAL,
        (True, True): MatchType.REGEXP,
        (True, False): MatchType.NOT_REGEXP,
    }
    return Matcher(types[(is_regex, is_equal)], name, value)


def _can_update(old: Silence, new: Silence, now: datetime) -> bool:
    """Alertmanager's `canUpdate`: same matchers, and times that the current state allows."""
    if old.matchers != new.matchers:
        return False
    state = old.state(now)
    if state is SilenceState.ACTIVE:
        return new.starts_at == old.starts_at and new.ends_at >= now
    if state is SilenceState.PENDING:
        return new.starts_at >= now
    return False


class SilenceService:
    """Silences in memory, written through to `silences`; every change audited and logged."""

    def __init__(
        self, store: Store, clock: Clock, events: EventLog, audit: AuditLog | None = None
    ) -> None:
        self._store, self._clock, self._events, self._audit = store, clock, events, audit
        self.retention = timedelta(hours=120)  # expired silences stay listed this long
        self._records: dict[str, SilenceRecord] = {}
        self._lock = threading.Lock()

    def load(self) -> int:
        """Read back the silences not expired longer than the retention ago."""
        rows = self._store.query(
            "SELECT id, matchers, starts_at, ends_at, created_by, comment, expire_on_resolve, "
            "seen_firing, updated_at FROM {db}.silences FINAL "
            "WHERE ends_at > {cutoff:DateTime64(6, 'UTC')}",
            {"cutoff": self._clock.now() - self.retention},
        )
        with self._lock:
            for sid, wire, start, end, by, comment, auto, seen, updated in rows:
                matchers = tuple(
                    matcher_from_wire(w["name"], w["value"], w["isRegex"], w["isEqual"])
                    for w in json.loads(wire)
                )
                silence = Silence(sid, matchers, utc(start), utc(end), by, comment)
                self._records[sid] = SilenceRecord(silence, utc(updated), bool(auto), bool(seen))
        return len(rows)

    def get(self, sid: str) -> SilenceRecord:
        with self._lock:
            record = self._records.get(sid)
        if record is None:
            raise SilenceNotFound(f"silence {sid!r} not found")
        return record

    def all(self) -> list[SilenceRecord]:
        with self._lock:
            return list(self._records.values())

    def matcher(self) -> SilenceMatcher:
        """A muter over the current silences."""
        return SilenceMatcher(r.silence for r in self.all())

    def upsert(
        self, silence: Silence, *, actor: str, source: str = "", expire_on_resolve: bool = False
    ) -> SilenceRecord:
        """Create a silence (empty id), or update one: in place when allowed, else replace it."""
        validate_silence(silence)
        now = self._clock.now()
        if silence.id:
            old = self.get(silence.id)
            if _can_update(old.silence, silence, now):
                record = replace(old, silence=silence, updated_at=now)
                record = replace(record, expire_on_resolve=expire_on_resolve)
                self._save(record, "silence.updated", actor, source)
                return record
            if old.silence.state(now) is SilenceState.ACTIVE:
                self.expire(old.silence.id, actor=actor, source=source)
        start = max(silence.starts_at, now)
        fresh = replace(silence, id=str(uuid.uuid4()), starts_at=start)
        record = SilenceRecord(fresh, now, expire_on_resolve)
        self._save(record, "silence.created", actor, source)
        return record

    def expire(self, sid: str, *, actor: str, source: str = "", reason: str = "") -> SilenceRecord:
        """End a silence now (a pending one never starts); an expired one is an error."""
        old = self.get(sid)
        now = self._clock.now()
        state = old.silence.state(now)
        if state is SilenceState.EXPIRED:
            raise SilenceExpired(f"silence {sid!r} already expired")
        start = now if state is SilenceState.PENDING else old.silence.starts_at
        record = replace(old, silence=replace(old.silence, starts_at=start, ends_at=now))
        self._save(replace(record, updated_at=now), "silence.expired", actor, source, reason)
        return record

    def auto_expire(self, alerts: Iterable[Alert]) -> list[str]:
        """Arm or end the silences created with `expire_on_resolve`; returns the ids ended."""
        now = self._clock.now()
        firing = [a for a in alerts if not a.resolved_at(now)]
        ended = []
        for record in self.all():
            if not record.expire_on_resolve or record.silence.state(now) is not SilenceState.ACTIVE:
                continue
            matched = any(record.silence.matches(a.labels) for a in firing)
            if matched and not record.seen_firing:
                self._save(replace(record, seen_firing=True, updated_at=now))
            elif record.seen_firing and not matched:
                self.expire(record.silence.id, actor=SYSTEM, reason="all its alerts resolved")
                ended.append(record.silence.id)
        return ended

    def _save(
        self,
        record: SilenceRecord,
        kind: str = "",
        actor: str = SYSTEM,
        source: str = "",
        reason: str = "",
    ) -> None:
        s = record.silence
        row = [s.id, matchers_json(s.matchers), s.starts_at, s.ends_at, s.created_by, s.comment]
        row += [record.expire_on_resolve, record.seen_firing, record.updated_at, row_version()]
        self._store.insert("silences", [row], _COLUMNS)
        with self._lock:
            self._records[s.id] = record
        if not kind:
            return
        details = {"matchers": [str(m) for m in s.matchers], "starts_at": s.starts_at.isoformat()}
        details |= {"ends_at": s.ends_at.isoformat(), "comment": s.comment, "reason": reason}
        self._events.record(kind, actor=actor, target=s.id, details=details)
        if self._audit is not None:
            self._audit.record(actor, kind, target=s.id, source=source, details=details)
