"""The README and docs say what the code does: generated tables are current."""

from __future__ import annotations

import re
from pathlib import Path

import click
from click.testing import CliRunner

from vigie.cli import cli
from vigie.reference import with_configuration

ROOT = Path(__file__).resolve().parent.parent


def test_the_configuration_table_in_the_readme_is_current() -> None:
    readme = (ROOT / "README.md").read_text()
    assert readme == with_configuration(readme), "run: vigie config-reference --write"


def _commands() -> dict[str, click.Command]:
    ctx = click.Context(cli)
    found = {name: cli.get_command(ctx, name) for name in cli.list_commands(ctx)}
    return {name: command for name, command in found.items() if command is not None}


def test_every_command_of_the_cli_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text()
    missing = [name for name in _commands() if f"vigie {name}" not in readme]
    assert missing == []


def test_every_command_has_help() -> None:
    runner = CliRunner()
    for name, command in _commands().items():
        assert runner.invoke(cli, [name, "--help"]).exit_code == 0, name
        for sub in getattr(command, "commands", {}):
            assert runner.invoke(cli, [name, sub, "--help"]).exit_code == 0, f"{name} {sub}"


def test_every_test_the_security_doc_names_exists() -> None:
    text = (ROOT / "docs" / "security.md").read_text()
    named = set(re.findall(r"(tests/[\w/]+\.py)(?:::(\w+))?", text))
    assert len(named) > 30
    missing = []
    for path, test in named:
        file = ROOT / path
        if not file.is_file():
            missing.append(path)
        elif test and f"def {test}(" not in file.read_text():
            missing.append(f"{path}::{test}")
    assert missing == []
