"""The `vigie` command line: one group, one module per area under vigie/commands/."""

from __future__ import annotations

import click

from vigie.commands import register_all


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="vigie15")
def cli() -> None:
    """Vigie 15: observability and SLOs for the French SAMU emergency call system (the 15)."""


register_all(cli)


def main() -> None:
    cli(prog_name="vigie")


if __name__ == "__main__":
    main()
