"""S3 backups of the platform: settings → storage, the schedule and retention policy applied,
the month's report figures recorded in every manifest, and the restore drill that proves a
backup restorable (row counts and that month's figures, recomputed from the restored copy)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from alerts.events import EventLog
from alerts.maintenance_store import MaintenanceStore
from reports.schedule import previous_month
from slo.model import SLO
from slo.windows import window_for
from store.backup import BackupError, digest
from store.backup_policy import BackupPolicy, Held, Kind, Plan, expired, is_due, next_backup
from store.backup_s3 import (
    Figures,
    Listing,
    S3Manifest,
    S3Restored,
    backup_to_s3,
    delete_backups,
    list_backups,
    locate,
    name_time,
    restore_from_s3,
)
from store.client import Store
from store.clock import Clock, FakeClock
from store.registry import load_registry
from store.s3 import BotoObjects, ObjectStore, S3Config, S3Target
from vigie.settings import Settings

ObjectsFactory = Callable[[S3Config, str], ObjectStore]


def s3_config(settings: Settings) -> S3Config:
    def secret(value: Any) -> str:
        return value.get_secret_value() if value is not None else ""

    return S3Config(
        endpoint=settings.backup_s3_endpoint,
        region=settings.backup_s3_region,
        access_key_id=secret(settings.backup_s3_access_key_id),
        secret_access_key=secret(settings.backup_s3_secret_access_key),
    )


def s3_root(settings: Settings, url: str | None = None) -> S3Target:
    chosen = url or settings.backup_s3_url
    if not chosen:
        raise BackupError("no S3 target: give s3://bucket/prefix or set VIGIE_BACKUP_S3_URL")
    return S3Target.parse(chosen)


def backup_policy(settings: Settings) -> BackupPolicy:
    try:
        return BackupPolicy(
            interval=timedelta(hours=settings.backup_interval_hours),
            full_every=timedelta(days=settings.backup_full_every_days),
            keep=timedelta(days=settings.backup_keep_days),
        )
    except ValueError as exc:
        raise BackupError(
            f"VIGIE_BACKUP_INTERVAL_HOURS / _FULL_EVERY_DAYS / _KEEP_DAYS: {exc}"
        ) from exc


def month_figures(month: str, slos: Sequence[SLO]) -> Figures:
    """The figures of `month`'s report read from a store (a backup, a restored copy): the
    digest of every figure (reports.document.digest) and the national summary for people."""

    def read(store: Store) -> dict[str, Any]:
        from reports.compute import compute_month  # the SLO ledger (numpy): only when it runs
        from reports.document import digest as figures_digest

        clock = FakeClock(window_for(month, "Europe/Paris").end)  # only reads; never writes
        maintenance = MaintenanceStore(store, clock, EventLog(store, clock))
        report = compute_month(store, list(load_registry()), month, slos, None, maintenance)
        s = report.summary
        return {
            "month": month,
            "digest": figures_digest(report),
            "calls": s.s1_valid,
            "calls_good": s.s1_good,
            "minutes_down": s.minutes_down,
            "samu_met": s.samu_met,
            "samu_missed": s.samu_missed,
        }

    return read


def _held(listing: Listing) -> list[Held]:
    return [Held(m.name, m.kind, m.base, m.started_at) for m in listing.complete]


@dataclass(frozen=True)
class BackupRun:
    manifest: S3Manifest
    deleted: tuple[str, ...]


@dataclass
class S3Backups:
    """Backups of one store to the configured (or a given) S3 target."""

    store: Store | None  # listing and pruning need none
    settings: Settings
    clock: Clock
    slos: Sequence[SLO]  # the SLO specs the month's report states
    objects_factory: ObjectsFactory = BotoObjects

    def _store(self) -> Store:
        if self.store is None:
            raise BackupError("this operation needs the store")
        return self.store

    def objects(self, root: S3Target) -> ObjectStore:
        return self.objects_factory(s3_config(self.settings), root.bucket)

    def run(self, url: str | None = None, kind: Kind | None = None) -> BackupRun:
        """One backup (the policy picks full or incremental unless `kind`), then retention."""
        root, policy, now = (
            s3_root(self.settings, url),
            backup_policy(self.settings),
            self.clock.now(),
        )
        objects = self.objects(root)
        listing = list_backups(objects, root)
        held = _held(listing)
        plan = next_backup(policy, now, held)
        if kind == "full":
            plan = Plan("full", None)
        elif kind == "incremental" and plan.kind == "full":
            if not any(h.kind == "full" for h in held):
                raise BackupError(f"no full backup under {root} to base an incremental one on")
            plan = Plan("incremental", [h for h in held if h.kind == "full"][-1].name)
        base = next((m for m in listing.complete if m.name == plan.base), None)
        figures = month_figures(previous_month(now), self.slos)
        manifest = backup_to_s3(
            self._store(), objects, s3_config(self.settings), root, now, base, figures
        )
        return BackupRun(manifest, tuple(self.prune(url)))

    def run_if_due(self) -> BackupRun | None:
        """The scheduled backup, when the policy says one is due."""
        if not self.settings.backup_s3_url:
            return None
        root = s3_root(self.settings)
        held = _held(list_backups(self.objects(root), root))
        if not is_due(backup_policy(self.settings), self.clock.now(), held):
            return None
        return self.run()

    def prune(self, url: str | None = None) -> list[str]:
        """Apply the retention policy; returns the deleted names."""
        root = s3_root(self.settings, url)
        objects = self.objects(root)
        listing = list_backups(objects, root)
        incomplete = [(n, t) for n in listing.incomplete if (t := name_time(n)) is not None]
        doomed = expired(backup_policy(self.settings), self.clock.now(), _held(listing), incomplete)
        delete_backups(objects, root, doomed)
        return doomed

    def listing(self, url: str | None = None) -> Listing:
        root = s3_root(self.settings, url)
        return list_backups(self.objects(root), root)

    def restore(self, url: str | None, force: bool) -> S3Restored:
        root = s3_root(self.settings, url)
        objects = self.objects(root)
        folder, manifest = locate(objects, root)
        return restore_from_s3(
            self._store(), objects, s3_config(self.settings), folder, manifest, force
        )


@dataclass(frozen=True)
class Drill:
    """A restore drill: what was restored and how it compares with the backup's manifest."""

    manifest: S3Manifest
    rows: dict[str, tuple[int, int]]  # table → (rows in the manifest, rows restored)
    figures: dict[str, Any]  # recomputed from the restored copy
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


def drill(backups: S3Backups, url: str | None) -> Drill:
    """Restore the backup into `backups.store` (a scratch store) and compare it with its
    manifest: every table's rows and checksum, and the recorded month's report figures."""
    done = backups.restore(url, force=True)
    manifest = done.manifest
    store = backups._store()
    restored = {t.name: t for t in digest(store)}
    rows = {
        t.name: (t.rows, restored[t.name].rows if t.name in restored else -1)
        for t in manifest.tables
    }
    problems = [f"table {name} differs from the backup" for name in done.differences]
    figures: dict[str, Any] = {}
    month = manifest.figures.get("month")
    if month:
        figures = month_figures(str(month), backups.slos)(store)
        for key, want in manifest.figures.items():
            if figures.get(key) != want:
                problems.append(
                    f"report {month}: {key} is {figures.get(key)!r}, the backup says {want!r}"
                )
    else:
        problems.append("the manifest records no report figures to compare")
    return Drill(manifest, rows, figures, tuple(problems))
