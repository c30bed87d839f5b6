"""The waves of one platform: plans imported, stored waves listed, comparisons made and kept.

One object for every reader (CLI, API, UI page, monthly report). A comparison is made for the
wave as planned now, at an instant rounded down to `REUSE` (five minutes), and reused within
it: a UI refresh or a second reader does not redo it, and data that arrives later (late data
corrects the past) is in the next one.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Protocol

from alerts.maintenance import MaintenanceWindow
from slo.model import SLO
from store.client import Store
from store.clock import Clock
from waves.compare import Comparison, compare
from waves.history import Outcome, StoredWave, WaveBook
from waves.measures import Method, Unit, sources_of
from waves.model import Wave
from waves.plan import Plan, plan_text

REUSE = timedelta(minutes=5)
_KEEP = 64  # comparisons kept


class MaintenanceSource(Protocol):
    """Every planned maintenance window (alerts.maintenance_store.MaintenanceStore has it)."""

    def list(self) -> Sequence[MaintenanceWindow]: ...


def floor_to(instant: datetime, step: timedelta) -> datetime:
    seconds = int(instant.timestamp()) // int(step.total_seconds()) * int(step.total_seconds())
    return datetime.fromtimestamp(seconds, UTC)


class WaveService:
    """Plans, lists and compares the waves of one store."""

    def __init__(
        self,
        store: Store,
        clock: Clock,
        book: WaveBook,
        maintenance: MaintenanceSource,
        labels: Mapping[str, Mapping[str, object]],
        slos: Callable[[], Sequence[SLO]],
        setup_bounds: Sequence[float],
        days: int = Method.days,
    ) -> None:
        self.store, self.clock, self.book = store, clock, book
        self._maintenance = maintenance
        self.labels = labels
        self.regions = {s: str(v.get("region", "")) for s, v in labels.items()}
        self._slos = slos
        self._bounds = tuple(setup_bounds)
        self.days = days  # on each side of a night, when a reader does not ask (the report)
        self._kept: OrderedDict[tuple[object, ...], Comparison] = OrderedDict()
        self._lock = threading.Lock()

    def read(self, text: str, name: str) -> Plan:
        """Validate a plan (YAML, or CSV when `name` ends with .csv): PlanError otherwise."""
        return plan_text(text, name, self.labels.keys())

    def plan(self, plan: Plan, *, actor: str, source: str = "") -> list[tuple[Wave, Outcome]]:
        """Record the waves of a validated plan (their nights become maintenance windows)."""
        return self.book.plan(plan.waves, actor=actor, source=source)

    def waves(self) -> list[StoredWave]:
        return self.book.current()

    def get(self, wave_id: str) -> StoredWave:
        return self.book.get(wave_id)

    def compare(
        self,
        wave_id: str,
        days: int | None = None,
        unit: Unit = Method.unit,
        now: datetime | None = None,
    ) -> Comparison:
        """The wave's comparison over `days` each side (default: the service's), as of `now`
        (default: the clock's, reused for five minutes)."""
        stored = self.get(wave_id)
        method = Method(days=days or self.days, unit=unit)
        at = now or floor_to(self.clock.now(), REUSE)
        key = (stored.wave, method, at)
        with self._lock:
            if key in self._kept:
                self._kept.move_to_end(key)
                return self._kept[key]
        found = compare(
            self.store,
            stored.wave,
            sources_of(list(self._slos()), self._bounds),
            self.labels,
            at,
            method,
            list(self._maintenance.list()),
            self.regions,
        )
        with self._lock:
            self._kept[key] = found
            while len(self._kept) > _KEEP:
                self._kept.popitem(last=False)
        return found

    def month(self, start: datetime, end: datetime, now: datetime) -> list[Comparison]:
        """The waves whose night starts in [start, end), compared as of `now` (a report)."""
        return [self.compare(w.wave.id, now=now) for w in self.book.between(start, end)]
