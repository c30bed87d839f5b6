"""`vigie slo validate` and `vigie slo import`: spec files checked and OpenSLO translated."""

from __future__ import annotations

from pathlib import Path

import click
import yaml

from collector.conventions import COMPONENTS, METRICS, SAMU_ID_PATTERN
from slo.catalogue import Catalogue, catalogue_from
from slo.errors import OpenSLOError, SpecError
from slo.loader import check_dir, load_policy
from slo.openslo import import_openslo


def conventions_catalogue() -> Catalogue:
    """The metric catalogue of collector/conventions.py, as the slo package checks specs."""
    return catalogue_from(METRICS, COMPONENTS, SAMU_ID_PATTERN)


@click.group("slo")
def slo_group() -> None:
    """SLO specs: validate them, import OpenSLO."""


@slo_group.command("validate")
@click.argument("target", default="slos", type=click.Path(exists=True, path_type=Path))
@click.option("--policy", type=click.Path(exists=True, path_type=Path), help="Alert policy file.")
def validate_cmd(target: Path, policy: Path | None) -> None:
    """Check every spec in TARGET (a directory or a file; default slos/)."""
    try:
        policies = load_policy(policy)
    except SpecError as exc:
        for issue in exc.issues:
            click.echo(f"error: {issue}", err=True)
        raise SystemExit(1) from exc
    failed = False
    for report in check_dir(target, conventions_catalogue(), policies):
        for warning in report.warnings:
            click.echo(f"warning: {warning}")
        for error in report.errors:
            click.echo(f"error: {error}", err=True)
        if report.errors:
            failed = True
            continue
        ids = ", ".join(obj_id for obj_id, _ in report.ids())
        click.echo(f"OK {report.file}: {ids}")
    if failed:
        raise SystemExit(1)


@slo_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--out", type=click.Path(file_okay=False, path_type=Path), help="Write <id>.yaml here."
)
def import_cmd(file: Path, out: Path | None) -> None:
    """Translate an OpenSLO v1 FILE into vigie/v1 specs (stdout, or one file per SLO in --out)."""
    try:
        result = import_openslo(
            file.read_text(encoding="utf-8"), load_policy(), conventions_catalogue()
        )
    except OpenSLOError as exc:
        raise click.ClickException(f"cannot import {file}: {exc}") from exc
    for note in result.notes:
        click.echo(f"note: {note}", err=True)
    for doc in result.documents:
        text = yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)
        if out is None:
            click.echo("---\n" + text, nl=False)
            continue
        out.mkdir(parents=True, exist_ok=True)
        path = out / f"{doc['id']}.yaml"
        path.write_text(f"# Imported from OpenSLO {file.name}\n{text}", encoding="utf-8")
        click.echo(f"wrote {path}", err=True)


commands: list[click.Command] = [slo_group]
