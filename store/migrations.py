"""Versioned, idempotent schema migrations, recorded in `schema_migrations`.

Each migration is a list of tables, views and raw statements; every statement is idempotent
(IF NOT EXISTS), so a migration interrupted half-way is simply applied again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from store import ingest_health, intake, tables
from store.client import Store
from store.errors import MigrationError, StoreError
from store.schema import (
    AlterTable,
    ClusterConfig,
    DedupWindow,
    DropView,
    Table,
    View,
    render_alter_table,
    render_database,
    render_dedup_window,
    render_drop_view,
    render_table,
    render_view,
)

Item = Table | View | DedupWindow | DropView | AlterTable | str

MIGRATIONS_TABLE = Table(
    name="schema_migrations",
    columns="""
    version UInt32,
    name String,
    checksum String,
    applied_at DateTime64(3, 'UTC')
    """,
    engine="ReplacingMergeTree(applied_at)",
    order_by="version",
)


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    items: Sequence[Item] = field(default_factory=tuple)

    def statements(self, db: str, cluster: ClusterConfig | None = None) -> list[str]:
        out: list[str] = []
        for item in self.items:
            if isinstance(item, Table):
                out.extend(render_table(db, item, cluster))
            elif isinstance(item, View):
                out.extend(render_view(db, item, cluster))
            elif isinstance(item, DedupWindow):
                out.extend(render_dedup_window(db, item, cluster))
            elif isinstance(item, DropView):
                out.extend(render_drop_view(db, item, cluster))
            elif isinstance(item, AlterTable):
                out.extend(render_alter_table(db, item, cluster))
            else:
                out.append(item.replace("{db}", db))
        return out

    def checksum(self) -> str:
        text = "\n;\n".join(self.statements("db"))
        return hashlib.sha256(text.encode()).hexdigest()[:16]


MIGRATIONS: list[Migration] = [
    Migration(
        1,
        "ingest_core",
        (
            tables.POINTS,
            tables.MINUTE_COUNTS,
            tables.MINUTE_COUNTS_SUM_MV,
            tables.MINUTE_COUNTS_HIST_MV,
            tables.MINUTE_GAUGES,
            tables.MINUTE_GAUGES_MV,
            tables.MINUTE_INGEST,
            tables.MINUTE_INGEST_MV,
            tables.SERIES_LAST,
            tables.SERIES_LAST_MV,
            tables.SPANS,
            tables.INGEST_REJECTIONS,
            tables.AUDIT_LOG,
        ),
    ),
    # A batch written again with its token (collector/journal.py) lands once in `points` and in
    # every table its views write to.
    Migration(
        2,
        "points_dedup_windows",
        tuple(
            DedupWindow(name)
            for name in ("points", "minute_counts", "minute_gauges", "minute_ingest", "series_last")
        ),
    ),
    # Counters and histograms through one view: three parts fewer per insert (the SLO rollups
    # cascade from each view's block). Migrations run before ingest starts, so no insert sees
    # both or neither.
    Migration(
        3,
        "minute_counts_one_view",
        (
            DropView(tables.MINUTE_COUNTS_SUM_MV.name),
            DropView(tables.MINUTE_COUNTS_HIST_MV.name),
            tables.MINUTE_COUNTS_MV,
        ),
    ),
    # Late data (collector/tracker.py): a late cumulative point corrects its stored successor
    # with a correction row, whose bucket deltas may be negative. Correction rows are not
    # points received: the arrival and last-state views skip them.
    Migration(
        4,
        "late_points",
        (
            tables.POINTS_LATE_COLUMNS,
            tables.SERIES_LAST_SUM_COLUMN,
            DropView(tables.MINUTE_INGEST_MV.name),
            DropView(tables.SERIES_LAST_MV.name),
            tables.MINUTE_INGEST_RECEIVED_MV,
            tables.SERIES_LAST_RECEIVED_MV,
        ),
    ),
    # The collector's heartbeat per minute and instance (written by collector/health.py, read
    # by slo/ through store/ingest_health.py): a minute without a row is Vigie's own gap.
    Migration(5, "collector_minutes", (ingest_health.COLLECTOR_MINUTES,)),
    # What each agent sent per minute and SAMU (store/intake.py); its refusals reach
    # `ingest_rejections` through a view, so the collector writes one table.
    Migration(6, "ingest_agents", (intake.INGEST_AGENTS, intake.INGEST_REJECTIONS_MV)),
]


def check_versions(migrations: Sequence[Migration]) -> list[Migration]:
    """Migrations in version order; each package owns a range (store 1–99, alerts 100–199,
    slo 200–299, reports 300–399, dashboards 400–499), and a version may appear only once."""
    seen: set[int] = set()
    for migration in migrations:
        if migration.version in seen:
            raise MigrationError(f"migration version {migration.version} is defined twice")
        seen.add(migration.version)
    return sorted(migrations, key=lambda m: m.version)


def cluster_ddl(
    db: str, cluster: ClusterConfig, migrations: Sequence[Migration] | None = None
) -> list[str]:
    """Every statement of the schema in its cluster form, for review or a manual rollout."""
    out = [render_database(db, cluster), *render_table(db, MIGRATIONS_TABLE, cluster)]
    for migration in check_versions(MIGRATIONS if migrations is None else migrations):
        out.extend(migration.statements(db, cluster))
    return out


def applied_versions(store: Store) -> dict[int, str]:
    rows = store.query(
        "SELECT version, argMax(checksum, applied_at) FROM {db}.schema_migrations GROUP BY version"
    )
    return {int(v): str(c) for v, c in rows}


def migrate(
    store: Store,
    cluster: ClusterConfig | None = None,
    migrations: Sequence[Migration] | None = None,
) -> list[Migration]:
    """Apply every migration not yet recorded (default: the store's own); returns those applied.

    The composition root passes every package's migrations (vigie.schema.all_migrations)."""
    db = store.database
    try:
        store.command(render_database(db, cluster))
        for statement in render_table(db, MIGRATIONS_TABLE, cluster):
            store.command(statement)
        done = applied_versions(store)
    except StoreError as exc:
        raise MigrationError(f"cannot prepare the migrations table: {exc}") from exc
    applied: list[Migration] = []
    for migration in check_versions(MIGRATIONS if migrations is None else migrations):
        if migration.version in done:
            continue
        for statement in migration.statements(db, cluster):
            try:
                store.command(statement)
            except StoreError as exc:
                raise MigrationError(
                    f"migration {migration.version} ({migration.name}) failed: {exc}"
                ) from exc
        store.insert(
            "schema_migrations",
            [[migration.version, migration.name, migration.checksum(), datetime.now(UTC)]],
            ["version", "name", "checksum", "applied_at"],
        )
        applied.append(migration)
    return applied


def status(
    store: Store, migrations: Sequence[Migration] | None = None
) -> list[tuple[int, str, bool]]:
    """(version, name, applied) for every known migration."""
    try:
        done = applied_versions(store)
    except StoreError:
        done = {}
    known = check_versions(MIGRATIONS if migrations is None else migrations)
    return [(m.version, m.name, m.version in done) for m in known]
