"""Password hashing: scrypt, with its parameters kept in the hash string.

A stored password looks like `scrypt$16384$8$1$<salt b64>$<hash b64>`: the parameters travel
with the hash, so they can be raised later and old hashes still verify (then get rehashed).
Random bearer secrets (session ids, API and agent tokens) are not passwords: see people.bearer.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from people.errors import PasswordRejected

MIN_LENGTH = 12
MAX_LENGTH = 1024  # hashing cost must stay bounded whatever is posted


@dataclass(frozen=True)
class ScryptParams:
    """scrypt cost: n (CPU/memory, a power of 2), r (block size), p (parallelism)."""

    n: int = 2**15
    r: int = 8
    p: int = 1
    length: int = 32

    @property
    def maxmem(self) -> int:
        return 128 * self.n * self.r * self.p + 1024 * 1024


DEFAULT = ScryptParams()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)


def _scrypt(password: str, salt: bytes, params: ScryptParams) -> bytes:
    return hashlib.scrypt(
        password.encode(),
        salt=salt,
        n=params.n,
        r=params.r,
        p=params.p,
        maxmem=params.maxmem,
        dklen=params.length,
    )


def check_policy(password: str) -> None:
    """Refuse passwords that are too short or too long, with the rule in the message."""
    if len(password) < MIN_LENGTH:
        raise PasswordRejected(f"a password needs at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise PasswordRejected(f"a password has at most {MAX_LENGTH} characters")


def hash_password(password: str, params: ScryptParams = DEFAULT) -> str:
    """A salted scrypt hash of the password, with its parameters."""
    check_policy(password)
    salt = secrets.token_bytes(16)
    digest = _scrypt(password, salt, params)
    return f"scrypt${params.n}${params.r}${params.p}${_b64(salt)}${_b64(digest)}"


def _parse(encoded: str) -> tuple[ScryptParams, bytes, bytes] | None:
    parts = encoded.split("$")
    if len(parts) != 6 or parts[0] != "scrypt":
        return None
    try:
        n, r, p = int(parts[1]), int(parts[2]), int(parts[3])
        salt, digest = _unb64(parts[4]), _unb64(parts[5])
    except ValueError:
        return None
    if n < 2 or n & (n - 1) or not 0 < r <= 64 or not 0 < p <= 16 or n > 2**20:
        return None
    if len(salt) < 8 or not 16 <= len(digest) <= 64:
        return None
    return ScryptParams(n, r, p, len(digest)), salt, digest


def verify_password(password: str, encoded: str) -> bool:
    """True when the password matches the stored hash (constant-time comparison)."""
    parsed = _parse(encoded)
    if parsed is None or len(password) > MAX_LENGTH:
        return False
    params, salt, expected = parsed
    return hmac.compare_digest(_scrypt(password, salt, params), expected)


def needs_rehash(encoded: str, params: ScryptParams = DEFAULT) -> bool:
    """True when the stored hash was made with other parameters than the current ones."""
    parsed = _parse(encoded)
    return parsed is None or parsed[0] != params


# Verified when the account does not exist, so a login takes as long for a known name as for
# an unknown one (no user enumeration by timing).
DUMMY_HASH = "scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
