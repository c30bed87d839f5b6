"""`vigie migration import|list|compare|cancel`: migration waves planned from a CSV or YAML plan,
and each SAMU's figures before vs after its night (through a running instance, or the store)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import quote
from zoneinfo import ZoneInfo

import click

from vigie.remote import api_request, token_for, with_state
from waves.errors import PlanError, WaveNotFound

if TYPE_CHECKING:  # the store and the comparison are imported when a command runs
    from store.client import Store
    from waves.service import WaveService

CLI_ACTOR = "cli@local"
PARIS = ZoneInfo("Europe/Paris")
T = TypeVar("T")

_url = click.option("--url", default=None, help="A running instance (default: the local one).")
_tok = click.option("--token", envvar="VIGIE_TOKEN", default="", help="API token.")
_data_dir = click.option("--data-dir", type=click.Path(), help="Data directory.")


def _service(store: Store) -> WaveService:
    """The waves of a store opened directly (no instance runs): migrated, specs loaded."""
    from alerts.events import EventLog
    from alerts.maintenance_store import MaintenanceStore
    from slo.loader import load_policy, load_specs
    from store.audit import AuditLog
    from store.clock import SystemClock
    from store.migrations import migrate
    from store.registry import load_registry
    from vigie.catalogue import conventions_catalogue
    from vigie.schema import all_migrations
    from vigie.settings import settings_from
    from vigie.waves_role import build_waves

    migrate(store, migrations=all_migrations())
    clock = SystemClock()
    audit = AuditLog(store, clock)
    maintenance = MaintenanceStore(store, clock, EventLog(store, clock), audit)
    specs = load_specs(settings_from().slo_specs, conventions_catalogue(), load_policy()).slos
    return build_waves(store, clock, load_registry(), audit, maintenance, lambda: specs)


def _run(
    url: str | None,
    token: str,
    data_dir: str | None,
    via_api: Callable[[str, str], T],
    via_store: Callable[[WaveService], T],
) -> T:
    from vigie.settings import settings_from

    settings = settings_from(data_dir=data_dir)

    def on_store(store: Store) -> T:
        try:
            return via_store(_service(store))
        except WaveNotFound as exc:
            raise click.ClickException(str(exc)) from exc

    return with_state(
        settings, url, lambda base: via_api(base, token or token_for(settings)), on_store
    )


@click.group("migration")
def migration() -> None:
    """Migration waves: SAMU moved onto another platform in planned nights, compared."""


@migration.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Validate the plan only.")
@_url
@_tok
@_data_dir
def import_cmd(
    file: Path, dry_run: bool, url: str | None, token: str, data_dir: str | None
) -> None:
    """Plan the waves of FILE (.yaml or .csv): each night becomes a maintenance window (muted,
    excluded from budgets); a wave already planned is replanned when it changed."""
    from store.registry import load_registry
    from waves.plan import load_plan

    try:
        plan = load_plan(file, load_registry().ids())
    except PlanError as exc:
        for problem in exc.problems:
            click.echo(f"error: {problem}", err=True)
        raise SystemExit(1) from exc
    for warning in plan.warnings:
        click.echo(f"warning: {warning}", err=True)
    if dry_run:
        for w in plan.waves:
            click.echo(f"OK {w.id}: {len(w.moves)} SAMU, night {_night(w.starts_at, w.ends_at)}")
        return

    def via_api(base: str, token: str) -> list[dict[str, Any]]:
        response = api_request(
            base,
            "POST",
            "/api/v1/waves",
            token,
            params={"name": file.name},
            content=file.read_bytes(),
            timeout=120,
        )
        found: list[dict[str, Any]] = response.json()["waves"]
        return found

    def via_store(service: WaveService) -> list[dict[str, Any]]:
        try:
            done = service.plan(plan, actor=CLI_ACTOR, source="cli")
        except PlanError as exc:
            raise click.ClickException(str(exc)) from exc
        return [{"id": w.id, "outcome": outcome} for w, outcome in done]

    for row in _run(url, token, data_dir, via_api, via_store):
        click.echo(f"{row['id']}: {row['outcome']}")


def _night(start: Any, end: Any) -> str:
    return f"{start.astimezone(PARIS):%Y-%m-%d %H:%M} → {end.astimezone(PARIS):%H:%M} (Paris)"


@migration.command("list")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@_url
@_tok
@_data_dir
def list_cmd(fmt: str, url: str | None, token: str, data_dir: str | None) -> None:
    """The waves, by night: SAMU, platforms, approver, planned or cancelled."""

    def via_api(base: str, token: str) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = api_request(base, "GET", "/api/v1/waves", token).json()
        return found

    rows = _run(url, token, data_dir, via_api, lambda s: [w.to_dict() for w in s.waves()])
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    from datetime import datetime

    for r in rows:
        start = datetime.fromisoformat(r["night"]["start"])
        end = datetime.fromisoformat(r["night"]["end"])
        moves = sorted({f"{m['from']} → {m['to']}" for m in r["samu"]})
        state = "cancelled" if r["cancelled"] else "planned"
        click.echo(
            f"{r['id']:<20} {_night(start, end)}  {len(r['samu']):>2} SAMU  {state:<9} "
            f"{'; '.join(moves)}  (approved by {r['approved_by']})"
        )


@migration.command("compare")
@click.argument("wave")
@click.option("--days", default=7, show_default=True, type=click.IntRange(1, 34))
@click.option("--unit", type=click.Choice(["hour", "day"]), default="hour", show_default=True)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json", "csv"]), default="text", show_default=True
)
@_url
@_tok
@_data_dir
def compare_cmd(
    wave: str, days: int, unit: str, fmt: str, url: str | None, token: str, data_dir: str | None
) -> None:
    """Each SAMU of WAVE: its figures over DAYS before vs after the night, the difference with
    its interval, and a verdict per figure (better / same / worse)."""

    def via_api(base: str, token: str) -> str:
        params = {"days": days, "unit": unit, "format": fmt}
        path = f"/api/v1/waves/{quote(wave, safe='')}/compare"
        return api_request(base, "GET", path, token, params=params, timeout=120).text

    def via_store(service: WaveService) -> str:
        from waves.render import comparison_csv, comparison_dict, comparison_text

        found = service.compare(wave, days, "day" if unit == "day" else "hour")
        if fmt == "json":
            return json.dumps(comparison_dict(found), indent=2, ensure_ascii=False) + "\n"
        return comparison_csv(found) if fmt == "csv" else comparison_text(found)

    click.echo(_run(url, token, data_dir, via_api, via_store), nl=False)


@migration.command("cancel")
@click.argument("wave")
@_url
@_tok
@_data_dir
def cancel_cmd(wave: str, url: str | None, token: str, data_dir: str | None) -> None:
    """Cancel a wave: its maintenance window is cancelled too."""

    def via_api(base: str, token: str) -> None:
        api_request(base, "DELETE", f"/api/v1/waves/{quote(wave, safe='')}", token)

    _run(
        url, token, data_dir, via_api, lambda s: s.book.cancel(wave, actor=CLI_ACTOR, source="cli")
    )
    click.echo(f"{wave}: cancelled")


commands: list[click.Command] = [migration]
