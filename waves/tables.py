"""The waves package's table (versions 500–519): every change to a wave, appended, never updated.

A wave's current plan is its latest event; the events are its history (who planned, replanned or
cancelled it, when, from where, and the maintenance window its night became). Created without a
TTL (no retention class): a few rows per wave, and a month's report, reissued years later, lists
the waves of its month.
"""

from __future__ import annotations

from store.migrations import Migration
from store.schema import Table

WAVE_EVENTS = Table(
    name="migration_wave_events",
    columns="""
    at DateTime64(3, 'UTC'),
    wave_id String,
    kind LowCardinality(String),
    actor String,
    source String,
    plan String,
    maintenance_id String
    """,
    engine="MergeTree",
    partition_by="toYYYYMM(at)",
    order_by="wave_id, at",
    shard_key="cityHash64(wave_id)",
)

MIGRATIONS: list[Migration] = [Migration(500, "migration_waves", (WAVE_EVENTS,))]
