"""`vigie backup --to s3://…`, `vigie restore --from s3://…` and `vigie backup list|prune|drill`:
backups in S3-compatible storage (vigie.s3_backups)."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

import click

from store.audit import AuditLog
from store.backup import BackupError
from store.backup_policy import Kind
from store.backup_s3 import S3Manifest
from store.client import Store, embedded_dsn, open_store
from store.clock import SystemClock
from store.errors import StoreError
from vigie.commands.report_cmds import report_slos
from vigie.s3_backups import Drill, S3Backups, drill
from vigie.settings import Settings


def is_s3(location: str | None) -> bool:
    return bool(location and location.startswith("s3://"))


def backups_on(store: Store | None, settings: Settings) -> S3Backups:
    return S3Backups(store, settings, SystemClock(), report_slos(settings.slo_specs))


def manifest_line(m: S3Manifest) -> str:
    rows = sum(t.rows for t in m.tables)
    base = f" on {m.base}" if m.base else ""
    return f"{m.name} ({m.kind}{base}): {len(m.tables)} tables, {rows} rows, {m.bytes} bytes"


def backup_out(m: S3Manifest, deleted: tuple[str, ...] | list[str]) -> dict[str, Any]:
    """What the API answers and the CLI prints after an S3 backup."""
    return m.to_json() | {"deleted": list(deleted)}


def print_backup(found: dict[str, Any], url: str) -> None:
    manifest = S3Manifest.from_json(found)
    click.echo(f"backup {manifest_line(manifest)}\n{url.rstrip('/')}/{manifest.name}")
    for name in found.get("deleted", []):
        click.echo(f"deleted {name} (retention policy)")


def run_backup(store: Store, settings: Settings, url: str, kind: Kind | None) -> dict[str, Any]:
    try:
        done = backups_on(store, settings).run(url, kind)
    except (BackupError, StoreError) as exc:
        raise click.ClickException(f"backup failed: {exc}") from exc
    return backup_out(done.manifest, done.deleted)


def run_restore(store: Store, settings: Settings, url: str, force: bool) -> None:
    try:
        done = backups_on(store, settings).restore(url, force)
    except (BackupError, StoreError) as exc:
        raise click.ClickException(f"restore refused or failed: {exc}") from exc
    AuditLog(store, SystemClock()).record(
        "cli",
        "store.restore",
        target=f"{url.rstrip('/')}/{done.manifest.name}",
        source="cli",
        details={"format": "s3", "from_database": done.manifest.database},
    )
    click.echo(f"restored {manifest_line(done.manifest)} into {store.database}")
    if done.differences:
        raise click.ClickException(
            "these tables differ from the backup: " + ", ".join(done.differences)
        )
    click.echo("every table matches the backup's digest; `vigie up` applies newer migrations")


_data_dir = click.option(
    "--data-dir", envvar="VIGIE_DATA_DIR", type=click.Path(), help="Data directory."
)
_at = click.option(
    "--at", "url", default=None, help="s3://bucket/prefix (default: VIGIE_BACKUP_S3_URL)."
)


def _settings(data_dir: str | None) -> Settings:
    return Settings() if not data_dir else Settings(data_dir=Path(data_dir))


@click.command("list")
@_at
@_data_dir
def list_cmd(url: str | None, data_dir: str | None) -> None:
    """Backups in S3: complete ones (oldest first) and incomplete folders."""
    try:
        listing = backups_on(None, _settings(data_dir)).listing(url)
    except (BackupError, StoreError) as exc:
        raise click.ClickException(str(exc)) from exc
    for manifest in listing.complete:
        click.echo(manifest_line(manifest))
    for name in listing.incomplete:
        click.echo(f"{name}: incomplete (no manifest: an interrupted upload)")


@click.command("prune")
@_at
@_data_dir
def prune_cmd(url: str | None, data_dir: str | None) -> None:
    """Apply the retention policy (VIGIE_BACKUP_KEEP_DAYS) to the backups in S3."""
    try:
        deleted = backups_on(None, _settings(data_dir)).prune(url)
    except (BackupError, StoreError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo("\n".join(f"deleted {n}" for n in deleted) or "nothing to delete")


@click.command("drill")
@click.option("--from", "url", default=None, help="s3://bucket/prefix[/backup] (default: newest).")
@click.option("--scratch", type=click.Path(file_okay=False), help="Scratch data directory.")
@click.option("--keep", is_flag=True, help="Keep the scratch directory afterwards.")
@_data_dir
def drill_cmd(url: str | None, scratch: str | None, keep: bool, data_dir: str | None) -> None:
    """Restore a backup into a scratch directory and compare it with its manifest: every
    table's rows and checksum, and the recorded month's report figures (exit 1 on a
    difference). The running instance is not touched."""
    settings = _settings(data_dir)
    folder = Path(scratch) if scratch else Path(tempfile.mkdtemp(prefix="vigie-drill-"))
    if folder.exists() and any(folder.iterdir()):
        raise click.ClickException(f"{folder} is not empty: the drill needs a fresh directory")
    try:
        store = open_store(embedded_dsn(folder), settings.database)
        try:
            result = drill(backups_on(store, settings), url)
        finally:
            store.close()
    except (BackupError, StoreError) as exc:
        raise click.ClickException(f"drill failed: {exc}") from exc
    finally:
        if not keep:
            shutil.rmtree(folder, ignore_errors=True)
    _print_drill(result)
    if not result.ok:
        raise click.ClickException("drill failed: " + "; ".join(result.problems))


def _print_drill(result: Drill) -> None:
    click.echo(f"restored {manifest_line(result.manifest)}")
    for name, (want, got) in sorted(result.rows.items()):
        click.echo(f"  {name:<28} {want:>12} {got:>12}  {'ok' if want == got else 'DIFFERS'}")
    month = result.manifest.figures.get("month")
    if result.figures:
        click.echo(
            f"report {month}: {result.figures['calls']} calls, "
            f"{result.figures['minutes_down']} minutes down, digest "
            f"{str(result.figures['digest'])[:16]}… "
            f"{'same as the backup' if result.ok else 'DIFFERS'}"
        )
    if result.ok:
        click.echo("drill passed: rows, checksums and report figures equal the backup's")


subcommands: list[click.Command] = [list_cmd, prune_cmd, drill_cmd]
