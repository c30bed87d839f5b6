"""`vigie up` (everything in one process) and the single roles for server deployments."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from store.errors import StoreError, StoreLocked
from vigie.instance import running_instance
from vigie.settings import Settings, settings_from

if TYPE_CHECKING:
    from collector.simulator.runner import SimulationOptions


def _common(fn: Any) -> Any:
    options = [
        click.option(
            "--data-dir",
            type=click.Path(file_okay=False),
            envvar="VIGIE_DATA_DIR",
            help="Data directory (embedded store, state). Default ./data.",
        ),
        click.option(
            "--dsn",
            "clickhouse_dsn",
            envvar="VIGIE_CLICKHOUSE_DSN",
            help="ClickHouse DSN: chdb:///path or http(s)://host:8123.",
        ),
        click.option("--host", envvar="VIGIE_HOST", help="Bind address (default 127.0.0.1)."),
        click.option(
            "--http-port",
            type=int,
            envvar="VIGIE_HTTP_PORT",
            help="UI, /api, /docs, /metrics (default 8000).",
        ),
        click.option(
            "--otlp-http-port",
            type=int,
            envvar="VIGIE_OTLP_HTTP_PORT",
            help="OTLP/HTTP receiver (default 4318).",
        ),
        click.option(
            "--otlp-grpc-port",
            type=int,
            envvar="VIGIE_OTLP_GRPC_PORT",
            help="OTLP/gRPC receiver (default 4317).",
        ),
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn


@click.command("up")
@_common
@click.option(
    "--simulate/--no-simulate",
    default=False,
    show_default=True,
    help="Also run simulated traffic from every SAMU in the registry.",
)
@click.option(
    "--scenario",
    "scenarios",
    multiple=True,
    metavar="SPEC",
    help="Simulated incident, e.g. outage:fr.health.samu075@+2m/10m (see vigie simulate).",
)
@click.option(
    "--simulate-count",
    type=click.IntRange(1, 200),
    default=None,
    help="Simulate only the first N SAMU of the registry.",
)
def up(
    simulate: bool, scenarios: tuple[str, ...], simulate_count: int | None, **options: Any
) -> None:
    """Run the whole platform in one process on the embedded store (Ctrl-C stops it cleanly)."""
    settings = settings_from(**options)
    other = running_instance(settings.data_dir)
    if other is not None:
        raise click.ClickException(
            f"another Vigie instance (pid {other.pid}) already runs on {settings.data_dir} "
            f"at {other.url}; stop it or choose another --data-dir"
        )
    simulation = None
    if simulate:
        from collector.simulator.errors import ScenarioError
        from collector.simulator.runner import SimulationOptions
        from collector.simulator.scenario_spec import parse_scenario

        try:
            simulation = SimulationOptions(
                count=simulate_count, scenarios=tuple(parse_scenario(s) for s in scenarios)
            )
        except ScenarioError as exc:
            raise click.BadParameter(str(exc), param_hint="--scenario") from exc
    _run(settings, None, simulation, settings.data_dir)


def _run(
    settings: Settings,
    roles: tuple[str, ...] | None,  # None: every role, in one process
    simulation: SimulationOptions | None,
    data_dir: Path | None,
) -> None:
    """Open (and migrate) the store in a thread while the platform's code is imported, serve
    until a signal, and end with the line that says what the stop flushed."""
    from vigie.platform import open_platform

    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(message)s")
    pool = ThreadPoolExecutor(1, thread_name_prefix="vigie-open")
    opening = pool.submit(open_platform, settings)
    try:
        from vigie.serve import serve  # the web, UI and engine code: imported meanwhile

        platform = opening.result()
    except StoreLocked as exc:
        raise click.ClickException(str(exc)) from exc
    except StoreError as exc:
        raise click.ClickException(f"cannot open the store: {exc}") from exc
    except KeyboardInterrupt:
        _exit("stopped during start: nothing was served", 130)
    finally:
        pool.shutdown(wait=False)
    stopped = asyncio.run(serve(platform, simulate=simulation, data_dir=data_dir, roles=roles))
    if stopped.late:  # a loop still runs in a thread: do not wait for it at exit
        _exit(stopped.line, 0)
    click.echo(stopped.line, err=True)


def _exit(line: str, code: int) -> NoReturn:
    sys.stderr.write(line + "\n")
    sys.stderr.flush()
    sys.stdout.flush()
    os._exit(code)


def _role(name: str, roles: tuple[str, ...], doc: str) -> click.Command:
    @click.command(name, help=doc)
    @_common
    def command(**options: Any) -> None:
        _run(settings_from(**options), roles, None, None)

    return command


collector_role = _role(
    "collector",
    ("collector",),
    "Run only the OTLP receivers (HTTP, gRPC) and the write path; for a server DSN.",
)
ui_role = _role("ui", ("api",), "Run only the REST API and the UI; for a server DSN.")
engine_role = _role(
    "engine",
    ("engine",),
    "Run the SLO engine, alerting, on-call and reports with their APIs; for a server DSN.",
)
