"""Issued reports kept with their manifest, so a month is never silently re-issued differently.

Regenerating a month with the same figures returns the archived issue; different figures are
refused unless the re-issue is explicit, which stores version N+1 and records who and why. The
archive only grows: an issue (month, version, language) once stored is never replaced.
"""

from __future__ import annotations

import base64
import threading
from dataclasses import dataclass
from typing import Any

from reports.errors import ArchiveConflict
from store.audit import AuditLog
from store.client import Store
from store.clock import Clock

_COLUMNS = (
    "month",
    "version",
    "lang",
    "digest",
    "issued_at",
    "actor",
    "reason",
    "manifest_name",
    "manifest",
    "names",
    "contents",
)


@dataclass(frozen=True)
class Bundle:
    """One issued report: its files (name → bytes), its signed manifest file and its figures."""

    month: str
    version: int
    lang: str
    digest: str  # SHA-256 of the canonical figures (reports.document.digest)
    files: dict[str, bytes]
    manifest_name: str
    manifest: bytes

    def all_files(self) -> dict[str, bytes]:
        """The files and the manifest, as written to a folder."""
        return {**self.files, self.manifest_name: self.manifest}


@dataclass(frozen=True)
class Issue:
    """The latest issue of a month: its version and figures digest."""

    version: int
    digest: str


class Archive:
    """Reads and appends issued reports in the store; re-issues are audited."""

    def __init__(self, store: Store, clock: Clock, audit: AuditLog | None = None) -> None:
        self._store, self._clock, self._audit = store, clock, audit
        self._lock = threading.Lock()  # check-then-insert of one issue at a time

    def latest(self, month: str) -> Issue | None:
        """The highest version issued for `month`, if any."""
        rows = self._store.query(
            "SELECT version, digest FROM {db}.report_archive FINAL WHERE month = {m:String} "
            "ORDER BY version DESC LIMIT 1",
            {"m": month},
        )
        return Issue(int(rows[0][0]), str(rows[0][1])) if rows else None

    def get(self, month: str, lang: str, version: int | None = None) -> Bundle | None:
        """An archived issue (the latest version by default) in one language."""
        rows = self._store.query(
            "SELECT month, version, lang, digest, manifest_name, manifest, names, contents "
            "FROM {db}.report_archive FINAL WHERE month = {m:String} AND lang = {l:String} "
            "AND ({v:UInt32} = 0 OR version = {v:UInt32}) ORDER BY version DESC LIMIT 1",
            {"m": month, "l": lang, "v": version or 0},
        )
        return _bundle(rows[0]) if rows else None

    def months(self) -> list[str]:
        """Every month with an archived report."""
        rows = self._store.query("SELECT DISTINCT month FROM {db}.report_archive ORDER BY month")
        return [str(r[0]) for r in rows]

    def check(self, month: str, digest: str, reissue: bool) -> int:
        """The version to issue figures with `digest` under: the archived one when they are
        equal, N+1 on an explicit re-issue, else ArchiveConflict."""
        issued = self.latest(month)
        if issued is None:
            return 1
        if issued.digest == digest:
            return issued.version
        if not reissue:
            raise ArchiveConflict(
                f"the archived report for {month} (version {issued.version}) has different "
                f"figures than the data now gives; it is not regenerated silently — re-issue it "
                f"explicitly with --reissue to create version {issued.version + 1}"
            )
        return issued.version + 1

    def put(self, bundle: Bundle, actor: str = "system", reason: str = "") -> None:
        """Store an issue; a version above 1 is a re-issue, recorded in the audit log. An issue
        already archived (same month, version and language) is never replaced: ArchiveConflict."""
        with self._lock:
            if self.get(bundle.month, bundle.lang, bundle.version) is not None:
                raise ArchiveConflict(
                    f"version {bundle.version} of the {bundle.month} report ({bundle.lang}) is "
                    "already archived and is never replaced; a re-issue makes a new version"
                )
            self._insert(bundle, actor, reason)

    def _insert(self, bundle: Bundle, actor: str, reason: str) -> None:
        names = sorted(bundle.files)
        row: list[Any] = [
            bundle.month,
            bundle.version,
            bundle.lang,
            bundle.digest,
            self._clock.now(),
            actor,
            reason,
            bundle.manifest_name,
            base64.b64encode(bundle.manifest).decode(),
            names,
            [base64.b64encode(bundle.files[n]).decode() for n in names],
        ]
        self._store.insert("report_archive", [row], _COLUMNS)
        if self._audit is not None:
            action = "report.reissued" if bundle.version > 1 else "report.issued"
            details = {"version": bundle.version, "lang": bundle.lang, "digest": bundle.digest}
            self._audit.record(
                actor, action, target=bundle.month, details=details | {"reason": reason}
            )


def _bundle(r: tuple[Any, ...]) -> Bundle:
    files = {n: base64.b64decode(c) for n, c in zip(r[6], r[7], strict=True)}
    return Bundle(
        str(r[0]), int(r[1]), str(r[2]), str(r[3]), files, str(r[4]), base64.b64decode(r[5])
    )
