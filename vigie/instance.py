"""Finding the running instance: CLI commands talk to it over its API instead of the locked store.

`vigie up` writes `<data dir>/instance.json` (pid, API URL) and removes it on a clean exit; a
stale file from a killed process is recognised by its dead pid.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import httpx

FILE_NAME = "instance.json"


@dataclass(frozen=True)
class Instance:
    pid: int
    url: str


def write_instance(data_dir: Path, url: str) -> Path:
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / FILE_NAME
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"pid": os.getpid(), "url": url}))
    tmp.replace(path)
    return path


def remove_instance(data_dir: Path) -> None:
    path = data_dir / FILE_NAME
    try:
        if json.loads(path.read_text()).get("pid") == os.getpid():
            path.unlink()
    except (OSError, ValueError):
        pass


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def running_instance(data_dir: Path) -> Instance | None:
    """The instance that owns `data_dir`, if its process is alive."""
    try:
        info = json.loads((data_dir / FILE_NAME).read_text())
        instance = Instance(int(info["pid"]), str(info["url"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return instance if _alive(instance.pid) else None


def reachable(url: str, timeout: float = 2.0) -> bool:
    try:
        return httpx.get(f"{url.rstrip('/')}/api/v1/health", timeout=timeout).status_code == 200
    except httpx.HTTPError:
        return False
