"""The collector's own tables (migrations 20–39): agent tokens.

Tokens are appended, one row per change (`change`: add, rotate, revoke; `changed_by`), and read
back as the latest version per id, so the table is its own history. Only the SHA-256 digest of a
token's secret is stored; the secret is shown once, when it is made.
"""

from __future__ import annotations

from store.migrations import Migration
from store.schema import Table

AGENT_TOKENS = Table(
    name="agent_tokens",
    columns="""
    id String,
    version UInt64,
    at DateTime64(6, 'UTC'),
    changed_by String,
    change LowCardinality(String),
    label String,
    samu_ids Array(String),
    digest String,
    revoked Bool
    """,
    engine="MergeTree",
    order_by="id, version",
    shard_key="cityHash64(id)",
)

MIGRATIONS: list[Migration] = [
    Migration(20, "agent_tokens", (AGENT_TOKENS,)),
]
