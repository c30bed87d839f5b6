"""The foundations every role shares: settings, the open store, registry, clock, audit, metrics."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from prometheus_client import CollectorRegistry

from store.audit import AuditLog
from store.client import Store, open_store
from store.clock import Clock, SystemClock
from store.counts import CountsReader
from store.migrations import migrate
from store.registry import Registry, load_registry
from store.retention import apply_retention
from store.schema import ClusterConfig
from vigie.api.deps import ApiContext
from vigie.files import data_paths, looser_than_private
from vigie.schema import all_migrations
from vigie.settings import Settings

log = logging.getLogger("vigie")


@dataclass(frozen=True)
class Platform:
    """The opened foundations every role shares."""

    settings: Settings
    store: Store
    registry: Registry
    clock: Clock
    metrics: CollectorRegistry
    audit: AuditLog
    counts: CountsReader

    def api_context(self) -> ApiContext:
        return ApiContext(
            store=self.store,
            registry=self.registry,
            clock=self.clock,
            audit=self.audit,
            counts=self.counts,
            metrics=self.metrics,
        )


def open_platform(settings: Settings, clock: Clock | None = None) -> Platform:
    """Open the store (raises StoreLocked/StoreUnavailable), migrate it, load the registry."""
    clock = clock or SystemClock()
    for problem in looser_than_private(data_paths(settings.data_dir, settings.backup_dir)):
        log.warning("%s", problem)
    store = open_store(settings.dsn, settings.database)
    cluster = ClusterConfig(settings.cluster) if settings.cluster else None
    migrations = all_migrations()
    migrate(store, cluster, migrations)
    for statement in apply_retention(store, settings, migrations, settings.cluster or None):
        log.warning("retention changed: %s", statement)
    return Platform(
        settings=settings,
        store=store,
        registry=load_registry(),
        clock=clock,
        metrics=CollectorRegistry(),
        audit=AuditLog(store, clock),
        counts=CountsReader(store),
    )
