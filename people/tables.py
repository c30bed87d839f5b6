"""People and access tables (migrations 400–419): accounts, API tokens, sessions.

Accounts and tokens are appended, one row per change (`changed_by`, `change`), and read back
as the latest version per id: the table is its own history of who changed whom. Sessions are
mutable state (last seen, revoked) kept as versions of a ReplacingMergeTree; no TTL, so that a
wrong wall clock can never silently drop live sessions (a few rows per login: it stays small).
"""

from __future__ import annotations

from store.migrations import Migration
from store.schema import Retained, Table

PEOPLE = Table(
    name="people",
    columns="""
    id String,
    version UInt64,
    at DateTime64(6, 'UTC'),
    changed_by String,
    change LowCardinality(String),
    name String,
    display_name String,
    email String,
    roles Array(LowCardinality(String)),
    all_samu Bool,
    samu_scope Array(String),
    disabled Bool,
    source LowCardinality(String),
    issuer String,
    subject String,
    password_hash String
    """,
    engine="MergeTree",
    order_by="id, version",
    shard_key="cityHash64(id)",
)

API_TOKENS = Table(
    name="api_tokens",
    columns="""
    id String,
    version UInt64,
    at DateTime64(6, 'UTC'),
    changed_by String,
    person_id String,
    label String,
    digest String,
    expires_at Nullable(DateTime64(6, 'UTC')),
    revoked Bool
    """,
    engine="MergeTree",
    order_by="id, version",
    shard_key="cityHash64(id)",
)

SESSIONS = Table(
    name="sessions",
    columns="""
    digest String,
    version UInt64,
    person_id String,
    created_at DateTime64(6, 'UTC'),
    last_seen DateTime64(6, 'UTC'),
    expires_at DateTime64(6, 'UTC'),
    csrf String,
    source String,
    revoked Bool
    """,
    engine="ReplacingMergeTree(version)",
    order_by="digest",
    shard_key="cityHash64(digest)",
    retention=Retained("session", "expires_at"),
)

MIGRATIONS: list[Migration] = [
    Migration(400, "people_accounts_tokens_sessions", (PEOPLE, API_TOKENS, SESSIONS)),
]
