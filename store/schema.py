"""The schema as data: tables and materialized views, rendered for one node or for a cluster.

On one node a table is created as written. In the cluster form every table becomes a
Replicated* table named `<name>_local` on each shard plus a Distributed table `<name>` sharded by
SAMU, created `ON CLUSTER`; materialized views read and write the local tables. Queries always
use the plain names, so the same SQL serves both forms.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class ClusterConfig:
    """Where the cluster form goes: the cluster name from the server's `remote_servers`."""

    name: str
    # ZooKeeper/Keeper path prefix; {shard} and {replica} are server macros.
    zk_prefix: str = "/clickhouse/tables/{shard}/{database}"


# Retention classes, one setting each (VIGIE_RETENTION_<CLASS>_DAYS): store/retention.py.
RetentionKind = Literal["raw", "rollup", "audit", "notification", "operations", "event", "session"]


@dataclass(frozen=True)
class Retained:
    """How long a table keeps its rows: its retention class and the time column the TTL counts
    from. The owner of the table declares it; `store.retention` applies the class's setting."""

    kind: RetentionKind
    column: str


@dataclass(frozen=True)
class Table:
    name: str
    columns: str
    engine: str  # e.g. "MergeTree", "SummingMergeTree(value)"
    order_by: str
    partition_by: str | None = None
    ttl: str | None = None  # the TTL it is created with; `retention` then governs it
    settings: str | None = None
    shard_key: str = "rand()"
    retention: Retained | None = None  # None: kept until dropped, no setting applies


@dataclass(frozen=True)
class View:
    """A materialized view that moves rows from `source` into `target` on insert."""

    name: str
    source: str
    target: str
    select: str  # uses {source} for the source table


@dataclass(frozen=True)
class DedupWindow:
    """Remember the last `blocks` inserted blocks of `table`, so that an insert repeated with the
    same deduplication token lands once (collector/journal.py). Replicated tables (the cluster
    form) have their own window, set here too."""

    table: str
    blocks: int = 1000


@dataclass(frozen=True)
class AlterTable:
    """Change the columns of an existing table (`ADD COLUMN IF NOT EXISTS …`, `MODIFY COLUMN …`);
    in the cluster form the local tables and the Distributed table alike."""

    table: str
    clauses: tuple[str, ...]


@dataclass(frozen=True)
class DropView:
    """Remove a materialized view (replaced by another in the same migration)."""

    name: str


def _on_cluster(cluster: ClusterConfig | None) -> str:
    return f" ON CLUSTER {cluster.name}" if cluster else ""


def _replicated(engine: str, table: str, cluster: ClusterConfig) -> str:
    family, _, args = engine.partition("(")
    args = args.rstrip(")")
    path = f"'{cluster.zk_prefix}/{table}', '{{replica}}'"
    return f"Replicated{family}({path}{', ' + args if args else ''})"


def render_table(db: str, table: Table, cluster: ClusterConfig | None) -> list[str]:
    """CREATE statements for one table (idempotent: IF NOT EXISTS)."""
    local = f"{table.name}_local" if cluster else table.name
    on_cluster = _on_cluster(cluster)
    engine = _replicated(table.engine, local, cluster) if cluster else table.engine
    parts = [
        f"CREATE TABLE IF NOT EXISTS {db}.{local}{on_cluster}\n(\n{table.columns.strip()}\n)",
        f"ENGINE = {engine}",
    ]
    if table.partition_by:
        parts.append(f"PARTITION BY {table.partition_by}")
    parts.append(f"ORDER BY ({table.order_by})")
    if table.ttl:
        parts.append(f"TTL {table.ttl}")
    if table.settings:
        parts.append(f"SETTINGS {table.settings}")
    statements = ["\n".join(parts)]
    if cluster:
        statements.append(
            f"CREATE TABLE IF NOT EXISTS {db}.{table.name}{on_cluster} AS {db}.{local}\n"
            f"ENGINE = Distributed({cluster.name}, {db}, {local}, {table.shard_key})"
        )
    return statements


def render_view(db: str, view: View, cluster: ClusterConfig | None) -> list[str]:
    suffix = "_local" if cluster else ""
    on_cluster = _on_cluster(cluster)
    select = view.select.strip().format(source=f"{db}.{view.source}{suffix}")
    return [
        f"CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.{view.name}{on_cluster}\n"
        f"TO {db}.{view.target}{suffix}\nAS {select}"
    ]


def render_dedup_window(db: str, window: DedupWindow, cluster: ClusterConfig | None) -> list[str]:
    local = f"{window.table}_local" if cluster else window.table
    on_cluster = _on_cluster(cluster)
    setting = "non_replicated_deduplication_window"
    if cluster:
        setting = "replicated_deduplication_window"
    return [f"ALTER TABLE {db}.{local}{on_cluster} MODIFY SETTING {setting} = {window.blocks}"]


def render_alter_table(db: str, alter: AlterTable, cluster: ClusterConfig | None) -> list[str]:
    on_cluster = _on_cluster(cluster)
    clauses = ",\n".join(clause.strip() for clause in alter.clauses)
    tables = [f"{alter.table}_local", alter.table] if cluster else [alter.table]
    return [f"ALTER TABLE {db}.{local}{on_cluster}\n{clauses}" for local in tables]


def render_drop_view(db: str, view: DropView, cluster: ClusterConfig | None) -> list[str]:
    on_cluster = _on_cluster(cluster)
    return [f"DROP VIEW IF EXISTS {db}.{view.name}{on_cluster}"]


def render_database(db: str, cluster: ClusterConfig | None) -> str:
    on_cluster = _on_cluster(cluster)
    return f"CREATE DATABASE IF NOT EXISTS {db}{on_cluster}"
