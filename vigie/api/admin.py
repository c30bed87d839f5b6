"""Operations under /api/v1/admin (admin only, by the access policy): backups of the store.

The running instance holds the embedded store, so `vigie backup` asks it over this API. The
caller names a backup, never a path: backups go under the configured backup directory.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, ConfigDict, Field

from store.audit import AuditLog
from store.backup import (
    NAME_PATTERN,
    BackupError,
    NativeUnsupported,
    backup,
    default_name,
    manifest_out,
    read_manifest,
)
from store.client import Store
from store.clock import Clock
from store.s3 import S3AccessDenied
from vigie.access import principal_of
from vigie.api.auth import source_of

if TYPE_CHECKING:
    from vigie.s3_backups import S3Backups


class BackupRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(
        None, pattern=NAME_PATTERN, description="Directory name (default: vigie-<UTC time>)."
    )
    format: Literal["native", "export"] | None = Field(
        None,
        description="native = ClickHouse BACKUP; export = Native files; default: native "
        "when the engine allows it, else export.",
    )
    s3_url: str | None = Field(
        None,
        description="Back up to S3 instead: must be this instance's VIGIE_BACKUP_S3_URL "
        "(its credentials are for that storage).",
    )
    kind: Literal["full", "incremental"] | None = Field(
        None, description="S3 only: full or incremental (default: the backup policy's choice)."
    )


def create_admin_router(
    store: Store,
    backup_dir: Path,
    audit: AuditLog,
    clock: Clock,
    s3: S3Backups | None = None,
) -> APIRouter:
    """The /api/v1/admin routes; one backup runs at a time (a second one gets 409)."""
    router = APIRouter(prefix="/api/v1/admin", tags=["operations"])
    running = threading.Lock()

    def to_s3(body: BackupRequest, request: Request) -> dict[str, Any]:
        if s3 is None or body.s3_url != s3.settings.backup_s3_url:
            raise HTTPException(422, "this instance backs up to S3 only at its VIGIE_BACKUP_S3_URL")
        if not running.acquire(blocking=False):
            raise HTTPException(409, "a backup is already running")
        try:
            done = s3.run(body.s3_url, body.kind)
        except S3AccessDenied as exc:
            raise HTTPException(502, f"backup failed: {exc}") from exc
        except BackupError as exc:
            raise HTTPException(500, f"backup failed: {exc}") from exc
        finally:
            running.release()
        audit.record(
            principal_of(request).name or "api",
            "store.backup",
            target=f"{body.s3_url}/{done.manifest.name}",
            source=source_of(request),
            details={"format": "s3", "kind": done.manifest.kind, "deleted": len(done.deleted)},
        )
        return done.manifest.to_json() | {"deleted": list(done.deleted)}

    @router.post("/backup", status_code=201, summary="Back up the store")
    def make_backup(body: BackupRequest, request: Request) -> dict[str, Any]:
        """Back up the whole database under the backup directory (or to the configured S3
        storage with `s3_url`); returns the manifest."""
        if body.s3_url is not None:
            return to_s3(body, request)
        name = body.name or default_name(clock.now())
        dest = backup_dir / name
        if dest.exists():
            raise HTTPException(409, f"a backup named {name!r} already exists")
        if not running.acquire(blocking=False):
            raise HTTPException(409, "a backup is already running")
        try:
            manifest = backup(store, dest, clock.now(), body.format)
        except NativeUnsupported as exc:
            raise HTTPException(422, str(exc)) from exc
        except BackupError as exc:
            raise HTTPException(500, f"backup failed: {exc}") from exc
        finally:
            running.release()
        audit.record(
            principal_of(request).name or "api",
            "store.backup",
            target=str(dest),
            source=source_of(request),
            details={"format": manifest.format, "tables": len(manifest.tables)},
        )
        return manifest_out(dest, manifest)

    @router.get("/backups", summary="Backups in the backup directory")
    def list_backups() -> list[dict[str, Any]]:
        """Complete backups (with a manifest), oldest first."""
        found: list[dict[str, Any]] = []
        for path in sorted(backup_dir.iterdir()) if backup_dir.is_dir() else []:
            try:
                found.append(manifest_out(path, read_manifest(path)))
            except BackupError:
                continue  # an incomplete or foreign directory
        return found

    return router
