"""The notifiers' tables (migrations 140–159): every delivery attempt as an appended event."""

from __future__ import annotations

from store.migrations import Migration
from store.schema import Retained, Table

NOTIFICATION_ATTEMPTS = Table(
    name="notification_attempts",
    columns="""
    at DateTime64(3, 'UTC'),
    id UUID,
    receiver LowCardinality(String),
    integration LowCardinality(String),
    group_key String,
    status LowCardinality(String),
    notification_at DateTime64(3, 'UTC'),
    alerts UInt32,
    samu_ids Array(LowCardinality(String)),
    attempt UInt16,
    ok Bool,
    retryable Bool,
    final Bool,
    detail String,
    duration_s Float64
    """,
    engine="MergeTree",
    partition_by="toYYYYMM(at)",
    order_by="at, receiver, integration",
    ttl="toDateTime(at) + INTERVAL 12 MONTH",
    retention=Retained("notification", "at"),
)

MIGRATIONS: list[Migration] = [
    Migration(140, "notification_attempts", (NOTIFICATION_ATTEMPTS,)),
]
