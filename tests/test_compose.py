"""docker-compose.yml is valid (Debian's docker-compose) and runs commands that exist."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from tests.conftest import require_peer
from vigie.cli import cli

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("profile", [None, "cluster"])
def test_the_compose_file_validates(profile: str | None) -> None:
    require_peer("docker-compose")
    args = ["docker-compose", "-f", str(ROOT / "docker-compose.yml")]
    if profile:
        args += ["--profile", profile]
    result = subprocess.run([*args, "config", "-q"], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr


def test_every_service_runs_a_vigie_command_that_exists() -> None:
    spec = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    runner = CliRunner()
    for name, service in spec["services"].items():
        if "command" not in service:
            continue
        command = service["command"][0]
        result = runner.invoke(cli, [command, "--help"])
        assert result.exit_code == 0, f"service {name}: vigie {command} --help failed"


def test_cluster_nodes_have_their_config_files() -> None:
    spec = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    for name, service in spec["services"].items():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("./"):
                assert (ROOT / source).exists(), f"{name}: {source} is missing"
