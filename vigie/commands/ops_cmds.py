"""`vigie backup` and `vigie restore`: copies of the store, through the running instance or not."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from store.backup import NAME_PATTERN, default_name, manifest_out
from store.errors import StoreError, StoreLocked
from vigie.commands.s3_backup_cmds import is_s3, subcommands
from vigie.instance import running_instance
from vigie.remote import api_call, token_for
from vigie.settings import Settings

if TYPE_CHECKING:
    from store.backup_policy import Kind
    from store.client import Store


def _settings(data_dir: str | None, database: str | None = None) -> Settings:
    settings = Settings() if not data_dir else Settings(data_dir=Path(data_dir))
    return settings.model_copy(update={"database": database}) if database else settings


def backup_dir(settings: Settings) -> Path:
    """Where backups go by default: VIGIE_BACKUP_DIR, else <data dir>/backups."""
    configured = getattr(settings, "backup_dir", None)
    return Path(configured) if configured else settings.data_dir / "backups"


@contextmanager
def _opened(settings: Settings) -> Iterator[Store]:
    """The store opened in this process, its embedded engine allowing BACKUP to any path."""
    from store.backup import open_store_for_backup

    try:
        store = open_store_for_backup(settings.dsn, settings.database)
    except StoreLocked as exc:
        raise click.ClickException(str(exc)) from exc
    except StoreError as exc:
        raise click.ClickException(f"cannot open the store: {exc}") from exc
    try:
        yield store
    finally:
        store.close()


def _post_backup(url: str, token: str, body: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = api_call(
        url, "POST", "/api/v1/admin/backup", token, body, timeout=3600
    )
    return result


def _summary(found: dict[str, Any]) -> str:
    rows = sum(int(t["rows"]) for t in found["tables"])
    return (
        f"backup {found['name']} ({found['format']}): {len(found['tables'])} tables, "
        f"{rows} rows\n{found['path']}"
    )


_data_dir = click.option(
    "--data-dir", envvar="VIGIE_DATA_DIR", type=click.Path(), help="Data directory."
)


@click.group("backup", invoke_without_command=True)
@click.option("--name", default=None, help="Backup name (default: vigie-<UTC time>).")
@click.option(
    "--to",
    "to",
    default=None,
    help="s3://bucket/prefix (S3 storage), or a directory to create (only when no instance "
    "runs; default: the backup directory).",
)
@click.option(
    "--kind",
    type=click.Choice(["full", "incremental"]),
    default=None,
    help="S3 only: full, or incremental on the newest full backup (default: the policy's "
    "choice, VIGIE_BACKUP_FULL_EVERY_DAYS).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["native", "export"]),
    default=None,
    help="native = ClickHouse BACKUP, export = Native files (default: native if "
    "the engine allows it, else export).",
)
@click.option("--url", default=None, help="Base URL of a running instance.")
@click.option("--token", envvar="VIGIE_TOKEN", default="", help="Admin API token.")
@_data_dir
@click.pass_context
def backup_cmd(
    ctx: click.Context,
    name: str | None,
    to: str | None,
    kind: Kind | None,
    fmt: str | None,
    url: str | None,
    token: str,
    data_dir: str | None,
) -> None:
    """Back up the store: through the running instance if any, else directly; to a directory
    or to S3 (`--to s3://bucket/prefix`, see `vigie backup list|prune|drill`)."""
    if ctx.invoked_subcommand is not None:
        return
    settings = _settings(data_dir)
    if is_s3(to) or (to is None and kind is not None):
        _backup_s3(settings, to or settings.backup_s3_url, kind, url, token)
        return
    if name is not None and not re.match(NAME_PATTERN, name):
        raise click.ClickException(f"invalid backup name {name!r}: letters, digits, _ . - only")
    target = url or (inst.url if (inst := running_instance(settings.data_dir)) else None)
    if target:
        if to:
            raise click.ClickException(
                "an instance is running: it writes backups under its backup directory "
                "(VIGIE_BACKUP_DIR); choose a --name, not --to"
            )
        found = _post_backup(target, token or token_for(settings), {"name": name, "format": fmt})
        click.echo(_summary(found))
        return
    from store.audit import AuditLog
    from store.backup import BackupError, Manifest, backup
    from store.clock import SystemClock

    clock = SystemClock()
    dest = Path(to) if to else backup_dir(settings) / (name or default_name(clock.now()))
    with _opened(settings) as store:
        try:
            manifest: Manifest = backup(store, dest, clock.now(), fmt)  # type: ignore[arg-type]
            AuditLog(store, clock).record("cli", "store.backup", target=str(dest), source="cli")
        except BackupError as exc:
            raise click.ClickException(f"backup failed: {exc}") from exc
    click.echo(_summary(manifest_out(dest, manifest)))


@click.command("restore")
@click.argument("source", required=False)
@click.option(
    "--from",
    "origin",
    default=None,
    help="A backup directory, or s3://bucket/prefix[/backup] (the newest complete one).",
)
@click.option("--database", default=None, help="Restore into this database (default: the store's).")
@click.option("--force", is_flag=True, help="Replace a database that already holds data.")
@_data_dir
def restore_cmd(
    source: str | None, origin: str | None, database: str | None, force: bool, data_dir: str | None
) -> None:
    """Restore a backup into the store; the instance must be stopped."""
    settings = _settings(data_dir, database)
    source = source or origin
    if not source:
        raise click.UsageError("name the backup: vigie restore DIR, or --from s3://bucket/prefix")
    if (inst := running_instance(settings.data_dir)) is not None:
        raise click.ClickException(
            f"Vigie is running on this data directory (pid {inst.pid}, {inst.url}): "
            "stop it before restoring"
        )
    if is_s3(source):
        from vigie.commands.s3_backup_cmds import run_restore

        with _opened(settings) as store:
            run_restore(store, settings, source, force)
        return
    if not Path(source).is_dir():
        raise click.ClickException(f"{source} is not a backup directory")
    from store.audit import AuditLog
    from store.backup import BackupError, restore
    from store.clock import SystemClock
    from vigie.schema import all_migrations

    with _opened(settings) as store:
        try:
            done = restore(store, Path(source), all_migrations(), force)
            AuditLog(store, SystemClock()).record(
                "cli",
                "store.restore",
                target=str(Path(source).resolve()),
                source="cli",
                details={"format": done.manifest.format, "from_database": done.manifest.database},
            )
        except BackupError as exc:
            raise click.ClickException(f"restore refused or failed: {exc}") from exc
    rows = sum(t.rows for t in done.manifest.tables)
    click.echo(
        f"restored {len(done.manifest.tables)} tables ({rows} rows, {done.manifest.format}) "
        f"from {done.manifest.database} into {settings.database}"
    )
    if done.differences:
        raise click.ClickException(
            "these tables differ from the backup: " + ", ".join(done.differences) + " (rows past "
            "their retention since the backup are deleted; a backup taken while writing "
            "may also differ)"
        )
    click.echo("every table matches the backup's digest; `vigie up` applies newer migrations")


def _backup_s3(settings: Settings, to: str, kind: Kind | None, url: str | None, token: str) -> None:
    """A backup to S3: the running instance makes it (its store is locked), else this process."""
    from vigie.commands.s3_backup_cmds import print_backup, run_backup

    if not to:
        raise click.ClickException("no S3 target: --to s3://bucket/prefix or VIGIE_BACKUP_S3_URL")
    target = url or (inst.url if (inst := running_instance(settings.data_dir)) else None)
    if target:
        body = {"s3_url": to, "kind": kind}
        print_backup(_post_backup(target, token or token_for(settings), body), to)
        return
    from store.audit import AuditLog
    from store.clock import SystemClock

    with _opened(settings) as store:
        found = run_backup(store, settings, to, kind)
        AuditLog(store, SystemClock()).record(
            "cli", "store.backup", target=f"{to}/{found['name']}", source="cli"
        )
    print_backup(found, to)


for _sub in subcommands:
    backup_cmd.add_command(_sub)
