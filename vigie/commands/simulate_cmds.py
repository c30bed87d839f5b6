"""`vigie simulate`: simulated SAMU traffic into a running collector, live or as history."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import click

from collector.simulator.errors import SimulatorError
from store.errors import RegistryError

if TYPE_CHECKING:
    from collector.simulator.backfill import Progress
    from collector.simulator.runner import SimulationHandle
    from collector.simulator.scenarios import Scenario
    from store.registry import Registry

DEFAULT_PORTS = {"http": 4318, "grpc": 4317}


def _seconds(ctx: click.Context, param: click.Parameter, value: str | None) -> float | None:
    if value is None:
        return None
    from collector.simulator.scenario_spec import parse_duration

    try:
        return parse_duration(value)
    except SimulatorError as exc:
        raise click.BadParameter(str(exc)) from exc


def _registry() -> Registry:
    from store.registry import load_registry

    try:
        return load_registry()
    except RegistryError as exc:
        raise click.ClickException(f"SAMU registry: {exc}") from exc


def _scenarios(specs: tuple[str, ...], files: tuple[str, ...]) -> tuple[Scenario, ...]:
    from collector.simulator.scenario_spec import load_scenarios, parse_scenario

    try:
        found = [parse_scenario(s) for s in specs]
        for path in files:
            found.extend(load_scenarios(Path(path)))
    except SimulatorError as exc:
        raise click.BadParameter(str(exc), param_hint="--scenario") from exc
    return tuple(found)


def _endpoint(endpoint: str | None, protocol: str) -> str:
    return endpoint or f"http://127.0.0.1:{DEFAULT_PORTS[protocol]}"


_common = [
    click.option(
        "--endpoint", help="Collector OTLP endpoint [http://127.0.0.1:4318, 4317 for gRPC]."
    ),
    click.option("--samu", "samu_ids", multiple=True, help="Simulate this SAMU id (repeatable)."),
    click.option("--count", type=click.IntRange(min=1), help="Simulate the first N SAMU only."),
    click.option("--seed", type=int, default=0, show_default=True, help="Random seed."),
    click.option(
        "--scenario",
        "specs",
        multiple=True,
        help="KIND:SAMU[,SAMU…]@+START/DURATION[,name=value…] (repeatable), e.g. "
        "outage:fr.health.samu075@+10m/15m.",
    ),
    click.option(
        "--scenario-file",
        "files",
        multiple=True,
        type=click.Path(exists=True),
        help="A YAML scenario file (version: 1).",
    ),
    click.option(
        "--surge",
        type=click.FloatRange(min=0.0),
        default=1.0,
        show_default=True,
        help="Arrival multiplier (epidemic 1.3–1.6, COVID 3).",
    ),
    click.option(
        "--probe-interval",
        default="60s",
        show_default=True,
        callback=_seconds,
        help="Synthetic test call period.",
    ),
    click.option(
        "--heartbeat-interval",
        default="10s",
        show_default=True,
        callback=_seconds,
        help="Reachability check period.",
    ),
    click.option(
        "--token",
        envvar="VIGIE_AGENT_TOKEN",
        default="",
        help="Agent token (vigie agents add) bound to the simulated SAMU.",
    ),
]


def _with_common(f: Any) -> Any:
    for option in reversed(_common):
        f = option(f)
    return f


@click.group("simulate", invoke_without_command=True)
@_with_common
@click.option("--protocol", type=click.Choice(["http", "grpc"]), default="http", show_default=True)
@click.option(
    "--speed",
    type=click.FloatRange(min=0.0, min_open=True),
    default=1.0,
    show_default=True,
    help="Model time runs N× faster; points are stamped with wall time, so a wall "
    "minute holds N model minutes of calls.",
)
@click.option("--export-interval", default="10s", show_default=True, callback=_seconds)
@click.option("--duration", default=None, callback=_seconds, help="Stop after this (wall) time.")
@click.pass_context
def simulate(ctx: click.Context, /, **kw: Any) -> None:
    """Run simulated SAMU agents (real OTel SDK) against a collector; `backfill` writes history."""
    if ctx.invoked_subcommand is not None:
        return
    from collector.simulator.runner import (
        SimulationOptions,
        check_reachable,
        select_samu,
        start_simulation,
    )
    from collector.simulator.scenario_spec import check_targets
    from store.clock import SystemClock

    protocol: Literal["http", "grpc"] = kw["protocol"]
    endpoint = _endpoint(kw["endpoint"], protocol)
    registry = _registry()
    options = SimulationOptions(
        protocol=protocol,
        samu_ids=kw["samu_ids"],
        count=kw["count"],
        speed=kw["speed"],
        seed=kw["seed"],
        export_interval_s=kw["export_interval"],
        probe_interval_s=kw["probe_interval"],
        heartbeat_interval_s=kw["heartbeat_interval"],
        scenarios=_scenarios(kw["specs"], kw["files"]),
        surge=kw["surge"],
        duration_s=kw["duration"],
        auth_token=kw["token"],
    )
    try:
        check_targets(options.scenarios, [s.id for s in select_samu(registry, options)])
        check_reachable(endpoint)
        handle = start_simulation(endpoint, registry, options, SystemClock())
    except (SimulatorError, RegistryError) as exc:
        raise click.ClickException(str(exc)) from exc
    n = len(handle.simulation.agents)
    click.echo(f"simulating {n} SAMU → {endpoint} ({protocol}), speed ×{options.speed:g}")
    for mark in handle.simulation.maintenance():
        click.echo(f"planned maintenance {mark.samu_id}: {_iso(mark.start)} → {_iso(mark.end)}")
    _watch(handle)


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M:%SZ")


def _watch(handle: SimulationHandle) -> None:
    try:
        while not handle.wait(5.0):
            s = handle.stats
            scenarios = ", ".join(s.labels) or "none"
            line = (
                f"model {_iso(s.model_time)} | calls {s.calls} | exports ok {s.exports_ok} "
                f"failed {s.exports_failed} | scenarios: {scenarios}"
            )
            click.echo(line)
    except KeyboardInterrupt:
        click.echo("stopping (flushing the last export)…")
    finally:
        handle.stop()
    if handle.stats.exports_ok == 0:
        raise click.ClickException(f"no export succeeded: {handle.stats.last_error}")


@simulate.command("backfill")
@_with_common
@click.option(
    "--days",
    type=float,
    default=7.0,
    show_default=True,
    help="Days of history up to now (at most 34: the collector refuses points older than 35 days).",
)
@click.option("--concurrency", type=click.IntRange(min=1), default=2, show_default=True)
def backfill_cmd(**kw: Any) -> None:
    """Write N days of per-minute history through the collector (OTLP/HTTP protobuf)."""
    from collector.simulator.backfill import BackfillOptions, backfill_window, run_backfill
    from collector.simulator.runner import SimulationOptions, check_reachable, select_samu
    from collector.simulator.scenario_spec import check_targets
    from store.clock import SystemClock

    endpoint = _endpoint(kw["endpoint"], "http")
    registry = _registry()
    options = BackfillOptions(
        days=kw["days"],
        seed=kw["seed"],
        surge=kw["surge"],
        probe_interval_s=kw["probe_interval"],
        heartbeat_interval_s=kw["heartbeat_interval"],
        scenarios=_scenarios(kw["specs"], kw["files"]),
        concurrency=kw["concurrency"],
        auth_token=kw["token"],
    )

    def show(p: Progress) -> None:
        rate = p.points_sent / p.elapsed_s if p.elapsed_s else 0.0
        done = 100.0 * p.minutes_done / max(p.minutes_total, 1)
        sys.stderr.write(
            f"\rbackfill {done:5.1f}% | {p.points_sent:,} points in {p.requests_sent} requests "
            f"| {rate:,.0f} points/s   "
        )

    try:
        samus = select_samu(registry, SimulationOptions(samu_ids=kw["samu_ids"], count=kw["count"]))
        check_targets(options.scenarios, [s.id for s in samus])
        backfill_window(SystemClock().now().timestamp(), options.days)
        check_reachable(endpoint)
        report = run_backfill(endpoint, samus, options, SystemClock(), progress=show)
    except (SimulatorError, RegistryError) as exc:
        sys.stderr.write("\n")
        raise click.ClickException(str(exc)) from exc
    sys.stderr.write("\n")
    click.echo(
        f"backfilled {kw['days']:g} days of {len(samus)} SAMU: {report.points:,} points in "
        f"{report.requests} requests ({report.retries} retries); rejected {report.rejected:,}"
    )
    for message, count in report.messages.most_common(5):
        click.echo(f"  rejected ×{count}: {message}")
