"""Producing a month's report: figures → files → signed manifest → archive, in one place."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from reports.archive import Archive, Bundle
from reports.compute import compute_month
from reports.document import digest
from reports.errors import MonthError, NotArchived, ReasonRequired
from reports.i18n import formatter
from reports.model import MonthReport
from reports.render_csv import render_csv, render_daily_csv
from reports.render_json import render_json
from reports.render_pdf import render_pdf
from reports.sign import MANIFEST_SUFFIX, Signer, manifest, public_pem
from reports.sources import IncidentSource, MaintenanceSource, SamuLike, WaveSource
from reports.verify import Verification, verify_envelope
from slo.errors import WindowError
from slo.model import SLO
from slo.windows import DEFAULT_TIMEZONE, window_for
from store.client import Store
from store.clock import Clock

STEPS = ("figures", "json", "csv", "pdf", "sign", "archive")
Progress = Callable[[str], None]


def file_names(month: str, lang: str) -> dict[str, str]:
    """The name of each file of a month's report (the PDF and manifest carry a non-French lang)."""
    base = f"vigie15-{month}"
    tag = "" if lang == "fr" else f".{lang}"
    return {
        "json": f"{base}.json",
        "csv": f"{base}.csv",
        "daily": f"{base}-daily.csv",
        "pdf": f"{base}{tag}.pdf",
        "manifest": f"{base}{tag}{MANIFEST_SUFFIX}",
    }


class ReportService:
    """Computes, renders, signs and archives monthly reports over one store."""

    def __init__(
        self,
        store: Store,
        samus: Sequence[SamuLike],
        slos: Sequence[SLO] | Callable[[], Sequence[SLO]],
        signer: Signer,
        archive: Archive,
        clock: Clock,
        incidents: IncidentSource | None = None,
        maintenance: MaintenanceSource | None = None,
        timezone: str = DEFAULT_TIMEZONE,
        known_outcomes: Mapping[str, frozenset[str]] | None = None,
        waves: WaveSource | None = None,
    ) -> None:
        self.store, self.samus = store, list(samus)
        self._slos = slos if callable(slos) else (lambda fixed=list(slos): fixed)
        self._known = dict(known_outcomes or {})
        self.signer, self.archive, self.clock = signer, archive, clock
        self.incidents, self.maintenance, self.timezone = incidents, maintenance, timezone
        self.waves = waves

    def compute(self, month: str, only: Sequence[str] | None = None) -> MonthReport:
        """The figures of a month that is over (MonthError otherwise), with a row for each
        SAMU of `only` (default: all); the national figures are always national."""
        try:
            period = window_for(month, self.timezone)
        except WindowError as exc:
            raise MonthError(f"invalid month {month!r}: use YYYY-MM") from exc
        if len(month.strip()) != 7:
            raise MonthError(f"invalid month {month!r}: use YYYY-MM")
        if period.end > self.clock.now():
            raise MonthError(
                f"the month {month} is not over yet (it ends {period.end:%Y-%m-%d %H:%M} UTC)"
            )
        return compute_month(
            self.store,
            self.samus,
            month,
            self._slos(),
            self.incidents,
            self.maintenance,
            self.timezone,
            now=self.clock.now(),
            only=only,
            known_outcomes=self._known,
            waves=self.waves,
        )

    def issue(
        self,
        month: str,
        lang: str = "fr",
        reissue: bool = False,
        actor: str = "system",
        reason: str = "",
        progress: Progress | None = None,
    ) -> Bundle:
        """The month's report: the archived issue when the figures are unchanged, a new version
        on an explicit re-issue; ArchiveConflict when they changed without one."""
        step = progress or (lambda _: None)
        formatter(lang)  # an unknown language fails before any work
        report = self.compute(month)
        step("figures")
        figures = digest(report)
        version = self.archive.check(month, figures, reissue)
        existing = self.archive.get(month, lang, version)
        if existing is not None:
            for name in STEPS[1:]:
                step(name)
            return existing
        latest = self.archive.latest(month)
        if latest is not None and version > latest.version and not reason.strip():
            raise ReasonRequired(f"a re-issue of {month} (version {version}) needs a reason")
        names = file_names(month, lang)
        files = {names["json"]: render_json(report, version)}
        step("json")
        files[names["csv"]] = render_csv(report)
        files[names["daily"]] = render_daily_csv(report)
        step("csv")
        files[names["pdf"]] = render_pdf(report, version, lang)
        step("pdf")
        envelope = self.signer.sign(manifest(month, version, lang, files))
        step("sign")
        bundle = Bundle(month, version, lang, figures, files, names["manifest"], envelope)
        self.archive.put(bundle, actor, reason)
        step("archive")
        return bundle

    def fetch(self, month: str, lang: str = "fr") -> Bundle:
        """The archived report of a month, issued now if it was never issued."""
        return self.archive.get(month, lang) or self.issue(month, lang)

    def public_key_pem(self) -> str:
        """The PEM public key that verifies every report of this platform."""
        return public_pem(self.signer.public_key)

    def verify(self, month: str, name: str, data: bytes, lang: str = "fr") -> Verification:
        """Check a file against the archived, signed manifest of its month."""
        bundle = self.archive.get(month, lang)
        if bundle is None:
            raise NotArchived(f"no archived report for {month}")
        return verify_envelope(bundle.manifest, {name: data}, [self.signer.public_key])
