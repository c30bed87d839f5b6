"""A CLI that starts at once (issue 15.6): `vigie --help` imports click and the command table,
nothing else of ours; each command module imports no heavy library at import time (they are
imported by the command that needs them, when it runs). Times are measured in bench/cli.py."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click
import pytest

from vigie.cli import cli
from vigie.commands import COMMANDS

ROOT = Path(__file__).resolve().parent.parent
# Libraries that cost tenths of a second or more to import, or pull in a web or data stack.
HEAVY = (
    "pandas",
    "numpy",
    "dash",
    "plotly",
    "flask",
    "chdb",
    "clickhouse_connect",
    "pyarrow",
    "grpc",
    "google.protobuf",
    "opentelemetry",
    "weasyprint",
    "fastapi",
    "starlette",
    "uvicorn",
    "jinja2",
    "cryptography",
    "holidays",
)
OURS = ("store", "people", "collector", "slo", "alerts", "dashboards", "reports", "vigie")


def _importtime(*args: str) -> set[str]:
    """The modules `python -X importtime -m vigie.cli ARGS` imports (and its exit code is 0)."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "vigie.cli", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    lines = [line for line in done.stderr.splitlines() if line.startswith("import time:")]
    return {line.rsplit("|", 1)[1].strip() for line in lines[1:]}


def _imported_by(module: str) -> set[str]:
    code = f"import sys, {module}; print('\\n'.join(sys.modules))"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return set(done.stdout.split())


def _heavy(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if m.split(".")[0] in HEAVY or m.startswith(HEAVY))


def test_vigie_help_imports_click_and_the_command_table_only() -> None:
    modules = _importtime("--help")
    assert _heavy(modules) == []
    ours = sorted(m for m in modules if m.split(".")[0] in OURS)
    # vigie.cli itself runs as __main__; vigie.files (standard library only) sets the private
    # umask before any command runs (issue 14.7).
    assert ours == ["vigie", "vigie.commands", "vigie.files"]


def test_the_importtime_check_sees_a_heavy_import() -> None:
    assert "fastapi" in _heavy(_imported_by("fastapi"))


@pytest.mark.parametrize("module", sorted({entry.module for entry in COMMANDS.values()}))
def test_a_command_module_imports_no_heavy_library_until_a_command_runs(module: str) -> None:
    assert _heavy(_imported_by(module)) == []


def test_the_command_table_says_what_each_command_says_of_itself() -> None:
    ctx = click.Context(cli)
    for name, entry in COMMANDS.items():
        command = cli.get_command(ctx, name)
        assert command is not None and command.name == name
        assert command.get_short_help_str(1000) == entry.summary, name
