"""`vigie up` (everything in one process) and the single roles for server deployments."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import click

from store.errors import StoreError, StoreLocked
from vigie.instance import running_instance
from vigie.settings import settings_from


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
    from collector.simulator.errors import ScenarioError
    from collector.simulator.runner import SimulationOptions
    from collector.simulator.scenario_spec import parse_scenario
    from vigie.platform import open_platform
    from vigie.serve import serve

    settings = settings_from(**options)
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(message)s")
    other = running_instance(settings.data_dir)
    if other is not None:
        raise click.ClickException(
            f"another Vigie instance (pid {other.pid}) already runs on {settings.data_dir} "
            f"at {other.url}; stop it or choose another --data-dir"
        )
    try:
        platform = open_platform(settings)
    except StoreLocked as exc:
        raise click.ClickException(str(exc)) from exc
    except StoreError as exc:
        raise click.ClickException(f"cannot open the store: {exc}") from exc
    simulation = None
    if simulate:
        try:
            simulation = SimulationOptions(
                count=simulate_count, scenarios=tuple(parse_scenario(s) for s in scenarios)
            )
        except ScenarioError as exc:
            raise click.BadParameter(str(exc), param_hint="--scenario") from exc
    asyncio.run(serve(platform, simulate=simulation, data_dir=settings.data_dir))


def _role(name: str, roles: tuple[str, ...], doc: str) -> click.Command:
    @click.command(name, help=doc)
    @_common
    def command(**options: Any) -> None:
        from vigie.platform import open_platform
        from vigie.serve import serve

        settings = settings_from(**options)
        logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(message)s")
        try:
            platform = open_platform(settings)
        except StoreError as exc:
            raise click.ClickException(f"cannot open the store: {exc}") from exc
        asyncio.run(serve(platform, simulate=None, data_dir=None, roles=roles))

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
