"""The token core: every bearer secret of the platform is minted, stored and checked here.

A secret is a kind prefix (`vga_` agent, `vgt_` API and CLI, `vgs_` browser session) and 256
random bits, URL-safe. Only its SHA-256 digest is stored: the secrets are long random strings, so
a plain digest cannot be reversed and a leaked table cannot be replayed. A secret of another kind,
or longer than any we mint, is refused before it is hashed. A token is live while it is neither
revoked nor past its expiry. Comparisons of secrets or digests are constant-time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

MAX_LENGTH = 200  # far above any minted secret (4 + 43 characters); bounds the hashing


@dataclass(frozen=True)
class Kind:
    """One kind of token: the prefix that says what a secret is for, and a name for messages."""

    prefix: str
    name: str

    def mint(self) -> str:
        """A new secret of this kind (show it once; store its `digest`)."""
        return self.prefix + secrets.token_urlsafe(32)

    def accepts(self, secret: str) -> bool:
        """True when the secret has this kind's prefix and a plausible length."""
        return secret.startswith(self.prefix) and len(secret) <= MAX_LENGTH

    def digest_of(self, secret: str) -> str | None:
        """The stored form of a secret of this kind, or None when it is not one."""
        return digest(secret) if self.accepts(secret) else None


AGENT = Kind("vga_", "agent")
API = Kind("vgt_", "API")  # scripts, and the local CLI token `vigie up` leaves in the data dir
SESSION = Kind("vgs_", "session")


def digest(secret: str) -> str:
    """The stored form of a secret: hex SHA-256."""
    return hashlib.sha256(secret.encode()).hexdigest()


def same(a: str, b: str) -> bool:
    """Constant-time string equality (digests, CSRF tokens)."""
    return hmac.compare_digest(a.encode(), b.encode())


def live(revoked: bool, expires_at: datetime | None, now: datetime) -> bool:
    """True when a token may be used at `now`: not revoked, and not expired (if it expires)."""
    return not revoked and (expires_at is None or now < expires_at)
