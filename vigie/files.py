"""Files private by default: what `vigie` creates is 0700 (folders) and 0600 (files).

The store, keys, secrets, tokens, backups and report files hold health-service data and the
means to act as the platform; nobody but the service account needs them. `private_by_default()`
sets the process umask at the start of every `vigie` command (whatever the shell's umask), and
`vigie up` warns at start about each data path that other users may open (`looser_than_private`),
without changing what the operator chose.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from pathlib import Path

PRIVATE_UMASK = 0o077
# Files of the data directory that hold secrets (read by vigie.people and the report signer).
SECRET_FILES = ("secret.key", "cli.token", "admin.password", "keys/report-signing.pem")


def private_by_default() -> None:
    """Make every file and folder this process creates private to its user."""
    os.umask(PRIVATE_UMASK)


def looser_than_private(paths: Iterable[Path]) -> list[str]:
    """One warning for each existing path that its group or other users may open."""
    found = []
    for path in paths:
        try:
            mode = stat.S_IMODE(path.stat().st_mode)
        except OSError:
            continue
        if mode & 0o077:
            fix = f"chmod {700 if path.is_dir() else 600} {path}"
            found.append(f"{path} is open to other users (mode {mode:04o}): {fix}")
    return found


def data_paths(data_dir: Path, backup_dir: Path | None) -> list[Path]:
    """The paths `vigie up` checks: the data and backup folders, the keys, the secret files."""
    paths = [data_dir, backup_dir or data_dir / "backups", data_dir / "keys"]
    return paths + [data_dir / name for name in SECRET_FILES]
