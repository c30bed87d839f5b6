"""Signed action links: HMAC-SHA256 over incident, action, person and expiry.

A link in an e-mail or SMS lets the person paged act without logging in; the secret never
leaves the server, and a link is only good for one incident, one action, one person, until
it expires.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from alerts.oncall.errors import LinkError

Action = Literal["ack", "resolve", "unack"]
ACTIONS: tuple[Action, ...] = ("ack", "resolve", "unack")


@dataclass(frozen=True)
class LinkClaims:
    """What a valid link allows: `person` may do `action` on `incident_id` until `expires`."""

    incident_id: str
    action: Action
    person: str
    expires: datetime


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(secret: bytes, payload: bytes) -> bytes:
    return hmac.new(secret, b"vigie15-oncall-link\x00" + payload, hashlib.sha256).digest()


def sign(secret: bytes, claims: LinkClaims) -> str:
    """A URL-safe token carrying the claims and their signature."""
    if not secret:
        raise LinkError("no link secret is configured")
    expiry = int(claims.expires.timestamp())
    payload = "\x1f".join((claims.incident_id, claims.action, claims.person, str(expiry)))
    raw = payload.encode()
    return f"{_b64(raw)}.{_b64(_mac(secret, raw))}"


def verify(secret: bytes, token: str, now: datetime) -> LinkClaims:
    """The claims of a genuine, unexpired token; `LinkError` says why one is refused."""
    try:
        body, signature = token.split(".")
        raw, mac = _unb64(body), _unb64(signature)
    except ValueError:
        raise LinkError("this link is malformed") from None
    if not secret or not hmac.compare_digest(mac, _mac(secret, raw)):
        raise LinkError("this link is not genuine (bad signature)")
    try:
        incident_id, action, person, expiry = raw.decode().split("\x1f")
        expires = datetime.fromtimestamp(int(expiry), UTC)
    except ValueError:
        raise LinkError("this link is malformed") from None
    known = next((a for a in ACTIONS if a == action), None)
    if known is None:
        raise LinkError(f"unknown action {action!r}")
    if now >= expires:
        raise LinkError(f"this link expired at {expires:%Y-%m-%d %H:%M} UTC")
    return LinkClaims(incident_id, known, person, expires)
