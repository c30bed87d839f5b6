"""`vigie migrate` and store inspection commands."""

from __future__ import annotations

from pathlib import Path

import click

from store.client import open_store
from store.errors import StoreError
from store.migrations import cluster_ddl, migrate, status
from store.schema import ClusterConfig
from vigie.schema import all_migrations
from vigie.settings import Settings


@click.command("migrate")
@click.option("--data-dir", envvar="VIGIE_DATA_DIR", type=click.Path(), help="Data directory.")
@click.option("--dsn", envvar="VIGIE_CLICKHOUSE_DSN", default="", help="ClickHouse DSN.")
@click.option("--cluster", envvar="VIGIE_CLUSTER", default="", help="Emit the cluster form.")
@click.option("--print-cluster-ddl", is_flag=True, help="Print the cluster DDL and exit.")
def migrate_cmd(data_dir: str | None, dsn: str, cluster: str, print_cluster_ddl: bool) -> None:
    """Apply pending schema migrations (also done on every start)."""
    settings = Settings() if not data_dir else Settings(data_dir=Path(data_dir))
    settings = settings.model_copy(update={"clickhouse_dsn": dsn or settings.clickhouse_dsn})
    cluster_cfg = ClusterConfig(cluster) if cluster else None
    if print_cluster_ddl:
        ddl = cluster_ddl(
            settings.database, cluster_cfg or ClusterConfig("vigie"), all_migrations()
        )
        click.echo(";\n\n".join(ddl) + ";")
        return
    try:
        store = open_store(settings.dsn, settings.database)
        applied = migrate(store, cluster_cfg, all_migrations())
        for version, name, done in status(store, all_migrations()):
            mark = (
                "applied now"
                if any(m.version == version for m in applied)
                else ("applied" if done else "pending")
            )
            click.echo(f"{version:04d} {name}: {mark}")
    except StoreError as exc:
        raise click.ClickException(str(exc)) from exc
