"""OpenID Connect single sign-on: authorization code flow with PKCE, state and nonce.

The pending login (state, nonce, PKCE verifier, where to go next) travels in a short-lived cookie
sealed with the server's secret (HMAC), so any process of the platform can finish the login.
Groups from a configurable claim map to roles and SAMU scopes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import httpx

from people.errors import OidcError
from people.idtoken import b64url_decode, verify_id_token
from people.model import Role
from store.clock import Clock


@dataclass(frozen=True)
class OidcConfig:
    """The provider and how its groups become roles (`role_map`) and SAMU scopes (`samu_map`)."""

    issuer: str
    client_id: str
    client_secret: str = field(repr=False)  # never printed
    redirect_uri: str
    scopes: tuple[str, ...] = ("openid", "profile", "email", "groups")
    groups_claim: str = "groups"
    role_map: Mapping[str, frozenset[Role]] = field(default_factory=dict)
    samu_map: Mapping[str, frozenset[str]] = field(default_factory=dict)  # SAMU manager groups
    leeway_s: int = 60
    login_ttl_s: int = 600  # how long the user may take at the provider


@dataclass(frozen=True)
class AuthRequest:
    """A login in progress at the provider."""

    state: str
    nonce: str
    verifier: str
    next_url: str
    started: float


@dataclass(frozen=True)
class Identity:
    """Who the provider says logged in, with the roles and scope mapped from the groups."""

    issuer: str
    subject: str
    name: str
    display_name: str
    email: str
    groups: tuple[str, ...]
    roles: frozenset[Role]
    samu_scope: frozenset[str] | None


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def seal(request: AuthRequest, secret: bytes) -> str:
    """The login request as a cookie value, signed with the server secret."""
    body = _b64(json.dumps(request.__dict__, separators=(",", ":")).encode())
    return f"{body}.{_b64(hmac.new(secret, body.encode(), hashlib.sha256).digest())}"


def unseal(value: str, secret: bytes, now: float, ttl_s: int) -> AuthRequest:
    body, _, mac = value.partition(".")
    expected = _b64(hmac.new(secret, body.encode(), hashlib.sha256).digest())
    if not hmac.compare_digest(mac.encode(), expected.encode()):
        raise OidcError("the login request cookie is missing or was tampered with")
    request = AuthRequest(**json.loads(b64url_decode(body)))
    if not 0 <= now - request.started <= ttl_s:
        raise OidcError("the login at the identity provider took too long; try again")
    return request


def map_groups(
    config: OidcConfig, groups: tuple[str, ...]
) -> tuple[frozenset[Role], frozenset[str] | None]:
    """Roles from every mapped group; the SAMU scope of the SAMU-manager groups (none for admins).

    A person in a SAMU-manager group is scoped even if another group grants a role: fail closed.
    """
    roles: set[Role] = set()
    for group in groups:
        roles |= config.role_map.get(group, frozenset())
    scopes = [config.samu_map[g] for g in groups if g in config.samu_map]
    if Role.ADMIN in roles or not scopes:
        return frozenset(roles), None
    return frozenset(roles), frozenset().union(*scopes)


class OidcClient:
    """Talks to one provider through httpx: discovery, keys, code exchange, ID token checks."""

    def __init__(self, config: OidcConfig, http: httpx.Client, clock: Clock) -> None:
        self.config = config
        self._http = http
        self._clock = clock
        self._discovery: dict[str, Any] | None = None
        self._keys: list[dict[str, Any]] = []
        self._keys_at = 0.0

    def _get(self, url: str) -> dict[str, Any]:
        try:
            response = self._http.get(url, timeout=10)
            response.raise_for_status()
            data = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise OidcError(f"identity provider unreachable or answering badly: {exc}") from exc
        if not isinstance(data, dict):
            raise OidcError(f"{url} did not answer a JSON object")
        return data

    def discovery(self) -> dict[str, Any]:
        """The provider's discovery document (cached); its issuer must be ours exactly."""
        if self._discovery is None:
            issuer = self.config.issuer.rstrip("/")
            doc = self._get(f"{issuer}/.well-known/openid-configuration")
            if doc.get("issuer") != self.config.issuer:
                raise OidcError(f"discovery issuer {doc.get('issuer')!r} is not the configured one")
            self._discovery = doc
        return self._discovery

    def _jwks(self, refresh: bool) -> list[dict[str, Any]]:
        now = self._clock.now().timestamp()
        if not self._keys or (refresh and now - self._keys_at > 60):
            keys = self._get(str(self.discovery()["jwks_uri"])).get("keys", [])
            self._keys, self._keys_at = [k for k in keys if isinstance(k, dict)], now
        return self._keys

    def begin(self, next_url: str = "/") -> tuple[str, AuthRequest]:
        """The provider URL to send the browser to, and the request to keep (sealed cookie)."""
        request = AuthRequest(
            state=secrets.token_urlsafe(24),
            nonce=secrets.token_urlsafe(24),
            verifier=secrets.token_urlsafe(48),
            next_url=next_url
            if next_url.startswith("/") and not next_url.startswith("//")
            else "/",
            started=self._clock.now().timestamp(),
        )
        challenge = _b64(hashlib.sha256(request.verifier.encode()).digest())
        query = urlencode(
            {
                "response_type": "code",
                "client_id": self.config.client_id,
                "redirect_uri": self.config.redirect_uri,
                "scope": " ".join(self.config.scopes),
                "state": request.state,
                "nonce": request.nonce,
                "code_challenge": challenge,
                "code_challenge_method": "S256",
            }
        )
        return f"{self.discovery()['authorization_endpoint']}?{query}", request

    def finish(self, code: str, state: str, request: AuthRequest) -> Identity:
        """Exchange the code (with the PKCE verifier) and verify the ID token; the identity."""
        if not hmac.compare_digest(state.encode(), request.state.encode()):
            raise OidcError("the state returned by the identity provider does not match")
        try:
            response = self._http.post(
                str(self.discovery()["token_endpoint"]),
                data={
                    "grant_type": "authorization_code",
                    "code": code,
                    "redirect_uri": self.config.redirect_uri,
                    "code_verifier": request.verifier,
                },
                auth=(self.config.client_id, self.config.client_secret),
                timeout=10,
            )
            tokens = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise OidcError(f"token exchange failed: {exc}") from exc
        if response.status_code != 200 or "id_token" not in tokens:
            raise OidcError(f"token exchange refused: {tokens.get('error', response.status_code)}")
        claims = self.verify(str(tokens["id_token"]), request.nonce)
        return self.identity(claims)

    def verify(self, id_token: str, nonce: str | None) -> dict[str, Any]:
        """The claims of an ID token from this provider (keys refreshed once if rotated)."""
        c, now = self.config, self._clock.now()
        try:
            return verify_id_token(id_token, self._jwks(False), c.issuer, c.client_id, nonce, now)
        except OidcError as exc:
            if "JWKS" not in str(exc):
                raise
        return verify_id_token(id_token, self._jwks(True), c.issuer, c.client_id, nonce, now)

    def identity(self, claims: Mapping[str, Any]) -> Identity:
        raw = claims.get(self.config.groups_claim, [])
        groups = tuple(str(g) for g in raw) if isinstance(raw, list) else ()
        roles, scope = map_groups(self.config, groups)
        name = str(claims.get("preferred_username") or claims.get("email") or claims["sub"])
        return Identity(
            issuer=str(claims["iss"]),
            subject=str(claims["sub"]),
            name=name,
            display_name=str(claims.get("name") or name),
            email=str(claims.get("email") or ""),
            groups=groups,
            roles=roles,
            samu_scope=scope,
        )
