"""What the API routers need from the platform, passed in explicitly (no globals)."""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import CollectorRegistry

from store.audit import AuditLog
from store.client import Store
from store.clock import Clock
from store.counts import CountsReader
from store.registry import Registry


@dataclass(frozen=True)
class ApiContext:
    store: Store
    registry: Registry
    clock: Clock
    audit: AuditLog
    counts: CountsReader
    metrics: CollectorRegistry
