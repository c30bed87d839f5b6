"""`ReportsPort` over the platform's report service, described structurally.

The UI may not import the `reports` package (ADR 0003: dashboards sit beside it, not above it),
so the service is described by the few members the page reads; `reports.service.ReportService`
satisfies these protocols as it is.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from dashboards.ports import ReportCheck, ReportSummary


class _Summary(Protocol):
    @property
    def s1(self) -> float | None: ...
    @property
    def s1_valid(self) -> int: ...
    @property
    def objective(self) -> float: ...
    @property
    def met(self) -> bool | None: ...
    @property
    def budget_consumed(self) -> float | None: ...
    @property
    def minutes_down(self) -> int: ...
    @property
    def incidents(self) -> int: ...
    @property
    def samu_met(self) -> int: ...
    @property
    def samu_missed(self) -> int: ...
    @property
    def samu_no_data(self) -> int: ...


class _Row(Protocol):
    @property
    def minutes_with_data(self) -> int: ...
    @property
    def minutes_in_month(self) -> int: ...


class _Month(Protocol):
    @property
    def summary(self) -> _Summary: ...
    @property
    def samu(self) -> Sequence[_Row]: ...


class _Bundle(Protocol):
    @property
    def version(self) -> int: ...
    @property
    def files(self) -> Mapping[str, bytes]: ...


class _Archive(Protocol):
    def months(self) -> list[str]: ...
    def get(self, month: str, lang: str) -> _Bundle | None: ...


class _Verification(Protocol):
    @property
    def manifest(self) -> Mapping[str, Any]: ...
    @property
    def fingerprint(self) -> str: ...


class ReportServiceLike(Protocol):
    """What the page needs of `reports.service.ReportService`."""

    @property
    def archive(self) -> _Archive: ...

    def compute(self, month: str) -> _Month: ...

    def issue(
        self, month: str, lang: str = ..., reissue: bool = ..., actor: str = ..., reason: str = ...
    ) -> _Bundle: ...

    def verify(self, month: str, name: str, data: bytes, lang: str = ...) -> _Verification: ...


def summary_of(month: str, report: _Month, version: int | None) -> ReportSummary:
    """The page's summary of computed figures: a month without any stored data says so."""
    s = report.summary
    minutes = sum(r.minutes_in_month for r in report.samu)
    with_data = sum(r.minutes_with_data for r in report.samu)
    completeness = with_data / minutes if minutes else None
    status = "ok" if s.s1_valid > 0 or with_data > 0 else "no_data"
    return ReportSummary(
        month,
        status,
        s.s1,
        s.objective,
        s.met,
        s.budget_consumed,
        s.incidents,
        s.minutes_down,
        s.samu_met,
        s.samu_missed,
        s.samu_no_data,
        completeness,
        version,
    )


class ReportsAdapter:
    """`ReportsPort` over the real report service (it audits issues in the archive)."""

    def __init__(self, service: ReportServiceLike) -> None:
        self._service = service

    def months(self) -> list[str]:
        return self._service.archive.months()

    def summary(self, month: str) -> ReportSummary:
        archived = self._service.archive.get(month, "fr")
        version = archived.version if archived is not None else None
        try:
            report = self._service.compute(month)
        except Exception as exc:  # the reports error tree (MonthError …), not importable here
            return ReportSummary(month, "error", version=version, message=str(exc))
        return summary_of(month, report, version)

    def issue(self, month: str, lang: str, actor: str) -> int:
        try:
            return self._service.issue(month, lang, actor=actor, reason="ui").version
        except Exception as exc:  # ArchiveConflict, MonthError: the message says why
            raise LookupError(str(exc)) from exc

    def verify(self, month: str, lang: str) -> ReportCheck:
        bundle = self._service.archive.get(month, lang)
        if bundle is None:
            return ReportCheck(False, f"no archived report for {month}")
        found: _Verification | None = None
        try:
            for name, data in sorted(bundle.files.items()):
                found = self._service.verify(month, name, data, lang)
        except Exception as exc:  # VerifyError: altered file or signature
            return ReportCheck(False, str(exc), version=bundle.version)
        key = found.fingerprint if found is not None else ""
        return ReportCheck(True, "", tuple(sorted(bundle.files)), bundle.version, key)
