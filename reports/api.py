"""The reports REST API: download a month (issued on first request), its manifest, the public
key, and verify a file against the signed archive."""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from reports.archive import Bundle
from reports.errors import (
    ArchiveConflict,
    MonthError,
    NotArchived,
    ReasonRequired,
    ReportError,
    VerifyError,
)
from reports.service import ReportService, file_names
from reports.sign import fingerprint
from store.audit import AuditLog, actor_of

# The file names of a report (vigie15-2026-10.pdf), or the same without the prefix.
_FILE = re.compile(r"^(?:vigie15-)?(\d{4}-\d{2})(-daily)?\.(pdf|csv|json)$")
_TYPES = {"pdf": "application/pdf", "csv": "text/csv; charset=utf-8", "json": "application/json"}
LANG = Query("fr", pattern="^(fr|en)$", description="Language of the PDF.")


def _status(exc: ReportError) -> int:
    if isinstance(exc, ArchiveConflict):
        return 409
    if isinstance(exc, NotArchived):
        return 404
    return 400 if isinstance(exc, MonthError | ReasonRequired) else 422


def create_reports_router(service: ReportService, audit: AuditLog | None = None) -> APIRouter:
    """Routes under /api/v1/reports, over one ReportService."""
    router = APIRouter(prefix="/api/v1/reports", tags=["reports"])

    def bundle(month: str, lang: str) -> Bundle:
        try:
            return service.fetch(month, lang)
        except ReportError as exc:
            raise HTTPException(_status(exc), str(exc)) from exc

    def seen(request: Request, action: str, target: str) -> None:
        if audit is not None:
            user, source = actor_of(request)
            audit.record(user, action, target=target, source=source)

    @router.get("/public-key", response_class=PlainTextResponse)
    def public_key() -> PlainTextResponse:
        """The PEM Ed25519 public key that verifies every report (fingerprint in a header)."""
        headers = {"X-Key-Fingerprint": fingerprint(service.signer.public_key)}
        return PlainTextResponse(service.public_key_pem(), headers=headers)

    @router.get("/{month}/manifest")
    def get_manifest(month: str, request: Request, lang: str = LANG) -> Response:
        """The signed manifest of the month's archived report."""
        found = bundle(month, lang)
        seen(request, "report.manifest.viewed", month)
        return Response(found.manifest, media_type="application/json")

    @router.get("/{name}")
    def get_file(name: str, request: Request, lang: str = LANG) -> Response:
        """`vigie15-2026-10.pdf`, `.csv`, `-daily.csv` or `.json` (the `vigie15-` prefix may be
        left out); the PDF in the language asked for."""
        match = _FILE.match(name)
        if match is None or (match.group(2) and match.group(3) != "csv"):
            hint = "use vigie15-YYYY-MM.pdf|csv|json"
            raise HTTPException(404, f"unknown report file {name!r}: {hint}")
        month, daily, ext = match.groups()
        names = file_names(month, lang)
        key = "daily" if daily else ext
        found = bundle(month, lang)
        seen(request, "report.downloaded", names[key])
        headers = {
            "Content-Disposition": f'attachment; filename="{names[key]}"',
            "X-Report-Version": str(found.version),
        }
        return Response(found.files[names[key]], media_type=_TYPES[ext], headers=headers)

    @router.post("/{month}/issue")
    def issue(
        month: str, request: Request, lang: str = LANG, reissue: bool = False, reason: str = ""
    ) -> dict[str, Any]:
        """Issue (or find archived) the month's report; `reissue` allows a new version."""
        try:
            found = service.issue(
                month, lang, reissue=reissue, actor=actor_of(request)[0], reason=reason
            )
        except ReportError as exc:
            raise HTTPException(_status(exc), str(exc)) from exc
        seen(request, "report.issue.requested", month)
        return {
            "month": month,
            "version": found.version,
            "lang": lang,
            "digest": found.digest,
            "files": sorted(found.all_files()),
        }

    @router.post("/{month}/verify")
    async def verify(month: str, request: Request, name: str = Query(...), lang: str = LANG) -> Any:
        """Check an uploaded file (raw body) against the month's signed manifest."""
        data = await request.body()
        try:
            result = service.verify(month, name, data, lang)
        except VerifyError as exc:
            return JSONResponse({"ok": False, "detail": str(exc)}, status_code=422)
        except ReportError as exc:
            raise HTTPException(_status(exc), str(exc)) from exc
        return {
            "ok": True,
            "file": name,
            "version": result.manifest["version"],
            "fingerprint": result.fingerprint,
        }

    return router
