"""The alert pipeline's tables (migrations 100–119): alerts, events, silences, nflog, maintenance.

Mutable things (an alert's latest state, a silence, a maintenance window, a notification-log entry)
are appended as new versions of a row in a ReplacingMergeTree and read back with `FINAL`; what
happened is appended to `alert_events` and never rewritten.

No TTL: merges collapse the versions to one row per key, and a wall-clock TTL would also drop the
rows of a replayed or simulated past; retention reads filter by time instead.
"""

from __future__ import annotations

import threading
import time

from store.migrations import Migration
from store.schema import Retained, Table

# The latest known state of every alert, one version per change (reloaded at start).
ALERT_STATE = Table(
    name="alert_state",
    columns="""
    fingerprint UInt64,
    labels Map(String, String),
    annotations Map(String, String),
    starts_at DateTime64(6, 'UTC'),
    ends_at DateTime64(6, 'UTC'),
    updated_at DateTime64(6, 'UTC'),
    generator_url String,
    timeout Bool,
    version UInt64
    """,
    engine="ReplacingMergeTree(version)",
    order_by="fingerprint",
    shard_key="fingerprint",
)

# What happened, appended: alert transitions, notifications, silences, maintenance changes.
ALERT_EVENTS = Table(
    name="alert_events",
    columns="""
    at DateTime64(6, 'UTC'),
    kind LowCardinality(String),
    actor LowCardinality(String),
    target String,
    fingerprint String,
    alertname LowCardinality(String),
    samu LowCardinality(String),
    receiver LowCardinality(String),
    labels Map(String, String),
    details String
    """,
    engine="MergeTree",
    partition_by="toYYYYMM(at)",
    order_by="at, kind",
    retention=Retained("event", "at"),
)

SILENCES = Table(
    name="silences",
    columns="""
    id String,
    matchers String,
    starts_at DateTime64(6, 'UTC'),
    ends_at DateTime64(6, 'UTC'),
    created_by String,
    comment String,
    expire_on_resolve Bool,
    seen_firing Bool,
    updated_at DateTime64(6, 'UTC'),
    version UInt64
    """,
    engine="ReplacingMergeTree(version)",
    order_by="id",
    shard_key="cityHash64(id)",
)

# Per (group key, receiver): what was last notified, so dedup survives a restart.
NFLOG = Table(
    name="notification_log",
    columns="""
    group_key String,
    receiver String,
    at DateTime64(6, 'UTC'),
    firing Array(UInt64),
    resolved Array(UInt64),
    version UInt64
    """,
    engine="ReplacingMergeTree(version)",
    order_by="group_key, receiver",
    shard_key="cityHash64(group_key)",
)

MAINTENANCE = Table(
    name="maintenance_windows",
    columns="""
    id String,
    title String,
    starts_at DateTime64(6, 'UTC'),
    duration_s Float64,
    approved_by String,
    created_by String,
    samu_ids Array(String),
    regions Array(String),
    rrule String,
    timezone String,
    reason String,
    cancelled Bool,
    labels Map(String, String),
    updated_at DateTime64(6, 'UTC'),
    version UInt64
    """,
    engine="ReplacingMergeTree(version)",
    order_by="id",
    shard_key="cityHash64(id)",
)

MIGRATIONS: list[Migration] = [
    Migration(100, "alert_pipeline", (ALERT_STATE, ALERT_EVENTS, SILENCES, NFLOG, MAINTENANCE)),
]

_lock = threading.Lock()
_previous = [0]


def row_version() -> int:
    """A strictly increasing row version (wall nanoseconds, bumped on ties).

    An ordering token for ReplacingMergeTree, not a time the logic reads: two versions written
    at the same instant of an injected clock must still replace each other in order.
    """
    with _lock:
        value = max(time.time_ns(), _previous[0] + 1)
        _previous[0] = value
        return value
