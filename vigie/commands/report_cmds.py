"""`vigie report`: produce a month's signed report (through a running instance or the store),
and `vigie report verify` to prove report files unaltered."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click
import httpx

from vigie.remote import api_request, token_for, with_state
from vigie.settings import Settings

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    from reports.service import ReportService
    from slo.model import SLO
    from store.client import Store


def signing_key_path(settings: Settings) -> Path:
    """Where the report signing key lives by default (VIGIE_DATA_DIR/keys)."""
    return settings.data_dir / "keys" / "report-signing.pem"


def report_slos(specs: Path | None = None) -> list[SLO]:
    """The SLO specs in force (VIGIE_SLO_DIR, else the shipped ones): the report states S1,
    S2, S3 and the national S1 from them, as the engine judges them."""
    from slo.errors import SpecError
    from slo.loader import load_specs
    from vigie.catalogue import conventions_catalogue

    specs = specs or Settings().slo_specs
    try:
        return list(load_specs(specs, conventions_catalogue()).slos)
    except SpecError as exc:
        raise click.ClickException(f"cannot load the SLO specs in {specs}: {exc}") from exc


def build_service(store: Store, settings: Settings, key: Path | None = None) -> ReportService:
    """A ReportService on the store (maintenance read from it; incidents wired by `vigie up`)."""
    from alerts.events import EventLog
    from alerts.maintenance_store import MaintenanceStore
    from reports.archive import Archive
    from reports.service import ReportService
    from reports.sign import Signer
    from store.audit import AuditLog
    from store.clock import SystemClock
    from store.registry import load_registry
    from vigie.catalogue import conventions_catalogue

    clock = SystemClock()
    audit = AuditLog(store, clock)
    signer = Signer(key or signing_key_path(settings), lambda text: click.echo(text, err=True))
    maintenance = MaintenanceStore(store, clock, EventLog(store, clock))
    return ReportService(
        store,
        list(load_registry()),
        report_slos(settings.slo_specs),
        signer,
        Archive(store, clock, audit),
        clock,
        maintenance=maintenance,
        known_outcomes=conventions_catalogue().outcomes(),
    )


def _write(out: Path, files: dict[str, bytes]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for name, data in sorted(files.items()):
        (out / name).write_bytes(data)
        click.echo(f"wrote {out / name}")


@click.group("report", invoke_without_command=True)
@click.option("--month", help="The civil month to report, YYYY-MM (Europe/Paris).")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("reports"),
    show_default=True,
    help="Folder to write the files to.",
)
@click.option("--lang", type=click.Choice(["fr", "en"]), default="fr", show_default=True)
@click.option("--reissue", is_flag=True, help="Issue a new version if the figures changed.")
@click.option("--reason", default="", help="Why a re-issue is made (required with --reissue).")
@click.option("--url", default=None, help="A running instance (default: the local one, if any).")
@click.option(
    "--key",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Signing key file (default: DATA_DIR/keys/report-signing.pem).",
)
@click.pass_context
def report_group(
    ctx: click.Context,
    month: str | None,
    out: Path,
    lang: str,
    reissue: bool,
    reason: str,
    url: str | None,
    key: Path | None,
) -> None:
    """Produce the monthly availability report (PDF, CSV, JSON, signed manifest)."""
    if ctx.invoked_subcommand is not None:
        return
    if not month:
        raise click.UsageError("--month YYYY-MM is required")
    settings = Settings()

    def via_api(base: str) -> tuple[int, dict[str, bytes]]:
        from reports.service import file_names

        names = file_names(month, lang)
        paths = [
            f"/{month}.json",
            f"/{month}.csv",
            f"/{month}-daily.csv",
            f"/{month}.pdf",
            f"/{month}/manifest",
        ]
        files: dict[str, bytes] = {}
        root = "/api/v1/reports"
        token = token_for(settings)
        with (
            httpx.Client(timeout=300) as http,
            click.progressbar(length=len(paths) + 1, label=f"report {month}") as bar,
        ):
            issue = {"lang": lang, "reissue": reissue, "reason": reason}
            path = f"{root}/{month}/issue"
            issued = api_request(base, "POST", path, token, params=issue, timeout=300, client=http)
            bar.update(1)
            for path, name in zip(
                paths, [*list(names.values())[:4], names["manifest"]], strict=True
            ):
                got = api_request(
                    base, "GET", root + path, token, params={"lang": lang}, timeout=300, client=http
                )
                files[name] = got.content
                bar.update(1)
        return int(issued.json()["version"]), files

    def via_store(store: Store) -> tuple[int, dict[str, bytes]]:
        from reports.errors import ReportError
        from reports.service import STEPS

        service = build_service(store, settings, key)
        with click.progressbar(length=len(STEPS), label=f"report {month}") as bar:
            try:
                bundle = service.issue(
                    month,
                    lang,
                    reissue,
                    actor="cli",
                    reason=reason,
                    progress=lambda _: bar.update(1),
                )
            except ReportError as exc:
                raise click.ClickException(str(exc)) from exc
        return bundle.version, bundle.all_files()

    version, files = with_state(settings, url, via_api, via_store)
    _write(out, files)
    click.echo(f"report {month} version {version} ({lang})")


def trusted_keys(settings: Settings, given: Path | None) -> list[Ed25519PublicKey]:
    """The keys a report must be signed by: --public-key, else VIGIE_REPORT_TRUSTED_KEYS, else
    the public half of this data directory's signing key; none at all is an empty list."""
    from reports.sign import Signer
    from reports.verify import load_public_keys

    source = given or settings.report_trusted_keys
    if source is not None:
        return load_public_keys(source.read_bytes())
    own = signing_key_path(settings)
    return [Signer(own).public_key] if own.is_file() else []


@report_group.command("verify")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--public-key",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="PEM public key(s) to trust: the platform's (GET /api/v1/reports/public-key). "
    "Default: VIGIE_REPORT_TRUSTED_KEYS, else the data directory's signing key.",
)
def verify_cmd(file: Path, public_key: Path | None) -> None:
    """Check FILE and every file of its report: signed by a trusted key, none missing, altered
    or added. The key named inside the manifest is only a hint, never trusted."""
    from reports.errors import ReportError
    from reports.verify import verify_path

    try:
        result = verify_path(file, trusted_keys(Settings(), public_key))
    except (ReportError, OSError) as exc:
        click.echo(f"FAILED {file}: {exc}", err=True)
        raise SystemExit(1) from exc
    m = result.manifest
    click.echo(
        f"OK {file}: report {m['month']} version {m['version']} ({m['lang']}), "
        f"{len(result.files)} file(s) checked: {', '.join(result.files)}"
    )
    click.echo(f"signed by trusted key {result.fingerprint}")
