"""Backups to S3-compatible storage with ClickHouse's own `BACKUP … TO S3(…)`, full or
incremental (`base_backup`: only the files that changed since the base are uploaded).

Layout under `s3://bucket/prefix`: one folder per backup, `vigie-<UTC time>-full` or
`…-incremental`, holding ClickHouse's files and `vigie-manifest.json`, written last: a folder
without it (an interrupted upload) is incomplete, never listed as a backup nor restored, and is
deleted by the retention policy once a later backup is complete.

The manifest carries checksums at two levels: the SHA-256 of ClickHouse's `.backup` file (which
lists every file of the backup with its own checksum, checked by RESTORE) with the count and
size of the objects, and the content digest of every table (rows, sum of row hashes) read from
the backup itself through a read-only `Backup` database, with the figures the caller asks of it
(the month's report), so that a restore can be compared with what was backed up.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import uuid
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from store.backup import BackupError, TableDigest, digest, is_empty
from store.backup_policy import Kind
from store.client import Store, validate_database
from store.errors import StoreError
from store.migrations import applied_versions
from store.s3 import ObjectStore, S3AccessDenied, S3Config, S3Error, S3Target

Figures = Callable[[Store], dict[str, Any]]
MANIFEST_OBJECT = "vigie-manifest.json"
BACKUP_FILE = ".backup"  # ClickHouse's own description of a backup, with every file's checksum
_NAME = re.compile(r"^vigie-([0-9]{8}T[0-9]{6}Z)-(full|incremental)$")


def backup_name(now: datetime, kind: Kind) -> str:
    return f"vigie-{now.astimezone(UTC):%Y%m%dT%H%M%SZ}-{kind}"


def name_time(name: str) -> datetime | None:
    """When a backup named by `backup_name` was started (None for a foreign folder)."""
    found = _NAME.match(name)
    return datetime.strptime(found[1], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC) if found else None


@dataclass(frozen=True)
class S3Manifest:
    """One complete backup in the bucket."""

    name: str
    kind: Kind
    base: str | None  # the full backup an incremental one needs
    database: str
    created_at: str
    engine_version: str
    migrations: dict[int, str]
    tables: tuple[TableDigest, ...]
    backup_sha256: str
    objects: int
    bytes: int
    figures: dict[str, Any] = field(default_factory=dict)

    @property
    def started_at(self) -> datetime:
        at = name_time(self.name)
        assert at is not None  # from_json refuses other names
        return at

    def to_json(self) -> dict[str, Any]:
        return asdict(self) | {"migrations": {str(k): v for k, v in self.migrations.items()}}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> S3Manifest:
        name, base = str(data["name"]), data.get("base")
        if name_time(name) is None or (base is not None and name_time(str(base)) is None):
            raise BackupError(f"manifest names an unexpected backup {name!r}/{base!r}")
        return cls(
            name=name,
            kind="incremental" if data["kind"] == "incremental" else "full",
            base=None if base is None else str(base),
            database=validate_database(str(data["database"])),  # it reaches RESTORE's SQL
            created_at=str(data["created_at"]),
            engine_version=str(data["engine_version"]),
            migrations={int(k): str(v) for k, v in data["migrations"].items()},
            tables=tuple(
                TableDigest(str(t["name"]), int(t["rows"]), int(t["checksum"]))
                for t in data["tables"]
            ),
            backup_sha256=str(data["backup_sha256"]),
            objects=int(data["objects"]),
            bytes=int(data["bytes"]),
            figures=dict(data.get("figures") or {}),
        )


def _run(store: Store, config: S3Config, sql: str) -> None:
    try:
        store.query(sql)
    except StoreError as exc:
        text = config.scrub(str(exc))
        if "ACCESS_DENIED" in text or "HTTP response code: 403" in text:
            raise S3AccessDenied(f"the S3 storage refused the credentials: {text}") from None
        raise S3Error(f"ClickHouse could not use the S3 storage: {text}") from None


def _inspect(
    store: Store, config: S3Config, target: S3Target, database: str, figures: Figures | None
) -> tuple[list[TableDigest], dict[str, Any]]:
    """Digest (and figures) of a backup, read from the backup through a `Backup` database."""
    check = store.with_database(f"_vigie_s3check_{uuid.uuid4().hex[:12]}")
    _run(
        store,
        config,
        f"CREATE DATABASE {check.database} ENGINE = Backup('{database}', {config.sql(target)})",
    )
    try:
        return digest(check), (figures(check) if figures else {})
    finally:
        check.command("DROP DATABASE IF EXISTS {db}")


def backup_to_s3(
    store: Store,
    objects: ObjectStore,
    config: S3Config,
    root: S3Target,
    now: datetime,
    base: S3Manifest | None = None,
    figures: Figures | None = None,
) -> S3Manifest:
    """Back up the store's database under `root`: full, or incremental on `base` (a full one)."""
    kind: Kind = "incremental" if base else "full"
    if base is not None and base.kind != "full":
        raise BackupError(f"the base of an incremental backup must be a full one, not {base.name}")
    target = root.child(backup_name(now, kind))
    if objects.scan(_folder(target)):
        raise BackupError(f"{target} already holds objects")
    settings = f" SETTINGS base_backup = {config.sql(root.child(base.name))}" if base else ""
    try:
        _run(store, config, f"BACKUP DATABASE {store.database} TO {config.sql(target)}{settings}")
        tables, found = _inspect(store, config, target, store.database, figures)
        listed = objects.scan(_folder(target))
        described = objects.get(target.key(BACKUP_FILE))
        if described is None:
            raise BackupError(f"{target} has no {BACKUP_FILE} after BACKUP")
        manifest = S3Manifest(
            name=target.name,
            kind=kind,
            base=base.name if base else None,
            database=store.database,
            created_at=now.isoformat(),
            engine_version=str(store.query("SELECT version()")[0][0]),
            migrations=applied_versions(store),
            tables=tuple(tables),
            backup_sha256=hashlib.sha256(described).hexdigest(),
            objects=len(listed),
            bytes=sum(o.size for o in listed),
            figures=found,
        )
    except BaseException:
        _forget(objects, target)  # never leave a half backup that looks whole
        raise
    objects.put(target.key(MANIFEST_OBJECT), json.dumps(manifest.to_json(), indent=2).encode())
    return manifest


def _folder(target: S3Target) -> str:
    return target.key("") + "/"


def _forget(objects: ObjectStore, target: S3Target) -> None:
    with contextlib.suppress(S3Error):  # the storage failed; the retention policy cleans up
        objects.delete([o.key for o in objects.scan(_folder(target))])


def read_manifest(objects: ObjectStore, target: S3Target) -> S3Manifest | None:
    """The manifest of the backup at `target`, None when it has none (incomplete or absent)."""
    raw = objects.get(target.key(MANIFEST_OBJECT))
    if raw is None:
        return None
    try:
        return S3Manifest.from_json(json.loads(raw))
    except (ValueError, KeyError, TypeError) as exc:
        raise BackupError(f"{target}/{MANIFEST_OBJECT} is unreadable: {exc}") from exc


@dataclass(frozen=True)
class Listing:
    """What a prefix holds: complete backups (oldest first) and incomplete folders."""

    complete: tuple[S3Manifest, ...]
    incomplete: tuple[str, ...]


def list_backups(objects: ObjectStore, root: S3Target) -> Listing:
    complete, incomplete = [], []
    for name in objects.names(_folder(root) if root.prefix else ""):
        if name_time(name) is None:
            continue  # not ours
        found = read_manifest(objects, root.child(name))
        if found is None:
            incomplete.append(name)
        else:
            complete.append(found)
    return Listing(tuple(sorted(complete, key=lambda m: m.name)), tuple(sorted(incomplete)))


def locate(objects: ObjectStore, url: S3Target) -> tuple[S3Target, S3Manifest]:
    """The backup `url` names (its folder), or the newest complete one under it."""
    if name_time(url.name) is not None:
        found = read_manifest(objects, url)
        if found is None:
            raise BackupError(
                f"{url} is not a complete backup (no {MANIFEST_OBJECT}: interrupted?)"
            )
        return url.parent, found
    listing = list_backups(objects, url)
    if not listing.complete:
        raise BackupError(f"no complete backup under {url}")
    return url, listing.complete[-1]


def verify(objects: ObjectStore, root: S3Target, manifest: S3Manifest) -> list[str]:
    """What is wrong with the stored objects of a backup (and of its base): [] when whole."""
    target = root.child(manifest.name)
    problems: list[str] = []
    listed = [o for o in objects.scan(_folder(target)) if not o.key.endswith(MANIFEST_OBJECT)]
    if (len(listed), sum(o.size for o in listed)) != (manifest.objects, manifest.bytes):
        problems.append(
            f"{manifest.name}: {len(listed)} objects, {sum(o.size for o in listed)} bytes; "
            f"the manifest says {manifest.objects}, {manifest.bytes}"
        )
    described = objects.get(target.key(BACKUP_FILE))
    if described is None or hashlib.sha256(described).hexdigest() != manifest.backup_sha256:
        problems.append(f"{manifest.name}: {BACKUP_FILE} is missing or its checksum differs")
    if manifest.base is not None:
        base = read_manifest(objects, root.child(manifest.base))
        if base is None:
            problems.append(f"{manifest.name}: its base {manifest.base} is missing")
        else:
            problems.extend(verify(objects, root, base))
    return problems


def restore_from_s3(
    store: Store,
    objects: ObjectStore,
    config: S3Config,
    root: S3Target,
    manifest: S3Manifest,
    force: bool = False,
) -> S3Restored:
    """Restore a backup (an incremental one brings its base) into the store's database, after
    checking its objects; the restored tables are compared with the manifest's digest."""
    problems = verify(objects, root, manifest)
    if problems:
        raise BackupError("the backup is damaged: " + "; ".join(problems))
    if not force and not is_empty(store):
        raise BackupError(
            f"database {store.database} already holds data; restore into another database "
            "or pass --force to replace it"
        )
    store.command("DROP DATABASE IF EXISTS {db} SYNC")
    source = config.sql(root.child(manifest.name))
    _run(store, config, f"RESTORE DATABASE {manifest.database} AS {store.database} FROM {source}")
    got = {d.name: d for d in digest(store)}
    return S3Restored(manifest, tuple(t.name for t in manifest.tables if got.get(t.name) != t))


@dataclass(frozen=True)
class S3Restored:
    """What a restore did: the backup's manifest and the tables whose digest differs from it."""

    manifest: S3Manifest
    differences: tuple[str, ...]


def delete_backups(objects: ObjectStore, root: S3Target, names: Sequence[str]) -> None:
    """Delete whole backup folders (the manifest first, so a half-deleted one is incomplete)."""
    for name in names:
        target = root.child(name)
        objects.delete([target.key(MANIFEST_OBJECT)])
        objects.delete([o.key for o in objects.scan(_folder(target))])
