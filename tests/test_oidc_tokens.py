"""ID token verification with tokens we sign ourselves (RS256 and ES256), good and bad."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from people.errors import OidcError
from people.idtoken import verify_id_token
from people.model import Role
from people.oidc import OidcConfig, map_groups

ISS, AUD = "https://idp.example", "vigie"
NOW = datetime(2026, 10, 1, 10, 0, tzinfo=UTC)
RSA = rsa.generate_private_key(public_exponent=65537, key_size=2048)
EC = ec.generate_private_key(ec.SECP256R1())
OTHER_RSA = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _n(value: int, size: int) -> str:
    return _b64(value.to_bytes(size, "big"))


def jwks() -> list[dict[str, Any]]:
    r = RSA.public_key().public_numbers()
    e = EC.public_key().public_numbers()
    return [
        {"kty": "RSA", "kid": "r1", "use": "sig", "n": _n(r.n, 256), "e": _n(r.e, 3)},
        {"kty": "EC", "kid": "e1", "crv": "P-256", "x": _n(e.x, 32), "y": _n(e.y, 32)},
    ]


def sign(claims: dict[str, Any], alg: str = "RS256", kid: str = "r1", key: Any = None) -> str:
    head = _b64(json.dumps({"alg": alg, "kid": kid, "typ": "JWT"}).encode())
    body = _b64(json.dumps(claims).encode())
    signed = f"{head}.{body}".encode()
    if alg == "RS256":
        sig = (key or RSA).sign(signed, padding.PKCS1v15(), hashes.SHA256())
    elif alg == "ES256":
        r, s = decode_dss_signature((key or EC).sign(signed, ec.ECDSA(hashes.SHA256())))
        sig = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    else:
        sig = b""
    return f"{head}.{body}.{_b64(sig)}"


def claims(**changes: Any) -> dict[str, Any]:
    now = int(NOW.timestamp())
    base = {"iss": ISS, "aud": AUD, "sub": "u1", "exp": now + 300, "iat": now, "nonce": "n1"}
    return {k: v for k, v in (base | changes).items() if v is not None}


def check(token: str) -> dict[str, Any]:
    return verify_id_token(token, jwks(), ISS, AUD, "n1", NOW)


@pytest.mark.parametrize(
    "token",
    [sign(claims()), sign(claims(), "ES256", "e1"), sign(claims(aud=[AUD, "x"], azp=AUD))],
    ids=["RS256", "ES256", "several audiences with us as authorized party"],
)
def test_a_valid_id_token_gives_its_claims(token: str) -> None:
    assert check(token)["sub"] == "u1"


def _tamper(token: str) -> str:
    head, _, sig = token.split(".")
    forged = _b64(json.dumps(claims(sub="admin")).encode())
    return f"{head}.{forged}.{sig}"


BAD: list[tuple[str, Callable[[], str], str]] = [
    ("wrong issuer", lambda: sign(claims(iss="https://evil.example")), "issuer"),
    ("wrong audience", lambda: sign(claims(aud="someone-else")), "audience"),
    ("several audiences, not ours to use", lambda: sign(claims(aud=[AUD, "x"])), "authorized"),
    ("signed by another key", lambda: sign(claims(), key=OTHER_RSA), "signature"),
    ("claims changed after signing", lambda: _tamper(sign(claims())), "signature"),
    ("alg none", lambda: sign(claims(), "none"), "refused"),
    ("HMAC with the public key", lambda: sign(claims(), "HS256"), "refused"),
    ("unknown key id", lambda: sign(claims(), kid="r9"), "kid"),
    ("RS256 header on the EC key", lambda: sign(claims(), "RS256", "e1"), "kid"),
    ("expired", lambda: sign(claims(exp=int(NOW.timestamp()) - 61)), "expired"),
    ("issued in the future", lambda: sign(claims(iat=int(NOW.timestamp()) + 600)), "future"),
    ("wrong nonce (replay)", lambda: sign(claims(nonce="other")), "nonce"),
    ("no subject", lambda: sign(claims(sub=None)), "subject"),
    ("not a JWS", lambda: "abc.def", "compact"),
]


@pytest.mark.parametrize(
    ("make", "message"), [(m, e) for _, m, e in BAD], ids=[i for i, _, _ in BAD]
)
def test_a_bad_id_token_is_refused_with_the_reason(make: Callable[[], str], message: str) -> None:
    with pytest.raises(OidcError, match=message):
        check(make())


CONFIG = OidcConfig(
    ISS,
    AUD,
    "s",
    "http://127.0.0.1/cb",
    role_map={
        "noc": frozenset({Role.ONCALL}),
        "ops": frozenset({Role.ADMIN}),
        "m75": frozenset({Role.VIEWER}),
    },
    samu_map={"m75": frozenset({"fr.health.samu075"})},
)


@pytest.mark.parametrize(
    ("groups", "roles", "scope"),
    [
        (("noc",), {Role.ONCALL}, None),
        (("m75",), {Role.VIEWER}, {"fr.health.samu075"}),
        (("noc", "m75"), {Role.ONCALL, Role.VIEWER}, {"fr.health.samu075"}),
        (("ops", "m75"), {Role.ADMIN, Role.VIEWER}, None),
        (("visitors",), set(), None),
    ],
    ids=[
        "a NOC group gives on-call everywhere",
        "a SAMU manager group gives a scoped viewer",
        "a scoped group keeps its scope with another group (fail closed)",
        "an admin is never scoped",
        "an unmapped group gives no role",
    ],
)
def test_groups_map_to_roles_and_scope(
    groups: tuple[str, ...], roles: set[Role], scope: set[str] | None
) -> None:
    assert map_groups(CONFIG, groups) == (roles, scope)
