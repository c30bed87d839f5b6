"""`vigie users` on a store of its own (subprocess) and through a running instance's API."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from click.testing import CliRunner

from people.model import Role
from store.client import Store
from store.clock import FakeClock
from tests.people_factory import NOW, add, app_for, people_service
from vigie.commands.users_cmds import users

ROOT = Path(__file__).resolve().parent.parent
LOCAL = "vgt_local-cli-token-for-the-test"


def _vigie_users(data_dir: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    code = "from vigie.commands.users_cmds import users; users(prog_name='vigie users')"
    env = {**os.environ, "VIGIE_DATA_DIR": str(data_dir), "VIGIE_URL": ""}
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
        check=False,
    )


def test_the_first_admin_is_created_on_the_store_when_no_instance_runs(tmp_path: Path) -> None:
    made = _vigie_users(
        tmp_path,
        "add",
        "boss",
        "--role",
        "admin",
        "--password-stdin",
        stdin="a long enough password\n",
    )
    assert made.returncode == 0, made.stderr
    assert "created boss (admin)" in made.stdout
    again = _vigie_users(tmp_path, "add", "boss", "--role", "viewer")
    assert again.returncode != 0 and "already exists" in again.stderr
    token = _vigie_users(tmp_path, "token", "boss")
    assert token.returncode == 0 and token.stdout.startswith("vgt_")
    listed = _vigie_users(tmp_path, "list", "--format", "json")
    assert [(p["name"], p["roles"]) for p in json.loads(listed.stdout)] == [("boss", ["admin"])]


@pytest.fixture
def instance(store: Store) -> Iterator[tuple[str, object]]:
    people = people_service(store, FakeClock(NOW), local_token=LOCAL)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(app_for(store, people), host="127.0.0.1", port=port, log_level="error")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}", people
    server.should_exit = True
    thread.join(timeout=10)


def test_the_cli_goes_through_the_running_instance_with_an_admin_token(
    instance: tuple[str, object],
) -> None:
    url, people = instance
    runner = CliRunner()
    made = runner.invoke(
        users,
        [
            "add",
            "alice",
            "--role",
            "on-call",
            "--samu",
            "fr.health.samu075",
            "--url",
            url,
            "--token",
            LOCAL,
        ],
    )
    assert made.exit_code == 0, made.output
    listed = runner.invoke(users, ["list", "--url", url, "--token", LOCAL])
    assert "alice" in listed.output and "fr.health.samu075" in listed.output
    token = runner.invoke(users, ["token", "alice", "--url", url, "--token", LOCAL])
    assert token.output.startswith("vgt_")
    assert people.from_token(token.output.strip()).name == "alice"  # type: ignore[attr-defined]
    denied = runner.invoke(users, ["list", "--url", url, "--token", "vgt_wrong"])
    assert denied.exit_code != 0 and "401" in denied.output


def test_a_viewer_token_cannot_add_users_through_the_cli(
    instance: tuple[str, object],
) -> None:
    url, people = instance
    viewer = add(people, "victor", Role.VIEWER)  # type: ignore[arg-type]
    _, secret = people.tokens.issue(viewer, "t", "test")  # type: ignore[attr-defined]
    result = CliRunner().invoke(
        users, ["add", "mallory", "--role", "admin", "--url", url, "--token", secret]
    )
    assert result.exit_code != 0 and "403" in result.output
