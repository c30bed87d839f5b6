"""OpenID Connect ID token verification: JWS signature (RS256, ES256) against the JWKS, then claims.

Only asymmetric algorithms are accepted (never `none`, never HMAC with a public key); the key is
picked by `kid` and must match the algorithm's key type.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from people.errors import OidcError

ALGORITHMS = ("RS256", "ES256")
_KTY = {"RS256": "RSA", "ES256": "EC"}
PublicKey = rsa.RSAPublicKey | ec.EllipticCurvePublicKey


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _int(jwk: Mapping[str, Any], name: str) -> int:
    return int.from_bytes(b64url_decode(str(jwk[name])), "big")


def public_key(jwk: Mapping[str, Any]) -> PublicKey:
    """A public key from its JWK (RSA, or EC on P-256)."""
    try:
        if jwk.get("kty") == "RSA":
            return rsa.RSAPublicNumbers(_int(jwk, "e"), _int(jwk, "n")).public_key()
        if jwk.get("kty") == "EC" and jwk.get("crv") == "P-256":
            numbers = ec.EllipticCurvePublicNumbers(_int(jwk, "x"), _int(jwk, "y"), ec.SECP256R1())
            return numbers.public_key()
    except (KeyError, ValueError) as exc:
        raise OidcError(f"unusable key in the provider's JWKS: {exc}") from exc
    raise OidcError(f"unsupported key type {jwk.get('kty')!r} in the provider's JWKS")


def split(token: str) -> tuple[dict[str, Any], dict[str, Any], bytes, bytes]:
    """Header, claims, signed bytes and signature of a compact JWS."""
    parts = token.split(".")
    if len(parts) != 3 or len(token) > 64_000:
        raise OidcError("the ID token is not a compact JWS")
    try:
        header = json.loads(b64url_decode(parts[0]))
        claims = json.loads(b64url_decode(parts[1]))
        signature = b64url_decode(parts[2])
    except ValueError as exc:
        raise OidcError("the ID token cannot be decoded") from exc
    if not isinstance(header, dict) or not isinstance(claims, dict):
        raise OidcError("the ID token cannot be decoded")
    return header, claims, f"{parts[0]}.{parts[1]}".encode(), signature


def pick_key(header: Mapping[str, Any], keys: Sequence[Mapping[str, Any]]) -> Mapping[str, Any]:
    """The JWK that signed a token: same `kid` (or the only key of the right type)."""
    alg = header.get("alg")
    if alg not in ALGORITHMS:
        raise OidcError(f"ID token algorithm {alg!r} refused (accepted: {', '.join(ALGORITHMS)})")
    typed = [k for k in keys if k.get("kty") == _KTY[alg] and k.get("use", "sig") == "sig"]
    kid = header.get("kid")
    found = [k for k in typed if k.get("kid") == kid] if kid else typed
    if len(found) != 1:
        raise OidcError(f"no single {alg} key with kid {kid!r} in the provider's JWKS")
    return found[0]


def check_signature(alg: str, key: PublicKey, signed: bytes, signature: bytes) -> None:
    try:
        if alg == "RS256" and isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, signed, padding.PKCS1v15(), hashes.SHA256())
            return
        if alg == "ES256" and isinstance(key, ec.EllipticCurvePublicKey) and len(signature) == 64:
            r, s = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
            key.verify(encode_dss_signature(r, s), signed, ec.ECDSA(hashes.SHA256()))
            return
    except InvalidSignature:
        pass
    raise OidcError("the ID token signature is invalid")


def check_claims(
    claims: Mapping[str, Any],
    issuer: str,
    client_id: str,
    nonce: str | None,
    now: datetime,
    leeway_s: int = 60,
) -> None:
    """Issuer, audience (and authorized party), expiry, issue time and nonce of an ID token."""
    if claims.get("iss") != issuer:
        raise OidcError(f"ID token issuer {claims.get('iss')!r} is not {issuer!r}")
    aud = claims.get("aud")
    audiences = [aud] if isinstance(aud, str) else aud if isinstance(aud, list) else []
    if client_id not in audiences:
        raise OidcError(f"ID token audience {aud!r} does not include our client {client_id!r}")
    if len(audiences) > 1 and claims.get("azp") != client_id:
        raise OidcError("ID token has several audiences and we are not its authorized party")
    stamp = now.timestamp()
    exp, iat = claims.get("exp"), claims.get("iat")
    if not isinstance(exp, int | float) or exp + leeway_s <= stamp:
        raise OidcError("the ID token has expired")
    if not isinstance(iat, int | float) or iat - leeway_s > stamp:
        raise OidcError("the ID token is issued in the future")
    if nonce is not None and claims.get("nonce") != nonce:
        raise OidcError("the ID token nonce does not match the login request")
    if not isinstance(claims.get("sub"), str) or not claims["sub"]:
        raise OidcError("the ID token has no subject")


def verify_id_token(
    token: str,
    keys: Sequence[Mapping[str, Any]],
    issuer: str,
    client_id: str,
    nonce: str | None,
    now: datetime,
    leeway_s: int = 60,
) -> dict[str, Any]:
    """The claims of a valid ID token; OidcError saying what is wrong otherwise."""
    header, claims, signed, signature = split(token)
    jwk = pick_key(header, keys)
    check_signature(str(header["alg"]), public_key(jwk), signed, signature)
    check_claims(claims, issuer, client_id, nonce, now, leeway_s)
    return claims
