"""The alert event log: alert transitions, notifications, silences and maintenance, appended."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from alerts.model import Alert, fingerprint_hex
from store.client import Store
from store.clock import Clock, utc

COLUMNS = (
    "at",
    "kind",
    "actor",
    "target",
    "fingerprint",
    "alertname",
    "samu",
    "receiver",
    "labels",
    "details",
)
# The closed set of kinds (the UI and the monthly report read them by name).
KINDS = frozenset(
    {
        "alert.firing",
        "alert.resolved",
        "notification",
        "silence.created",
        "silence.updated",
        "silence.expired",
        "maintenance.created",
        "maintenance.cancelled",
        "config.reloaded",
        "config.rejected",
    }
)
SYSTEM = "vigie"  # the actor of what the pipeline does by itself


@dataclass(frozen=True)
class Event:
    """One appended event: what happened, to what, by whom."""

    at: datetime
    kind: str
    actor: str = SYSTEM
    target: str = ""  # group key, silence id or maintenance id
    fingerprint: str = ""
    receiver: str = ""
    labels: Mapping[str, str] = field(default_factory=dict)
    details: Mapping[str, Any] = field(default_factory=dict)


class EventLog:
    """Appends events to `alert_events` and reads them back (newest first)."""

    def __init__(self, store: Store, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    def append(self, events: Sequence[Event]) -> None:
        """Append events in one insert; an unknown kind is a programming error."""
        rows = []
        for e in events:
            if e.kind not in KINDS:
                raise ValueError(f"unknown alert event kind {e.kind!r}")
            rows.append(
                [
                    e.at,
                    e.kind,
                    e.actor,
                    e.target,
                    e.fingerprint,
                    e.labels.get("alertname", ""),
                    e.labels.get("samu", ""),
                    e.receiver,
                    dict(e.labels),
                    json.dumps(dict(e.details), default=str, sort_keys=True),
                ]
            )
        self._store.insert("alert_events", rows, COLUMNS)

    def record(self, kind: str, **fields: Any) -> None:
        """Append one event of `kind` at the clock's now."""
        self.append([Event(at=self._clock.now(), kind=kind, **fields)])

    def transition(self, alert: Alert, state: str, at: datetime) -> Event:
        """The event of an alert becoming firing or resolved."""
        return Event(
            at=at,
            kind=f"alert.{state}",
            fingerprint=fingerprint_hex(alert.labels),
            labels=alert.labels,
            details={"starts_at": alert.starts_at.isoformat(), "ends_at": _iso(alert.ends_at)},
        )

    def query(
        self, kind: str = "", since: datetime | None = None, limit: int = 1000
    ) -> list[Event]:
        """Events, newest first, optionally of one kind and since an instant."""
        rows = self._store.query(
            "SELECT at, kind, actor, target, fingerprint, receiver, labels, details "
            "FROM {db}.alert_events WHERE at >= {since:DateTime64(6, 'UTC')} "
            "AND ({kind:String} = '' OR kind = {kind:String}) "
            "ORDER BY at DESC LIMIT {limit:UInt32}",
            {"kind": kind, "since": since or datetime(1970, 1, 1, tzinfo=UTC), "limit": limit},
        )
        return [
            Event(utc(r[0]), r[1], r[2], r[3], r[4], r[5], dict(r[6]), json.loads(r[7] or "{}"))
            for r in rows
        ]


def _iso(value: datetime | None) -> str:
    return "" if value is None else value.isoformat()
