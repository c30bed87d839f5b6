"""CLI command modules; each exposes `commands: list[click.Command]`."""

from __future__ import annotations

import importlib

import click

# One module per area; a module listed here that does not exist yet is an error, not a skip.
MODULES = [
    "vigie.commands.store_cmds",
    "vigie.commands.up_cmds",
    "vigie.commands.ingest_cmds",
    "vigie.commands.samu_cmds",
    "vigie.commands.alerts_cmds",
    "vigie.commands.slo_cmds",
    "vigie.commands.simulate_cmds",
    "vigie.commands.users_cmds",
    "vigie.commands.report_cmds",
    "vigie.commands.ops_cmds",
    "vigie.commands.agents_cmds",
]


def register_all(group: click.Group) -> None:
    for name in MODULES:
        module = importlib.import_module(name)
        for command in module.commands:
            group.add_command(command)
