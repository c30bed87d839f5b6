"""The private files identity keeps in the data directory (mode 0600, made once, then read).

- `secret.key`: the server secret (seals the OIDC login cookie, signs on-call links).
- `cli.token`: the API token `vigie up` leaves for the CLI of the same machine. It is a bearer
  secret like any other (people.bearer, kind `API`: `vgt_…`). Files written before the prefix
  was stored hold the bare random part; they keep working (the prefix is added when read) and
  `vigie up` rewrites them in the new form, saying so.
- `admin.password`: the password of the `admin` account made at the first start.
"""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path

from people import bearer

log = logging.getLogger(__name__)
SECRET_FILE = "secret.key"
CLI_TOKEN_FILE = "cli.token"
ADMIN_PASSWORD_FILE = "admin.password"
MIN_LENGTH = 32  # of the random part; minted ones have 43 characters


def _write_private(path: Path, text: str, exclusive: bool) -> None:
    flags = os.O_WRONLY | os.O_CREAT | (os.O_EXCL if exclusive else os.O_TRUNC)
    fd = os.open(path, flags, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(text)


def private_file(path: Path, make: int) -> str:
    """The text of a private file (mode 0600), created with `make` random bytes if absent."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        _write_private(path, secrets.token_urlsafe(make), exclusive=True)
    return path.read_text().strip()


def local_cli_token(data_dir: Path, create: bool = False) -> str:
    """The local CLI token of a data dir (`vgt_…`), "" when there is none and `create` is False.

    With `create` (what `vigie up` does) a missing file is made, and a file of the old form (no
    prefix) is rewritten with it: the token itself does not change.
    """
    path = data_dir / CLI_TOKEN_FILE
    if not create and not path.exists():
        return ""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        _write_private(path, bearer.API.mint(), exclusive=True)
    text = path.read_text().strip()
    if text.startswith(bearer.API.prefix) and len(text) >= MIN_LENGTH:
        return text
    if len(text) < MIN_LENGTH:  # empty or truncated: never a token anyone could guess
        if not create:
            return ""
        token, why = bearer.API.mint(), "was too short to be a token: a new one was made"
    else:
        token, why = (
            bearer.API.prefix + text,
            f"now holds its {bearer.API.prefix} prefix (same token)",
        )
    if create:
        tmp = path.with_name(CLI_TOKEN_FILE + ".new")
        _write_private(tmp, token, exclusive=False)
        tmp.replace(path)
        log.warning("%s %s", path, why)
    return token
