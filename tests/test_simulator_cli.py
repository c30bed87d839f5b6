"""`vigie simulate`: options, and clear errors instead of stack traces."""

from __future__ import annotations

import socket

import click
import pytest
from click.testing import CliRunner

from vigie.commands.simulate_cmds import simulate


def cli() -> click.Group:
    group = click.Group("vigie")
    group.add_command(simulate)
    return group


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["simulate", "--endpoint", "http://127.0.0.1:{port}"], "no collector at"),
        (["simulate", "--protocol", "grpc", "--endpoint", "127.0.0.1:{port}"], "no collector at"),
        (["simulate", "backfill", "--endpoint", "http://127.0.0.1:{port}"], "no collector at"),
        (["simulate", "--scenario", "outage:paris@+1m/1m"], "is not a SAMU id"),
        (["simulate", "--scenario", "outage:075@+1m/1m", "--count", "2"], "not simulated"),
        (["simulate", "--samu", "fr.health.samu999"], "fr.health.samu999"),
        (["simulate", "--export-interval", "soon"], "bad duration"),
        (["simulate", "backfill", "--days", "40"], "older than 35 days"),
    ],
)
def test_a_bad_invocation_fails_with_a_clear_message(args: list[str], message: str) -> None:
    port = closed_port()
    if "--endpoint" not in args:  # never depend on what listens on the default port
        args = [*args, "--endpoint", "http://127.0.0.1:{port}"]
    result = CliRunner().invoke(cli(), [a.format(port=port) for a in args])
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output


def test_help_lists_the_simulation_options() -> None:
    output = CliRunner().invoke(cli(), ["simulate", "--help"]).output
    for option in ("--speed", "--scenario", "--protocol", "--surge", "--probe-interval"):
        assert option in output
    assert "--days" in CliRunner().invoke(cli(), ["simulate", "backfill", "--help"]).output
