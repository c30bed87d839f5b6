"""`vigie slo validate|import|status|backtest`: specs checked, OpenSLO translated, SLO status
(through a running instance's API, or on the store) and the alert policy replayed on history."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from slo.errors import OpenSLOError, SloError, SpecError
from vigie.remote import api_get, token_for, with_state

SPECS_HELP = "SLO spec folder (default: VIGIE_SLO_DIR, else the shipped specs)."

if TYPE_CHECKING:
    from collector.simulator.scenarios import Scenario
    from slo.loader import LoadResult
    from store.client import Store

_INSTANTS = ["%Y-%m-%d", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]


@click.group("slo")
def slo_group() -> None:
    """SLO specs, status and backtests."""


@slo_group.command("validate")
@click.argument("target", required=False, type=click.Path(exists=True, path_type=Path))
@click.option("--policy", type=click.Path(exists=True, path_type=Path), help="Alert policy file.")
def validate_cmd(target: Path | None, policy: Path | None) -> None:
    """Check every spec in TARGET (a directory or a file; default: VIGIE_SLO_DIR, else the
    shipped specs)."""
    from slo.loader import check_dir, load_policy
    from vigie.catalogue import conventions_catalogue

    try:
        policies = load_policy(policy)
    except SpecError as exc:
        for issue in exc.issues:
            click.echo(f"error: {issue}", err=True)
        raise SystemExit(1) from exc
    failed = False
    for report in check_dir(_spec_dir(target), conventions_catalogue(), policies):
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
    import yaml

    from slo.loader import load_policy
    from slo.openslo import import_openslo
    from vigie.catalogue import conventions_catalogue

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


def _spec_dir(given: Path | None) -> Path:
    from vigie.settings import Settings

    return given or Settings().slo_specs


def _specs(given: Path | None) -> LoadResult:
    from slo.loader import load_policy, load_specs
    from vigie.catalogue import conventions_catalogue

    target = _spec_dir(given)
    try:
        return load_specs(target, conventions_catalogue(), load_policy())
    except SpecError as exc:
        raise click.ClickException(f"invalid specs in {target}:\n{exc}") from exc


def _pct(value: Any, digits: int = 3) -> str:
    return "—" if value is None else f"{float(value) * 100:.{digits}f}%"


def _burn(value: Any) -> str:
    return "—" if value is None else f"{float(value):.2f}"


def _minutes(tally: dict[str, int] | None) -> str:
    """A slice SLO's bad and Vigie-gap minutes over its window ("—" for event SLOs)."""
    return "—" if not tally else f"{tally['bad']}/{tally['gap']}"


def print_status(rows: list[dict[str, Any]]) -> None:
    """The status table: SAMU × SLO → SLI, objective, budget left, burns, state."""
    from slo.api import STATUS_WINDOWS

    head = ["SAMU", "SLO", "SLI", "objective", "budget left"]
    head += [f"burn {w}" for w in STATUS_WINDOWS] + ["bad/gap min", "state"]
    table = [head]
    for r in sorted(rows, key=lambda r: (r["samu"], r["slo"])):
        burns = r.get("burns", {})
        table.append(
            [
                r["samu"],
                r["slo"],
                _pct(r["sli"]),
                _pct(r["objective"], 2),
                _pct(r["budget_remaining"], 1),
                *(_burn(burns.get(w)) for w in STATUS_WINDOWS),
                _minutes(r.get("minutes")),
                r["state"],
            ]
        )
    widths = [max(len(str(row[i])) for row in table) for i in range(len(head))]
    for row in table:
        click.echo("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())


@slo_group.command("status")
@click.option("--samu", help="One SAMU id (fr.health.samuNNN); default: every SAMU.")
@click.option("--window", help="A calendar period instead of each SLO's window: 2026-10, 2026-Q4.")
@click.option("--slo", "slo_ids", multiple=True, help="Only these SLO ids.")
@click.option("--specs", "spec_dir", type=click.Path(path_type=Path), help=SPECS_HELP)
@click.option("--url", help="A running instance (default: the one on the data directory).")
@click.option("--data-dir", type=click.Path(), help="Data directory.")
@click.option("--json", "as_json", is_flag=True, help="JSON instead of a table.")
def status_cmd(
    samu: str | None,
    window: str | None,
    slo_ids: tuple[str, ...],
    spec_dir: Path | None,
    url: str | None,
    data_dir: str | None,
    as_json: bool,
) -> None:
    """SAMU × SLO: SLI, objective, budget left, burn 1h/6h/3d and state."""
    from vigie.settings import settings_from

    settings = settings_from(data_dir=data_dir)
    params = {k: v for k, v in (("samu", samu), ("window", window)) if v}

    def via_api(base: str) -> list[dict[str, Any]]:
        token = token_for(settings)
        listed = api_get(base, "/api/v1/slos", None, token)["slos"]
        ids = [s["id"] for s in listed if not slo_ids or s["id"] in slo_ids]
        rows: list[dict[str, Any]] = []
        for slo_id in ids:
            rows += api_get(base, f"/api/v1/slos/{slo_id}/status", params, token)["status"]
        return rows

    def via_store(store: Store) -> list[dict[str, Any]]:
        from alerts.events import EventLog
        from alerts.maintenance_store import MaintenanceStore
        from slo.api import compute_status, status_dict
        from store.clock import SystemClock
        from store.registry import load_registry

        slos = [s for s in _specs(spec_dir).slos if not slo_ids or s.id in slo_ids]
        clock = SystemClock()
        planned = MaintenanceStore(store, clock, EventLog(store, clock)).list()
        try:
            found = compute_status(store, load_registry(), slos, clock.now(), samu, window, planned)
        except SloError as exc:
            raise click.ClickException(str(exc)) from exc
        return [status_dict(st) for st in found]

    rows = with_state(settings, url, via_api, via_store)
    if as_json:
        click.echo(json.dumps(rows, indent=2, default=str))
        return
    print_status(rows)


@slo_group.command("backtest")
@click.option("--from", "start", required=True, type=click.DateTime(_INSTANTS), help="UTC.")
@click.option("--to", "end", required=True, type=click.DateTime(_INSTANTS), help="UTC.")
@click.option("--step", default=1, show_default=True, help="Minutes between replayed ticks.")
@click.option("--specs", "spec_dir", type=click.Path(path_type=Path), help=SPECS_HELP)
@click.option("--data-dir", type=click.Path(), help="Data directory.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "csv"]),
    default="text",
    show_default=True,
    help="json: one object; csv: one table whose `record` column says what each row is.",
)
@click.option(
    "--truth",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Stored history: score against these recorded incidents (a scenario file with "
    "absolute times).",
)
@click.option(
    "--seed",
    type=int,
    default=None,
    help="Replay simulated history (this simulator seed) instead of the stored one.",
)
@click.option(
    "--scenario",
    "scenario_specs",
    multiple=True,
    help="With --seed: an incident to play, KIND:SAMU@+OFFSET/DURATION (offset from "
    "--from); repeatable. The report scores the alerts against them.",
)
@click.option(
    "--samu-count",
    default=10,
    show_default=True,
    help="With --seed: SAMU simulated (spread over sizes; scenario targets added).",
)
def backtest_cmd(
    start: datetime,
    end: datetime,
    step: int,
    spec_dir: Path | None,
    data_dir: str | None,
    fmt: str,
    truth: Path | None,
    seed: int | None,
    scenario_specs: tuple[str, ...],
    samu_count: int,
) -> None:
    """Replay every alert the engine raises (burn-rate pairs, probe, heartbeat, no-data,
    ingest gap, traffic collapse, budget tickets; planned maintenance honoured) over stored
    history until now or the end of the data, or over simulated history; per incident:
    detection and reset delays, pages, tickets; false pages per SLO and SAMU."""
    from slo.backtest_report import csv_text, document, text_lines
    from slo.loader import load_policy
    from store.clock import utc
    from store.registry import load_registry
    from vigie import backtest_run
    from vigie.settings import settings_from

    policy = load_policy()
    specs = _specs(spec_dir)
    registry = load_registry()
    first, last = utc(start), utc(end)
    minutes = timedelta(minutes=step)
    if scenario_specs and seed is None:
        raise click.UsageError("--scenario needs --seed (scenarios are played on simulated data)")
    if truth is not None and seed is not None:
        raise click.UsageError("--truth scores stored history; --seed is scored by its scenarios")
    say = (lambda line: click.echo(line, err=True)) if fmt != "text" else click.echo
    try:
        if seed is not None:
            scenarios = _parsed(scenario_specs)
            run = backtest_run.simulated(
                registry,
                specs,
                policy.guards,
                first,
                last,
                minutes,
                seed,
                scenarios,
                samu_count,
                say,
            )
        else:
            labels = backtest_run.labels_of(registry)
            known = backtest_run.truth_from(truth, list(labels)) if truth else None

            def via_api(base: str) -> backtest_run.BacktestRun:
                raise click.ClickException(
                    f"an instance runs at {base} and holds the store; a backtest reads the store "
                    "directly: stop it, or use a server DSN (VIGIE_CLICKHOUSE_DSN)"
                )

            run = with_state(
                settings_from(data_dir=data_dir),
                None,
                via_api,
                lambda store: backtest_run.stored(
                    store, specs, policy.guards, labels, first, last, minutes, known
                ),
            )
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    doc = document(run.replay, run.alerts, run.score)
    if fmt == "json":
        click.echo(json.dumps(doc, indent=2, ensure_ascii=False))
    elif fmt == "csv":
        click.echo(csv_text(doc), nl=False)
    else:
        for line in text_lines(doc):
            click.echo(line)


def _parsed(specs: tuple[str, ...]) -> list[Scenario]:
    from collector.simulator.errors import ScenarioError
    from collector.simulator.scenario_spec import parse_scenario

    try:
        return [parse_scenario(s) for s in specs]
    except ScenarioError as exc:
        raise click.BadParameter(str(exc), param_hint="--scenario") from exc
