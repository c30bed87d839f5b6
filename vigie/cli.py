"""The `vigie` command line: one group whose commands are imported when they run.

`vigie --help` imports click and the command table only; a command imports its own module, and
that module imports what the command needs when it runs (tests/test_cli_startup.py holds every
command group to it).
"""

from __future__ import annotations

import importlib

import click

from vigie.commands import COMMANDS
from vigie.files import private_by_default


def _short(summary: str, limit: int) -> str:
    return click.Command(None, help=summary).get_short_help_str(limit)


class LazyGroup(click.Group):
    """A group that lists its commands from `COMMANDS` and imports one only when it is used."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = COMMANDS.get(cmd_name)
        if entry is None:
            return None
        command = getattr(importlib.import_module(entry.module), entry.attribute)
        assert isinstance(command, click.Command)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(len(name) for name in names)
        # Shortened as click shortens a command's own help, without importing the command.
        rows = [(name, _short(COMMANDS[name].summary, limit)) for name in names]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(
    cls=LazyGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(package_name="vigie15")
def cli() -> None:
    """Vigie 15: observability and SLOs for the French SAMU emergency call system (the 15)."""


def main() -> None:
    private_by_default()  # data, keys, backups and reports are the service account's only
    cli(prog_name="vigie")


if __name__ == "__main__":
    main()
