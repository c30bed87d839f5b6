"""Wiring of the migration waves: one WaveService over the platform's store, the maintenance
store the alert pipeline mutes with, the loaded SLO specs and the setup-latency bounds."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from typing import TYPE_CHECKING

from fastapi import Request

from alerts.events import EventLog
from alerts.maintenance_store import MaintenanceStore
from slo.model import SLO
from store.audit import AuditLog
from store.client import Store
from store.clock import Clock
from store.registry import Registry
from vigie.access import principal_of
from vigie.catalogue import conventions_catalogue
from waves.history import WaveBook
from waves.measures import SETUP_METRIC, Method
from waves.service import WaveService

if TYPE_CHECKING:
    from vigie.platform import Platform


def build_waves(
    store: Store,
    clock: Clock,
    registry: Registry,
    audit: AuditLog,
    maintenance: MaintenanceStore,
    slos: Callable[[], Sequence[SLO]],
    days: int = Method.days,
) -> WaveService:
    """The waves service; `maintenance` must be the store whose windows the pipeline mutes."""
    labels = {s.id: {**s.to_dict(), "overseas": s.overseas} for s in registry}
    bounds = conventions_catalogue().metrics[SETUP_METRIC].bounds
    book = WaveBook(store, clock, maintenance, audit)
    return WaveService(store, clock, book, maintenance, labels, slos, bounds, days)


class PrincipalScope:
    """The caller's right to a wave's rows: a SAMU manager sees and changes only their SAMU."""

    def refusal(self, request: Request, samu_ids: Collection[str]) -> str | None:
        principal = principal_of(request)
        outside = sorted(s for s in samu_ids if not principal.can_see(s))
        return f"outside your SAMU scope: {', '.join(outside)}" if outside else None


def stored_waves(platform: Platform) -> WaveService:
    """The waves for a process without the engine (`vigie ui`): read from the store, with the
    specs from the files (the UI only lists and compares; plans go through the engine's API)."""
    from slo.loader import load_policy, load_specs

    clock = platform.clock
    maintenance = MaintenanceStore(platform.store, clock, EventLog(platform.store, clock))
    specs = load_specs(platform.settings.slo_specs, conventions_catalogue(), load_policy()).slos
    return build_waves(
        platform.store, clock, platform.registry, platform.audit, maintenance, lambda: specs
    )
