"""The collector's heartbeat: one `collector_minutes` row per minute this instance was up.

The export service counts what it answers (`request`, `shed`); the recorder samples the write
queue's oldest export; at each minute boundary of the injected clock (`tick`, called every
second by `run` and after each request) it writes the minute that ended, zeros included, so a
minute without a row means the collector was down (store/ingest_health.py). A minute the
process did not tick through (stopped, or its event loop blocked) gets no row: it was not
answering then. A row the store refuses is kept and written with the next one.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from store.clock import Clock
from store.errors import StoreError
from store.ingest_health import COLUMNS

log = logging.getLogger(__name__)
NS_PER_MINUTE = 60_000_000_000
MAX_KEPT_ROWS = 24 * 60  # rows kept while the store is down; the oldest are dropped beyond


class RowWriter(Protocol):
    def insert(
        self,
        table: str,
        rows: Any,
        columns: Any,
        *,
        settings: dict[str, Any] | None = None,
    ) -> None: ...


def default_instance() -> str:
    """This process: host name and process id (N receivers per machine are N instances)."""
    return f"{socket.gethostname()}/{os.getpid()}"


@dataclass
class _Minute:
    start_ns: int
    requests: int = 0
    accepted: int = 0
    rejected: int = 0
    shed: int = 0
    max_queue_age_s: float = 0.0

    def row(self, instance: str) -> tuple[object, ...]:
        return (
            self.start_ns // 1_000_000_000,
            instance,
            self.requests,
            self.accepted,
            self.rejected,
            self.shed,
            self.max_queue_age_s,
        )


class HealthRecorder:
    """Counts this instance's minute and writes it to `collector_minutes` at its end."""

    def __init__(
        self,
        store: RowWriter,
        clock: Clock,
        queue_age_s: Callable[[], float] = lambda: 0.0,
        instance: str | None = None,
    ) -> None:
        self._store = store
        self._clock = clock
        self._queue_age_s = queue_age_s
        self.instance = instance or default_instance()
        self._minute = _Minute(self._minute_of(clock.now_ns()))
        self._unwritten: list[tuple[object, ...]] = []
        self._writing = False

    @staticmethod
    def _minute_of(now_ns: int) -> int:
        return now_ns // NS_PER_MINUTE * NS_PER_MINUTE

    def request(self, accepted: int = 0, rejected: int = 0) -> None:
        """An export answered (any status); its points accepted and refused."""
        self._roll()
        self._minute.requests += 1
        self._minute.accepted += accepted
        self._minute.rejected += rejected

    def shed(self) -> None:
        """An export answered 503 / UNAVAILABLE (counted as a request too)."""
        self._roll()
        self._minute.requests += 1
        self._minute.shed += 1

    def _sample(self) -> None:
        age = self._queue_age_s()
        if age > self._minute.max_queue_age_s:
            self._minute.max_queue_age_s = age

    def _roll(self) -> bool:
        """Close the current minute if the clock left it; whether rows wait to be written."""
        self._sample()
        now = self._minute_of(self._clock.now_ns())
        if now > self._minute.start_ns:
            self._unwritten.append(self._minute.row(self.instance))
            self._minute = _Minute(now)
            del self._unwritten[:-MAX_KEPT_ROWS]
        return bool(self._unwritten)

    async def tick(self) -> None:
        """Write the minutes that ended (a no-op inside a minute)."""
        if self._roll() and not self._writing:
            await self._write()

    async def close(self) -> None:
        """Write the current, partial minute too (the instance was up in it)."""
        self._sample()
        self._unwritten.append(self._minute.row(self.instance))
        self._minute = _Minute(self._minute.start_ns)
        await self._write()

    async def _write(self) -> None:
        rows, self._unwritten = self._unwritten, []
        self._writing = True
        try:
            await asyncio.to_thread(self._store.insert, "collector_minutes", rows, COLUMNS)
        except StoreError as exc:
            log.warning(
                "could not write the collector heartbeat (%d minutes kept): %s", len(rows), exc
            )
            self._unwritten[:0] = rows
            del self._unwritten[:-MAX_KEPT_ROWS]
        finally:
            self._writing = False

    async def run(self, interval_s: float = 1.0) -> None:
        """Tick until cancelled (the collector runtime's background task)."""
        while True:
            await self.tick()
            await asyncio.sleep(interval_s)
