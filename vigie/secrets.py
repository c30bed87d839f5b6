"""The instance secret (signed links, heartbeat tokens): a file, created once with 0600."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def instance_secret(path: Path) -> bytes:
    """Read the secret, creating 32 random bytes on first use."""
    if path.exists():
        data = path.read_bytes().strip()
        if len(data) < 16:
            raise ValueError(f"{path}: the secret must be at least 16 bytes")
        return data
    path.parent.mkdir(parents=True, exist_ok=True)
    data = secrets.token_hex(32).encode()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    return data
