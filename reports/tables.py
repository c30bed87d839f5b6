"""The report archive table (migrations 300–319): every issued report with its signed manifest."""

from __future__ import annotations

from store.migrations import Migration
from store.schema import Table

# One row per issued (month, version, language): the files themselves and their manifest.
REPORT_ARCHIVE = Table(
    name="report_archive",
    columns="""
    month String,
    version UInt32,
    lang LowCardinality(String),
    digest String,
    issued_at DateTime64(3, 'UTC'),
    actor String,
    reason String,
    manifest_name String,
    manifest String,
    names Array(String),
    contents Array(String)
    """,
    engine="ReplacingMergeTree(issued_at)",
    order_by="month, version, lang",
)

MIGRATIONS: list[Migration] = [Migration(300, "report_archive", (REPORT_ARCHIVE,))]
