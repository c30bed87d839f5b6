"""Single sign-on against a real OpenID Connect provider (npm `oidc-provider`, run by node).

The test drives the browser's side with httpx: our /oidc/login redirect, the provider's login
and consent pages (forms posted as a browser would), back to our callback with the code.
Setup: `npm ci --prefix tests/oidc` (done by .ci/run).
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import socket
import subprocess
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient

from people.errors import OidcError
from people.idtoken import verify_id_token
from people.model import Role
from people.oidc import OidcClient, OidcConfig
from store.client import Store
from store.clock import FakeClock, SystemClock
from tests.conftest import require_peer
from tests.people_factory import app_for, people_service

HERE = Path(__file__).resolve().parent / "oidc"
REDIRECT = "http://127.0.0.1:8000/api/v1/auth/oidc/callback"
SAMU = "fr.health.samu075"
pytestmark = pytest.mark.peer


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def issuer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    require_peer("node")
    if not (HERE / "node_modules" / "oidc-provider").is_dir():
        message = "run `npm ci --prefix tests/oidc` to install the test OIDC provider"
        if os.environ.get("VIGIE_REQUIRE_PEERS") == "1":
            pytest.fail(message)
        pytest.skip(message)
    port = _free_port()
    log = tmp_path_factory.mktemp("oidc") / "provider.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            ["node", str(HERE / "provider.js"), str(port), REDIRECT], stdout=out, stderr=out
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            httpx.get(f"{url}/.well-known/openid-configuration", timeout=1).raise_for_status()
            break
        except httpx.HTTPError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                proc.wait()
                pytest.fail(f"the OIDC provider did not start: {log.read_text()[-2000:]}")
            time.sleep(0.1)
    yield url
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client() as client:
        yield client


def config(issuer: str, client: str = "vigie") -> OidcConfig:
    return OidcConfig(
        issuer=issuer,
        client_id=client,
        client_secret=f"{client}-secret",
        redirect_uri=REDIRECT,
        role_map={
            "noc-oncall": frozenset({Role.ONCALL}),
            "samu-075-managers": frozenset({Role.VIEWER}),
        },
        samu_map={"samu-075-managers": frozenset({SAMU})},
    )


def _form(page: str, base: str, login: str) -> tuple[str, dict[str, str]]:
    """The first POST form of a provider page, filled as the test user would."""
    form = re.search(r"<form\b[^>]*>(.*?)</form>", page, re.S)
    assert form is not None, page[:500]
    action = re.search(r'action="([^"]+)"', form[0])
    assert action is not None
    fields = {}
    for tag in re.findall(r"<input\b[^>]*>", form[1]):
        name, value = re.search(r'name="([^"]+)"', tag), re.search(r'value="([^"]*)"', tag)
        if name:
            fields[name[1]] = value[1] if value else ""
    fields |= {"login": login, "password": "any"} if "login" in fields else {}
    return urljoin(base, action[1]), fields


def authorize(auth_url: str, login: str) -> dict[str, str]:
    """Play the browser at the provider until it redirects to our callback; its query."""
    with httpx.Client(timeout=10) as browser:
        response = browser.get(auth_url)
        for _ in range(12):
            location = response.headers.get("location")
            if location and location.startswith(REDIRECT):
                return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
            if location:
                response = browser.get(urljoin(str(response.url), location))
                continue
            assert response.status_code == 200, response.text[:500]
            action, fields = _form(response.text, str(response.url), login)
            response = browser.post(action, data=fields)
    raise AssertionError("the provider never redirected back")


def sign_in(
    store: Store, http: httpx.Client, issuer: str, login: str, client: str = "vigie"
) -> TestClient:
    people = people_service(store, FakeClock(datetime.now(UTC)), config(issuer, client), http)
    app = TestClient(app_for(store, people), follow_redirects=False)
    start = app.get("/api/v1/auth/oidc/login", params={"next": "/samu"})
    assert start.status_code == 302 and "code_challenge=" in start.headers["location"]
    query = authorize(start.headers["location"], login)
    done = app.get("/api/v1/auth/oidc/callback", params=query)
    app.last = done  # type: ignore[attr-defined]
    return app


@pytest.mark.parametrize(
    ("login", "client", "roles", "scope"),
    [
        ("alice", "vigie", ["on-call"], None),
        ("bob", "vigie", ["viewer"], [SAMU]),
        ("alice", "vigie-es", ["on-call"], None),
    ],
    ids=[
        "a NOC engineer becomes on-call (RS256)",
        "a SAMU manager is scoped to their SAMU",
        "an ES256-signing client works too",
    ],
)
def test_single_sign_on_opens_a_session_with_roles_from_the_groups_claim(
    store: Store,
    http: httpx.Client,
    issuer: str,
    login: str,
    client: str,
    roles: list[str],
    scope: list[str] | None,
) -> None:
    app = sign_in(store, http, issuer, login, client)
    done = app.last  # type: ignore[attr-defined]
    assert (done.status_code, done.headers["location"]) == (303, "/samu")
    me = app.get("/api/v1/auth/me").json()
    assert (me["name"], me["roles"], me["samu_scope"], me["via"]) == (
        login,
        roles,
        scope,
        "session",
    )
    assert app.get(f"/api/v1/samu/{SAMU}").status_code == 200


def test_a_person_whose_groups_give_no_role_gets_no_session(
    store: Store, http: httpx.Client, issuer: str
) -> None:
    app = sign_in(store, http, issuer, "carol")
    assert app.last.status_code == 401  # type: ignore[attr-defined]
    assert "none of your groups" in app.last.json()["detail"]  # type: ignore[attr-defined]
    assert app.get("/api/v1/auth/me").status_code == 401


def test_a_callback_without_our_login_cookie_is_refused(
    store: Store, http: httpx.Client, issuer: str
) -> None:
    people = people_service(store, FakeClock(datetime.now(UTC)), config(issuer), http)
    app = TestClient(app_for(store, people), follow_redirects=False)
    start = app.get("/api/v1/auth/oidc/login")
    query = authorize(start.headers["location"], "alice")
    app.cookies.clear()  # a forged callback from another browser
    assert app.get("/api/v1/auth/oidc/callback", params=query).status_code == 401


def provider_id_token(issuer: str, client: str) -> str:
    """A real ID token for alice, obtained by the code flow done by hand."""
    verifier = "v" * 50
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    query = authorize(
        httpx.URL(
            f"{issuer}/auth",
            params={
                "client_id": client,
                "response_type": "code",
                "redirect_uri": REDIRECT,
                "scope": "openid groups",
                "state": "s",
                "nonce": "n1",
                "code_challenge": challenge.decode().rstrip("="),
                "code_challenge_method": "S256",
            },
        ).__str__(),
        "alice",
    )
    tokens = httpx.post(
        f"{issuer}/token",
        data={
            "grant_type": "authorization_code",
            "code": query["code"],
            "redirect_uri": REDIRECT,
            "code_verifier": verifier,
        },
        auth=(client, f"{client}-secret"),
    ).json()
    return str(tokens["id_token"])


def test_real_id_tokens_with_a_wrong_issuer_audience_or_signature_are_refused(
    http: httpx.Client, issuer: str
) -> None:
    token = provider_id_token(issuer, "vigie-es")
    ours = OidcClient(config(issuer, "vigie"), http, SystemClock())
    theirs = OidcClient(config(issuer, "vigie-es"), http, SystemClock())
    assert theirs.verify(token, "n1")["sub"] == "alice"
    with pytest.raises(OidcError, match="audience"):
        ours.verify(token, "n1")
    keys = http.get(f"{issuer}/jwks").json()["keys"]
    with pytest.raises(OidcError, match="issuer"):
        verify_id_token(token, keys, "http://evil.example", "vigie-es", "n1", datetime.now(UTC))
    head, body, sig = token.split(".")
    flipped = sig[:10] + ("A" if sig[10] != "A" else "B") + sig[11:]
    with pytest.raises(OidcError, match="signature"):
        theirs.verify(f"{head}.{body}.{flipped}", "n1")
