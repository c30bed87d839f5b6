"""Files private by default (issue 14, item 7): what `vigie` creates — the data directory and the
store in it, keys, secrets, tokens, backups, report files — is 0700/0600; a start on a looser
data directory, backup directory or secret file says so."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures.platform import ROOT, PlatformProcess
from vigie.files import looser_than_private


def shared(root: Path) -> list[str]:
    """Every path under `root` (itself included) that its group or others may use."""
    found = []
    for path in [root, *root.rglob("*")]:
        if not path.is_symlink() and stat.S_IMODE(path.stat().st_mode) & 0o077:
            found.append(f"{oct(stat.S_IMODE(path.stat().st_mode))} {path.relative_to(root)}")
    return found


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A `vigie up` from a shell with the usual umask (022), a backup, a report to a folder."""
    folder = tmp_path_factory.mktemp("files")
    previous = os.umask(0o022)
    try:
        platform = PlatformProcess(folder / "data")
        platform.start()
    finally:
        os.umask(previous)
    try:
        with platform.client() as admin:
            backup = admin.post("/api/v1/admin/backup", json={})
            assert backup.status_code in (200, 201), backup.text
        out = folder / "reports"
        env = {**os.environ, "VIGIE_DATA_DIR": str(platform.data_dir)}
        report = subprocess.run(
            [sys.executable, "-m", "vigie.cli", "report", "--month", "2026-01", "--out", str(out)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            umask=0o022,  # the usual shell umask
        )
        assert report.returncode == 0, report.stderr
    finally:
        platform.stop()
    yield {"data": platform.data_dir, "reports": out}


def test_the_data_directory_and_everything_in_it_is_private(run: dict[str, Any]) -> None:
    data: Path = run["data"]
    assert (data / "clickhouse").is_dir() and (data / "keys" / "report-signing.pem").is_file()
    assert (data / "backups").is_dir() and any((data / "backups").iterdir())
    assert shared(data) == []


def test_report_files_written_to_a_folder_are_private(run: dict[str, Any]) -> None:
    reports: Path = run["reports"]
    assert len(list(reports.iterdir())) == 5
    assert shared(reports) == []


def test_a_start_on_a_looser_data_directory_warns(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    data.chmod(0o755)
    (data / "secret.key").write_text("x")
    (data / "secret.key").chmod(0o644)
    platform = PlatformProcess(data)
    platform.start()
    assert platform.process is not None
    platform.process.send_signal(signal.SIGTERM)
    output = platform.output()  # read to the end: the process has exited
    platform.stop()
    assert f"{data} is open to other users (mode 0755)" in output
    assert f"{data / 'secret.key'} is open to other users (mode 0644)" in output
    assert "chmod" in output


def test_looser_than_private_names_each_path_open_to_others(tmp_path: Path) -> None:
    tight, loose = tmp_path / "tight", tmp_path / "loose"
    tight.mkdir(mode=0o700)
    loose.mkdir()
    loose.chmod(0o750)
    problems = looser_than_private([tight, loose, tmp_path / "absent"])
    assert problems == [f"{loose} is open to other users (mode 0750): chmod 700 {loose}"]
