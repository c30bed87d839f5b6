"""`vigie up` stops like a service (issue 15.7): SIGINT or SIGTERM stop intake, flush, close the
store and end with one line saying so (exit 0); a second signal forces the exit (130)."""

from __future__ import annotations

import re
import signal
from pathlib import Path

from tests.fixtures.platform import PlatformProcess

STOP_LINE = re.compile(r"^stopped: (\d+) points flushed, store closed$")


def _stopped(platform: PlatformProcess, *signals: signal.Signals) -> tuple[int, list[str]]:
    """Send the signals, wait for the exit: its code and the non-empty lines it printed."""
    assert platform.process is not None
    for sig in signals:
        platform.process.send_signal(sig)
    output, _ = platform.process.communicate(timeout=60)
    lines = [line for line in output.decode().splitlines() if line.strip()]
    return platform.process.returncode, lines


def test_sigterm_flushes_closes_and_says_so_in_the_last_line(tmp_path: Path) -> None:
    platform = PlatformProcess(tmp_path / "data")
    platform.start()
    with platform.client() as client:
        assert client.get("/api/v1/health").status_code == 200
    code, lines = _stopped(platform, signal.SIGTERM)
    assert code == 0, lines[-10:]
    assert STOP_LINE.match(lines[-1]), lines[-5:]
    assert not any("Traceback" in line for line in lines)
    assert not (tmp_path / "data" / "instance.json").exists()


def test_a_second_signal_forces_the_exit_at_once(tmp_path: Path) -> None:
    platform = PlatformProcess(tmp_path / "data")
    platform.start()
    # Two different signals: the kernel never merges them into one.
    code, lines = _stopped(platform, signal.SIGINT, signal.SIGTERM)
    assert code == 130, lines[-10:]
    assert lines[-1].startswith("forced stop: ") and "queued points not flushed" in lines[-1]
    assert not any(STOP_LINE.match(line) for line in lines)
