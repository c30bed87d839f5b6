"""`vigie samu`: list and show the SAMU of the registry (no store needed)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from store.errors import RegistryError
from store.registry import ID_PREFIX, Registry, Samu, load_registry

F = TypeVar("F", bound=Callable[..., Any])

_COLUMNS = ("ID", "DEPTS", "NAME", "REGION", "BACKUP", "CALLS/DAY")


def _registry_option(func: F) -> F:
    option = click.option(
        "--registry",
        "registry_file",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="SAMU registry data file (default: the packaged store/data/samu.yaml).",
    )
    return option(func)


def _format_option(func: F) -> F:
    option = click.option(
        "--format",
        "fmt",
        type=click.Choice(["table", "json"]),
        default="table",
        show_default=True,
        help="Output format.",
    )
    return option(func)


def _load(registry_file: Path | None) -> Registry:
    try:
        return load_registry(registry_file)
    except RegistryError as exc:
        raise click.ClickException(str(exc)) from exc


def _row(s: Samu) -> tuple[str, ...]:
    backup = s.backup_id.removeprefix(ID_PREFIX)
    backup = backup[1:] if backup.startswith("0") else backup
    return (s.id, ",".join(s.departments), s.name, s.region, backup, f"{s.daily_calls:,}")


def _table(rows: list[tuple[str, ...]]) -> str:
    widths = [max(len(row[i]) for row in [_COLUMNS, *rows]) for i in range(len(_COLUMNS))]
    last = len(_COLUMNS) - 1
    lines = []
    for row in [_COLUMNS, *rows]:
        cells = [cell.ljust(width) for cell, width in zip(row[:last], widths, strict=False)]
        lines.append("  ".join([*cells, row[last].rjust(widths[last])]))
    return "\n".join(lines)


def _resolve(registry: Registry, key: str) -> Samu:
    """A SAMU by full id, by short id ("075") or by department code ("75", "2A", "90")."""
    found = registry.get(key) or registry.get(ID_PREFIX + key.upper())
    found = found or registry.by_department(key)
    if found is None:
        raise click.UsageError(
            f"unknown SAMU {key!r}: give an id such as {ID_PREFIX}075 or a department code "
            "such as 75, 2A or 971 (see `vigie samu list`)"
        )
    return found


@click.group("samu")
def samu() -> None:
    """The SAMU registry: every SAMU Vigie 15 knows, with its backup for entraide."""


@samu.command("list")
@click.option("--region", default=None, help="Only this region (e.g. Bretagne, Guadeloupe).")
@_format_option
@_registry_option
def list_cmd(region: str | None, fmt: str, registry_file: Path | None) -> None:
    """List the SAMU, in department order."""
    registry = _load(registry_file)
    selected = list(registry)
    if region is not None:
        regions = {name.casefold(): name for name in registry.regions()}
        if region.casefold() not in regions:
            known = ", ".join(registry.regions())
            raise click.UsageError(f"unknown region {region!r}; known regions: {known}")
        selected = registry.regions()[regions[region.casefold()]]
    if fmt == "json":
        click.echo(json.dumps([s.to_dict() for s in selected], ensure_ascii=False, indent=2))
        return
    click.echo(_table([_row(s) for s in selected]))
    total = sum(s.daily_calls for s in selected)
    click.echo(f"{len(selected)} SAMU, {total:,} calls a day in total")


@samu.command("show")
@click.argument("samu_id")
@_format_option
@_registry_option
def show_cmd(samu_id: str, fmt: str, registry_file: Path | None) -> None:
    """Show one SAMU by id (fr.health.samu075) or department code (75, 2A, 90)."""
    registry = _load(registry_file)
    found = _resolve(registry, samu_id)
    backup = registry.backup_of(found.id)
    backed = registry.backed_by(found.id)
    if fmt == "json":
        data = found.to_dict() | {"backs_up": [s.id for s in backed]}
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    fields = [
        ("id", found.id),
        ("name", found.name),
        ("departments", ", ".join(found.departments)),
        ("region", found.region),
        ("time zone", found.timezone + (" (overseas, no DST)" if found.overseas else "")),
        ("seat", f"{found.lat:.2f}, {found.lon:.2f}"),
        ("backed up by", f"{backup.id} ({backup.name})"),
        ("backs up", ", ".join(s.id for s in backed) or "-"),
        ("calls a day", f"{found.daily_calls:,} (typical, simulator)"),
        ("map tile", f"row {found.tile_row}, col {found.tile_col}"),
    ]
    for label, value in fields:
        click.echo(f"{label + ':':<14}{value}")
