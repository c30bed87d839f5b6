"""Incident events in ClickHouse: append one at a time, read back per incident, in order."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from alerts.oncall.events import Event
from store.client import Store
from store.clock import utc

COLUMNS = [
    "at",
    "incident_id",
    "seq",
    "kind",
    "actor",
    "source",
    "step",
    "loop",
    "epoch",
    "person",
    "contact",
    "ok",
    "detail",
]
_SELECT = (
    "SELECT at, incident_id, seq, kind, actor, source, step, loop, epoch, person, contact, ok, "
    "detail FROM {db}.oncall_events "
)


def _row(e: Event) -> list[Any]:
    return [
        e.at,
        e.incident_id,
        e.seq,
        e.kind,
        e.actor,
        e.source,
        e.step,
        e.loop,
        e.epoch,
        e.person,
        e.contact,
        int(e.ok),
        json.dumps(dict(e.detail), ensure_ascii=False),
    ]


def _event(row: tuple[Any, ...]) -> Event:
    return Event(
        incident_id=row[1],
        seq=int(row[2]),
        at=utc(row[0]),
        kind=row[3],
        actor=row[4],
        source=row[5],
        step=int(row[6]),
        loop=int(row[7]),
        epoch=int(row[8]),
        person=row[9],
        contact=row[10],
        ok=bool(row[11]),
        detail=json.loads(row[12] or "{}"),
    )


class EventLog:
    """The `oncall_events` table."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def append(self, events: Iterable[Event]) -> None:
        """Store events (one insert)."""
        self._store.insert("oncall_events", [_row(e) for e in events], COLUMNS)

    def events(self, incident_ids: Iterable[str]) -> dict[str, list[Event]]:
        """Every event of these incidents, in order, by incident."""
        ids = sorted(set(incident_ids))
        out: dict[str, list[Event]] = {i: [] for i in ids}
        if not ids:
            return out
        rows = self._store.query(
            _SELECT + "WHERE incident_id IN {ids:Array(String)} ORDER BY incident_id, seq",
            {"ids": ids},
        )
        for row in rows:
            out[row[1]].append(_event(row))
        return out

    def open_ids(self) -> list[str]:
        """Incidents not resolved (to reload after a restart)."""
        rows = self._store.query(
            "SELECT incident_id FROM {db}.oncall_events GROUP BY incident_id "
            "HAVING countIf(kind = 'resolved') = 0 ORDER BY incident_id"
        )
        return [r[0] for r in rows]

    def ids_between(self, start: datetime, end: datetime, state: str = "") -> list[str]:
        """Incidents open at some time in [start, end), optionally only open/resolved ones."""
        rows = self._store.query(
            "SELECT incident_id, minIf(at, kind = 'opened') AS opened, "
            "maxIf(at, kind = 'resolved') AS resolved, countIf(kind = 'resolved') AS done "
            "FROM {db}.oncall_events GROUP BY incident_id "
            "HAVING opened < {end:DateTime64(3, 'UTC')} "
            "AND (done = 0 OR resolved >= {start:DateTime64(3, 'UTC')}) "
            "AND ({state:String} = '' OR ({state:String} = 'resolved') = (done > 0)) "
            "ORDER BY opened",
            {"start": start, "end": end, "state": state},
        )
        return [r[0] for r in rows]
