"""`pip install` then `vigie up` in an empty directory works, and stops like a service (15.7).

The project is built into a wheel and installed into a fresh virtualenv in a temporary
directory; the virtualenv sees this one's dependencies (a path entry, no download) but not the
source tree. `vigie up` runs there with the shipped configuration (package data), answers its
health route and the shipped SLOs, and stops on SIGINT with its last line and exit code 0.
"""

from __future__ import annotations

import re
import shutil
import signal
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

import httpx

from tests.fixtures.platform import free_port

ROOT = Path(__file__).resolve().parent.parent
TOP_LEVEL_ONLY = {".git", ".venv", "build", "data", "test-artifacts"}  # not store/data
ANYWHERE = shutil.ignore_patterns("*.egg-info", "__pycache__", "node_modules", ".*_cache")
STOP_LINE = re.compile(r"^stopped: \d+ points flushed, store closed$")


def _not_source(directory: str, names: list[str]) -> set[str]:
    top = TOP_LEVEL_ONLY & set(names) if Path(directory) == ROOT else set()
    return top | ANYWHERE(directory, names)


def _installed(tmp: Path) -> Path:
    """A virtualenv under `tmp` with vigie15 installed from a wheel of this checkout."""
    dist, venv, source = tmp / "dist", tmp / "venv", tmp / "source"
    # A copy: building in the checkout would leave build/ and *.egg-info there.
    shutil.copytree(ROOT, source, ignore=_not_source)
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "-q", "-w", str(dist)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    site = next((venv / "lib").glob("python3*/site-packages"))
    (site / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    (wheel,) = dist.glob("vigie15-*.whl")
    install = ["install", "--no-deps", "--no-index", "-q", str(wheel)]
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), *install],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return venv


def test_vigie_up_from_an_empty_directory_after_pip_install(tmp_path: Path) -> None:
    venv = _installed(tmp_path)
    empty = tmp_path / "anywhere"
    empty.mkdir()
    where = subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import vigie; print(vigie.__file__)"],
        cwd=empty,
        capture_output=True,
        text=True,
        check=True,
    )
    assert where.stdout.startswith(str(venv))  # the installed package, not the checkout
    http, otlp, grpc = free_port(), free_port(), free_port()
    env = {"PATH": f"{venv / 'bin'}:/usr/bin:/bin", "HOME": str(tmp_path)}
    args = ["--http-port", str(http), "--otlp-http-port", str(otlp), "--otlp-grpc-port", str(grpc)]
    process = subprocess.Popen(
        [str(venv / "bin" / "vigie"), "up", *args],
        cwd=empty,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{http}"
    try:
        deadline = time.monotonic() + 180  # waiting for a process to boot, not timing it
        health = None
        while time.monotonic() < deadline and process.poll() is None:
            try:
                health = httpx.get(f"{url}/api/v1/health", timeout=2)
                if health.status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        assert health is not None and health.status_code == 200, process.poll()
        assert health.json()["status"] == "ok"
        token = (empty / "data" / "cli.token").read_text()
        slos = httpx.get(
            f"{url}/api/v1/slos", headers={"Authorization": f"Bearer {token}"}, timeout=30
        )
        assert {"s1-call-setup", "s3-reachability"} <= {s["id"] for s in slos.json()["slos"]}
    finally:
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=120)
    lines = [line for line in output.splitlines() if line.strip()]
    assert process.returncode == 0, output[-3000:]
    assert STOP_LINE.match(lines[-1]), output[-3000:]
    assert "Traceback" not in output
    assert not (empty / "data" / "instance.json").exists()
