"""The access policy against the full app: every route listed, refused when it must be."""

from __future__ import annotations

import ast
import importlib
import inspect
import re
from pathlib import Path
from typing import Any
from unittest.mock import MagicMock

import pytest
from fastapi import APIRouter, FastAPI, Request
from fastapi.testclient import TestClient

from people.model import Role
from store.client import Store
from store.clock import FakeClock
from tests.people_factory import NOW, PASSWORD, add, app_for, people_service
from vigie.access import POLICY, Access, Open, requirement
from vigie.access_gate import flat_routes

ROOT = Path(__file__).resolve().parent.parent
SAMU = "fr.health.samu075"
OTHER = "fr.health.samu013"


def tree_routers() -> list[APIRouter]:
    """Every `create_*router` factory in the tree, built with stand-in collaborators.

    Only the routes matter here: the gate refuses before a handler runs, so the stand-ins are
    never called. A router added to the tree is picked up without editing this test.
    """
    found: list[APIRouter] = []
    skip = {"vigie.api.core", "vigie.api.auth", "vigie.api.users"}  # app_for mounts these
    for path in sorted(ROOT.glob("[a-z]*/**/*.py")):
        if ".venv" in path.parts or path.parts[len(ROOT.parts)] == "tests":
            continue
        module_name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        names = [
            n.name
            for n in ast.parse(path.read_text()).body
            if isinstance(n, ast.FunctionDef) and re.fullmatch(r"create_\w*router", n.name)
        ]
        if not names or module_name in skip:
            continue
        module = importlib.import_module(module_name)
        for name in names:
            factory = getattr(module, name)
            params = inspect.signature(factory).parameters
            found.append(factory(*[MagicMock() for p in params.values() if p.default is p.empty]))
    return found


def app_routes(app: FastAPI) -> list[tuple[str, str]]:
    """(method, path template) of every route; the UI mount as GET and POST on "/"."""
    out: list[tuple[str, str]] = []
    for route in flat_routes(app.router.routes):
        methods = sorted(route.methods) if route.methods else ["GET", "POST"]
        out += [(method, route.path) for method in methods]
    return out


def concrete(template: str) -> str:
    return re.sub(r"\{(\w+)(:\w+)?\}", lambda m: SAMU if "samu" in m[1] else "x1", template)


@pytest.fixture
def full(store: Store) -> tuple[TestClient, Any, FastAPI]:
    people = people_service(store, FakeClock(NOW))
    app = app_for(store, people, tree_routers())
    return TestClient(app, follow_redirects=False), people, app


def bearer(people: Any, name: str, *roles: Role, samu: list[str] | None = None) -> dict[str, str]:
    person_id = add(people, name, *roles, samu=samu)
    return {"Authorization": f"Bearer {people.tokens.issue(person_id, 't', 'test')[1]}"}


def test_every_route_of_the_full_app_is_in_the_policy(
    full: tuple[TestClient, Any, FastAPI],
) -> None:
    routes = app_routes(full[2])
    assert len(routes) > 20
    missing = [r for r in routes if requirement(POLICY, *r) is None]
    assert missing == [], "add these routes to vigie.access.POLICY"


def test_anonymous_callers_get_401_on_every_non_public_route(
    full: tuple[TestClient, Any, FastAPI],
) -> None:
    client = full[0]
    wrong = []
    for method, path in app_routes(full[2]):
        need = requirement(POLICY, method, path)
        if need in (Open.PUBLIC, Open.AGENT) or method == "HEAD":
            continue
        response = client.request(method, concrete(path), headers={"Accept": "application/json"})
        if response.status_code != 401 or "WWW-Authenticate" not in response.headers:
            wrong.append((method, path, response.status_code))
    assert wrong == []


@pytest.mark.parametrize(
    ("roles", "refused"),
    [
        ((Role.VIEWER,), {Role.ADMIN, Role.ONCALL, Role.REPORTER, Role.ALERT_SOURCE}),
        ((Role.ONCALL,), {Role.ADMIN, Role.REPORTER, Role.ALERT_SOURCE}),
        ((Role.REPORTER,), {Role.ADMIN, Role.ONCALL, Role.ALERT_SOURCE}),
        ((Role.ALERT_SOURCE,), {Role.ADMIN, Role.ONCALL, Role.REPORTER, Role.VIEWER}),
    ],
    ids=["a viewer", "an on-call engineer", "a reporter", "Prometheus pushing alerts"],
)
def test_a_role_gets_403_on_every_route_that_needs_a_role_it_lacks(
    full: tuple[TestClient, Any, FastAPI], roles: tuple[Role, ...], refused: set[Role]
) -> None:
    client, people, app = full
    headers = bearer(people, "someone", *roles)
    wrong = []
    for method, path in app_routes(app):
        if requirement(POLICY, method, path) in refused and method != "HEAD":
            response = client.request(method, concrete(path), headers=headers)
            if response.status_code != 403:
                wrong.append((method, path, response.status_code))
    assert wrong == []


def test_a_route_missing_from_the_policy_is_refused_even_to_an_admin(store: Store) -> None:
    people = people_service(store, FakeClock(NOW))
    router = APIRouter()
    router.add_api_route("/api/v1/forgotten", lambda: {"ok": True}, methods=["GET"])
    client = TestClient(app_for(store, people, [router]))
    response = client.get("/api/v1/forgotten", headers=bearer(people, "boss", Role.ADMIN))
    assert response.status_code == 403
    assert "not in the access policy" in response.json()["detail"]
    assert people.audit.query(action="access.denied")[0].actor == "boss"


@pytest.mark.parametrize(
    ("path", "status"),
    [
        (f"/api/v1/samu/{SAMU}", 200),
        (f"/api/v1/samu/{OTHER}", 403),
        (f"/api/v1/samu/{OTHER}/counts?from=2026-10-01T00:00:00Z&to=2026-10-01T01:00:00Z", 403),
        (f"/api/v1/samu/{SAMU}/counts?from=2026-10-01T00:00:00Z&to=2026-10-01T01:00:00Z", 200),
        (f"/api/v1/ingest/status?samu={OTHER}", 403),
        ("/api/v1/audit", 403),
    ],
    ids=[
        "their SAMU",
        "another SAMU",
        "another SAMU's counts",
        "their counts",
        "another SAMU named in the query",
        "the audit log (admin)",
    ],
)
def test_a_samu_manager_sees_only_their_samu(store: Store, path: str, status: int) -> None:
    people = people_service(store, FakeClock(NOW))
    client = TestClient(app_for(store, people))
    headers = bearer(people, "manager075", Role.ONCALL, samu=[SAMU])
    assert client.get(path, headers=headers).status_code == status


def test_routers_see_the_scope_and_a_spoofed_identity_header_is_replaced(store: Store) -> None:
    people = people_service(store, FakeClock(NOW))
    router = APIRouter()

    @router.get("/api/v1/test/whoami")
    def whoami(request: Request) -> dict[str, Any]:
        p = request.state.principal
        scope = sorted(p.samu_scope) if p.samu_scope is not None else None
        return {"header": request.headers.get("x-vigie-user"), "scope": scope}

    policy = {**POLICY, ("GET", "/api/v1/test/whoami"): Access("samu")}
    client = TestClient(app_for(store, people, [router], policy))
    headers = bearer(people, "manager075", Role.VIEWER, samu=[SAMU])
    headers["X-Vigie-User"] = "admin"
    assert client.get("/api/v1/test/whoami", headers=headers).json() == {
        "header": "manager075",
        "scope": [SAMU],
    }


def test_bearer_tokens_authenticate_scripts_and_bad_ones_are_401(store: Store) -> None:
    people = people_service(store, FakeClock(NOW))
    client = TestClient(app_for(store, people))
    headers = bearer(people, "script", Role.VIEWER)
    me = client.get("/api/v1/auth/me", headers=headers).json()
    assert (me["name"], me["roles"], me["via"]) == ("script", ["viewer"], "token")
    for bad in ["Bearer vgt_nope", "Bearer ", "Basic Zm9vOmJhcg==", headers["Authorization"] + "x"]:
        assert client.get("/api/v1/samu", headers={"Authorization": bad}).status_code == 401


def _session(client: TestClient, people: Any, *roles: Role) -> str:
    add(people, "alice", *roles)
    response = client.post("/api/v1/auth/login", json={"name": "alice", "password": PASSWORD})
    assert response.status_code == 200
    assert "httponly" in response.headers["set-cookie"].lower()
    return str(response.json()["csrf_token"])


def test_a_browser_session_reaches_the_ui_and_the_api(store: Store) -> None:
    people = people_service(store, FakeClock(NOW))
    client = TestClient(app_for(store, people), follow_redirects=False)
    anonymous = client.get("/", headers={"Accept": "text/html"})
    assert anonymous.status_code == 303
    assert anonymous.headers["location"].startswith("/api/v1/auth/login?next=")
    _session(client, people, Role.VIEWER)
    assert client.get("/", headers={"Accept": "text/html"}).status_code == 200
    assert client.get("/api/v1/samu").status_code == 200
    assert client.get("/api/v1/users").status_code == 403


@pytest.mark.parametrize(
    ("kwargs", "status"),
    [
        ({"data": {"x": "1"}}, 403),
        ({"data": {"csrf_token": "wrong"}}, 403),
        ({"data": {"csrf_token": "{csrf}"}}, 200),
        ({"headers": {"X-CSRF-Token": "{csrf}"}}, 200),
        ({"json": {}}, 200),
        ({"json": {}, "headers": {"Origin": "http://evil.example"}}, 403),
    ],
    ids=[
        "a form without the token",
        "a form with a wrong token",
        "a form with the token",
        "the token in the header",
        "JSON from our origin",
        "JSON from another origin",
    ],
)
def test_unsafe_requests_on_a_session_need_the_csrf_token(
    store: Store, kwargs: dict[str, Any], status: int
) -> None:
    people = people_service(store, FakeClock(NOW))
    client = TestClient(app_for(store, people))
    csrf = _session(client, people, Role.VIEWER)
    filled = {
        k: {n: v.replace("{csrf}", csrf) for n, v in val.items()} if k != "json" else val
        for k, val in kwargs.items()
    }
    assert client.post("/api/v1/auth/logout", **filled).status_code == status


def test_the_login_form_needs_its_csrf_cookie_and_every_login_makes_a_new_session(
    store: Store,
) -> None:
    people = people_service(store, FakeClock(NOW))
    client = TestClient(app_for(store, people), follow_redirects=False)
    add(people, "alice", Role.VIEWER)
    form = {"name": "alice", "password": PASSWORD, "next": "/samu"}
    assert client.post("/api/v1/auth/login", data=form).status_code == 403
    client.post("/api/v1/auth/login", json={"name": "alice", "password": PASSWORD})
    page = client.get("/api/v1/auth/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token is not None
    before = client.cookies.get("vigie_session")
    done = client.post("/api/v1/auth/login", data=form | {"csrf_token": token[1]})
    assert (done.status_code, done.headers["location"]) == (303, "/samu")
    after = client.cookies.get("vigie_session")
    assert before and after and after != before
    assert people.from_session(before) is None, "the session brought to a login is ended"
    assert client.get("/api/v1/auth/me").json()["name"] == "alice"


def test_repeated_failed_logins_are_throttled_with_retry_after(store: Store) -> None:
    people = people_service(store, FakeClock(NOW))
    client = TestClient(app_for(store, people))
    add(people, "alice", Role.VIEWER)
    bad = {"name": "alice", "password": "not the password"}
    codes = [client.post("/api/v1/auth/login", json=bad).status_code for _ in range(6)]
    assert codes == [401] * 5 + [429]
    late = client.post("/api/v1/auth/login", json={"name": "alice", "password": PASSWORD})
    assert late.status_code == 429 and int(late.headers["Retry-After"]) > 0


def test_admins_manage_accounts_and_tokens_through_the_api_and_each_change_is_audited(
    store: Store,
) -> None:
    people = people_service(store, FakeClock(NOW))
    client = TestClient(app_for(store, people))
    admin = bearer(people, "boss", Role.ADMIN)
    made = client.post(
        "/api/v1/users",
        json={"name": "bob", "roles": ["on-call"], "samu_scope": [SAMU], "password": PASSWORD},
        headers=admin,
    )
    assert made.status_code == 201 and made.json()["samu_scope"] == [SAMU]
    assert "password" not in str(made.json())
    bad = client.post("/api/v1/users", json={"name": "x", "roles": ["god"]}, headers=admin)
    assert bad.status_code == 422 and "known roles" in bad.json()["detail"]
    issued = client.post("/api/v1/users/bob/tokens", json={"label": "cron"}, headers=admin)
    secret = issued.json()["token"]
    bob = {"Authorization": f"Bearer {secret}"}
    assert client.get(f"/api/v1/samu/{SAMU}", headers=bob).status_code == 200
    token_id = issued.json()["id"]
    assert client.delete(f"/api/v1/users/bob/tokens/{token_id}", headers=admin).status_code == 200
    assert client.get(f"/api/v1/samu/{SAMU}", headers=bob).status_code == 401
    actions = [e.action for e in reversed(people.audit.query(limit=50))]
    assert actions == ["user.create", "token.issue", "token.revoke"]
    assert secret not in str(store.query("SELECT * FROM {db}.audit_log"))
