"""On-call tables (migration versions 120–139): incident events and heartbeat check-ins."""

from __future__ import annotations

from store.migrations import Migration
from store.schema import Retained, Table

# Every incident transition, escalation step, contact attempt, ack and edit; append-only.
# No TTL: incidents are the record the monthly reports are built from (a few rows per page).
ONCALL_EVENTS = Table(
    name="oncall_events",
    columns="""
    at DateTime64(3, 'UTC'),
    incident_id String,
    seq UInt32,
    kind LowCardinality(String),
    actor String,
    source String,
    step Int16,
    loop Int16,
    epoch UInt16,
    person String,
    contact String,
    ok UInt8,
    detail String CODEC(ZSTD(1))
    """,
    engine="MergeTree",
    partition_by="toYYYYMM(at)",
    order_by="incident_id, seq",
    shard_key="cityHash64(incident_id)",
    retention=Retained("event", "at"),
)

# Check-ins and state changes of heartbeat monitors.
ONCALL_HEARTBEATS = Table(
    name="oncall_heartbeats",
    columns="""
    at DateTime64(3, 'UTC'),
    monitor String,
    kind LowCardinality(String),
    source String
    """,
    engine="MergeTree",
    partition_by="toYYYYMM(at)",
    order_by="monitor, at",
    ttl="toDateTime(at) + INTERVAL 400 DAY",
    shard_key="cityHash64(monitor)",
    retention=Retained("operations", "at"),
)

MIGRATIONS: list[Migration] = [
    Migration(120, "oncall_events", (ONCALL_EVENTS, ONCALL_HEARTBEATS)),
]
