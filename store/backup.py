"""Backups of one database: ClickHouse BACKUP/RESTORE when the engine allows it, else an export.

Two formats, one directory layout (`manifest.json` beside the data):
- `native`: `BACKUP DATABASE … TO File('<dir>/clickhouse')`. Parts are copied as they are, the
  materialized views come back with their tables and nothing is re-triggered. The engine must
  allow the path: chdb reads `backups.allowed_path` only when the engine starts (see
  `engine_options`), a server from its own config.
- `export`: every table streamed in ClickHouse's Native format, one file each. Restore creates the
  schema from the migrations recorded in the manifest, detaches the materialized views, loads the
  TARGET tables directly and re-attaches the views, so no rollup is counted twice.
The manifest holds a content digest per table (logical rows and a hash sum), checked on restore.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from store.client import Store, check_not_locked, validate_database
from store.errors import StoreError, StoreUnavailable
from store.migrations import Migration, applied_versions, migrate

Format = Literal["native", "export"]
MANIFEST = "manifest.json"
_VIEW_ENGINES = ("MaterializedView", "View", "LiveView", "WindowView")
_COLLAPSING = ("Summing", "Replacing", "Aggregating", "Collapsing")  # engines that merge rows
_SAFE_PATH = re.compile(r"^/[A-Za-z0-9_./+@-]*$")  # goes into SQL text: no quotes, no spaces
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,200}$")
_CHUNK = 1 << 20


class BackupError(StoreError):
    """A backup or restore could not be made, or a backup is not what it claims to be."""


class NativeUnsupported(BackupError):
    """The engine refuses BACKUP/RESTORE to files (no `backups.allowed_path` configured)."""


@dataclass(frozen=True)
class TableDigest:
    """What a table holds: logical rows (after merges) and the sum of their row hashes."""

    name: str
    rows: int
    checksum: int


@dataclass(frozen=True)
class Manifest:
    """The description of one backup, written last: a directory without it is incomplete."""

    format: Format
    database: str
    created_at: str
    engine_version: str
    migrations: dict[int, str]  # version → checksum, as recorded in schema_migrations
    tables: tuple[TableDigest, ...]

    def to_json(self) -> dict[str, Any]:
        return asdict(self) | {"migrations": {str(k): v for k, v in self.migrations.items()}}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Manifest:
        return cls(
            format=data["format"],
            # The name ends up in RESTORE statements: a tampered manifest must not inject SQL.
            database=validate_database(str(data["database"])),
            created_at=data["created_at"],
            engine_version=data["engine_version"],
            migrations={int(k): str(v) for k, v in data["migrations"].items()},
            tables=tuple(TableDigest(**t) for t in data["tables"]),
        )


NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$"  # a backup's name (a directory)


def default_name(now: datetime) -> str:
    """The name of a backup taken at `now` when none is given: vigie-<UTC time>."""
    return "vigie-" + now.strftime("%Y%m%dT%H%M%SZ")


def manifest_out(path: Path, manifest: Manifest) -> dict[str, Any]:
    """A backup as the API and the CLI show it."""
    return {"path": str(path), "name": path.name} | manifest.to_json()


def engine_options(allowed_path: str = "/") -> dict[str, str]:
    """chdb engine options that let BACKUP/RESTORE use File(); pass them when the engine starts.

    Only Vigie's own code sends SQL to the embedded engine, and it writes backups where the
    operator (CLI) or the configured backup directory (API) says, so "/" is the default."""
    return {"backups.allowed_path": allowed_path}


class _BackupStore(Store):
    """A Store whose embedded engine starts with `engine_options` (chdb reads them only then)."""

    def _connect(self) -> Any:
        if not self.dsn.embedded:
            return super()._connect()
        import clickhouse_connect
        from clickhouse_connect.driver.exceptions import ClickHouseError

        try:
            return clickhouse_connect.get_client(
                interface="chdb", path=str(self.dsn.path), chdb_options=engine_options()
            )
        except ClickHouseError as exc:
            check_not_locked(self.dsn.path)
            raise StoreUnavailable(
                f"cannot open the embedded store at {self.dsn.path}: {exc}"
            ) from exc


def open_store_for_backup(dsn: str, database: str) -> Store:
    """Open the store in a process that has not started its engine yet (the CLI), so that a
    native BACKUP/RESTORE may use any path; a server DSN opens as usual."""
    os.environ.setdefault("CHDB_NO_TELEMETRY", "1")
    return _BackupStore(dsn, database)


def _tables(store: Store) -> list[tuple[str, str]]:
    rows = store.query(
        "SELECT name, engine FROM system.tables WHERE database = {db:String} ORDER BY name",
        {"db": store.database},
    )
    return [(str(n), str(e)) for n, e in rows]


def data_tables(store: Store) -> list[str]:
    """The tables that hold data (views excluded)."""
    return [n for n, e in _tables(store) if e not in _VIEW_ENGINES]


def views(store: Store) -> list[str]:
    return [n for n, e in _tables(store) if e in _VIEW_ENGINES]


def digest(store: Store) -> list[TableDigest]:
    """Rows and `sum(cityHash64(*))` of every data table, read with FINAL where rows merge, so
    that background merges do not change the digest of the same content."""
    out: list[TableDigest] = []
    for name, engine in _tables(store):
        if engine in _VIEW_ENGINES:
            continue
        final = " FINAL" if any(k in engine for k in _COLLAPSING) else ""
        sql = f"SELECT count(), ifNull(sum(cityHash64(*)), 0) FROM {{db}}.{_ident(name)}{final}"  # noqa: S608
        rows = store.query(sql)
        out.append(TableDigest(name, int(rows[0][0]), int(rows[0][1])))
    return out


def is_empty(store: Store) -> bool:
    """True when the database does not exist or none of its tables holds a row."""
    if not store.query(
        "SELECT count() FROM system.databases WHERE name = {db:String}", {"db": store.database}
    )[0][0]:
        return True
    found = store.query(
        "SELECT sum(total_rows) FROM system.tables WHERE database = {db:String}",
        {"db": store.database},
    )
    return not found or not found[0][0]


def _ident(name: str) -> str:
    """Table names reach SQL text (some come from a manifest file): identifiers only."""
    if not _IDENT.match(name):
        raise BackupError(f"invalid table name {name!r} in the backup")
    return name


def _sql_path(path: Path) -> str:
    text = str(path.resolve())
    if not _SAFE_PATH.match(text):
        raise BackupError(f"backup path {text!r}: use letters, digits and . _ - / + @ only")
    return text


def _native_call(store: Store, sql: str) -> None:
    try:
        store.query(sql)
    except StoreError as exc:
        if "Code: 318" in str(exc):
            raise NativeUnsupported(
                "this ClickHouse engine does not allow BACKUP to files "
                "(backups.allowed_path is not set)"
            ) from exc
        raise BackupError(f"ClickHouse refused the backup or restore: {exc}") from exc


def backup(store: Store, dest: Path, now: datetime, fmt: Format | None = None) -> Manifest:
    """Back up the store's database into the new directory `dest`; `fmt=None` tries native
    first and falls back to the export. Returns the manifest (also written to `dest`).

    A native backup's digest is read from the backup itself (a read-only `Backup` database), so
    it is exact even while the instance keeps writing; an export's is read right after each
    table is written (writes in between make a restore report a difference)."""
    if dest.exists() and any(dest.iterdir()):
        raise BackupError(f"{dest} already exists and is not empty")
    dest.mkdir(parents=True, exist_ok=True)
    chosen: Format = fmt or "native"
    try:
        if chosen == "native":
            try:
                tables = _native_backup(store, dest / "clickhouse")
            except NativeUnsupported:
                if fmt == "native":
                    raise
                chosen = "export"
        if chosen == "export":
            tables = _export(store, dest / "tables")
        manifest = Manifest(
            format=chosen,
            database=store.database,
            created_at=now.isoformat(),
            engine_version=str(store.query("SELECT version()")[0][0]),
            migrations=applied_versions(store),
            tables=tuple(tables),
        )
    except BaseException:
        shutil.rmtree(dest, ignore_errors=True)  # never leave a half backup that looks whole
        raise
    (dest / MANIFEST).write_text(json.dumps(manifest.to_json(), indent=2))
    return manifest


def _native_backup(store: Store, target: Path) -> list[TableDigest]:
    path = _sql_path(target)
    _native_call(store, f"BACKUP DATABASE {store.database} TO File('{path}')")
    check = store.with_database(f"_vigie_backup_{uuid.uuid4().hex[:12]}")
    check.command(f"CREATE DATABASE {{db}} ENGINE = Backup('{store.database}', File('{path}'))")
    try:
        return digest(check)
    finally:
        check.command("DROP DATABASE IF EXISTS {db}")


def _export(store: Store, folder: Path) -> list[TableDigest]:
    folder.mkdir()
    client = store._client()  # raw Native streaming stays inside the store package
    for name in data_tables(store):
        sql = f"SELECT * FROM {store.database}.{_ident(name)}"  # noqa: S608
        with (
            store._translate(),
            (folder / f"{name}.native").open("wb") as fh,
            client.raw_stream(sql, fmt="Native") as stream,
        ):
            for chunk in stream:
                fh.write(chunk)
    return digest(store)


def read_manifest(source: Path) -> Manifest:
    """The manifest of a backup directory (a backup without one is incomplete)."""
    try:
        return Manifest.from_json(json.loads((source / MANIFEST).read_text()))
    except FileNotFoundError as exc:
        raise BackupError(f"{source} is not a complete Vigie backup (no {MANIFEST})") from exc
    except (ValueError, KeyError, TypeError) as exc:
        raise BackupError(f"{source / MANIFEST} is unreadable: {exc}") from exc


@dataclass(frozen=True)
class Restored:
    """What a restore did: the backup's manifest and the tables whose digest differs from it
    (empty when every row came back; a TTL may delete rows that expired since the backup)."""

    manifest: Manifest
    differences: tuple[str, ...]


def restore(
    store: Store, source: Path, migrations: Sequence[Migration], force: bool = False
) -> Restored:
    """Restore a backup into the store's database (it may be named differently from the source).

    Refuses a database that holds rows unless `force` (then it is dropped first). `migrations`
    (every package's) create the schema of an export; a native backup carries its own."""
    manifest = read_manifest(source)
    if not force and not is_empty(store):
        raise BackupError(
            f"database {store.database} already holds data; restore into another database "
            "or pass --force to replace it"
        )
    store.command("DROP DATABASE IF EXISTS {db} SYNC")
    if manifest.format == "native":
        _native_call(
            store,
            f"RESTORE DATABASE {manifest.database} AS {store.database} "
            f"FROM File('{_sql_path(source / 'clickhouse')}')",
        )
    else:
        _import(store, source / "tables", manifest, migrations)
    got = {d.name: d for d in digest(store)}
    return Restored(manifest, tuple(t.name for t in manifest.tables if got.get(t.name) != t))


def _import(
    store: Store, folder: Path, manifest: Manifest, migrations: Sequence[Migration]
) -> None:
    known = {m.version: m for m in migrations}
    unknown = sorted(set(manifest.migrations) - set(known))
    if unknown:
        raise BackupError(f"the backup needs schema versions this Vigie does not know: {unknown}")
    migrate(store, migrations=[known[v] for v in sorted(manifest.migrations)])
    mvs = views(store)
    for view in mvs:  # load the targets directly: nothing may fire twice
        store.command(f"DETACH TABLE {{db}}.{_ident(view)}")
    try:
        client = store._client()
        for table in manifest.tables:
            name = _ident(table.name)
            store.command(f"TRUNCATE TABLE {{db}}.{name}")
            if (folder / f"{name}.native").stat().st_size == 0:
                continue
            with store._translate():
                client.raw_insert(
                    f"{store.database}.{name}",
                    insert_block=_chunks(folder / f"{name}.native"),
                    fmt="Native",
                )
    finally:
        for view in mvs:
            store.command(f"ATTACH TABLE {{db}}.{_ident(view)}")


def _chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            yield chunk
