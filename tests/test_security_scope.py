"""One authorisation rule per resource, on every route and UI callback × role × SAMU scope
(issue 14, item 1), against a real `vigie up`.

The routes are the app's own route table (every `create_*router` of the tree, as
tests/test_access_policy.py builds it) and the callbacks are the Dash app's callback map: a new
route or callback without a rule fails `test_every_route_and_callback_has_a_rule`. Each is
called by every role, national and scoped to Paris, on Paris's things and on Marseille's:

- a role the rule does not grant: 403; anonymous: 401;
- a national resource (report, routing, audit, accounts…) for a SAMU manager: 403;
- another SAMU's thing (in the path, the query, or the item named: silence, incident,
  maintenance window): 403 with the reason;
- an allowed answer never names a SAMU outside the caller's scope (lists are filtered).

The defects of issue 14 also have their own tests below, by name.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from unittest.mock import MagicMock

import httpx
import pytest

from people.authz import RULES, Open, Scope, decide
from people.model import ANONYMOUS, Principal, Role
from store.clock import FakeClock
from store.registry import load_registry
from tests.fixtures.platform import PlatformProcess
from tests.people_factory import NOW, app_for, people_service
from tests.test_access_policy import app_routes, tree_routers
from vigie.access import CALLBACKS, NAME_YOUR_SAMU, POLICY, access_of, callback_of

PARIS, MARSEILLE = "fr.health.samu075", "fr.health.samu013"
REGISTRY = load_registry()
# What Paris's manager may see: Paris, and the SAMU that backs it up (entraide).
THEIRS = {PARIS, REGISTRY.require(PARIS).backup_id}
FOREIGN = re.compile("|".join(re.escape(s) for s in REGISTRY.ids() if s not in THEIRS))
PASSWORD = "un mot de passe assez long 42"
MONTH = "2026-01"
SKIPPED = re.compile(r"/logout$")  # would end the caller's session


@dataclass(frozen=True)
class Caller:
    name: str
    role: Role | None  # None: anonymous
    scoped: bool
    headers: dict[str, str]


def silence(*matchers: tuple[str, str, bool, bool], comment: str = "test") -> dict[str, Any]:
    return {
        "matchers": [
            {"name": n, "value": v, "isRegex": regex, "isEqual": equal}
            for n, v, regex, equal in matchers
        ],
        "startsAt": "2026-01-01T00:00:00Z",
        "endsAt": "2099-01-01T00:00:00Z",
        "createdBy": "noc",
        "comment": comment,
    }


def on(samu: str) -> tuple[str, str, bool, bool]:
    return ("samu", samu, False, True)


def alert(samu: str | None, name: str = "SLOBurnRate") -> dict[str, Any]:
    labels = {"alertname": name, "severity": "page", "slo": "s1"}
    return {"labels": labels | ({"samu": samu} if samu else {})}


def window(samu: str) -> dict[str, Any]:
    return {
        "title": f"bascule {samu}",
        "samu_ids": [samu],
        "starts_at": "2099-01-01T00:00:00+01:00",
        "duration": "1h",
        "approved_by": "chef de salle",
    }


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A running platform, one account per role and scope, and things of both SAMU."""
    platform = PlatformProcess(tmp_path_factory.mktemp("scope") / "data")
    platform.start()
    try:
        with platform.client() as admin:
            callers = [Caller("anonymous", None, False, {})]
            for role in Role:
                for scoped in (False, True):
                    if role == Role.ADMIN and scoped:
                        continue  # an admin sees every SAMU
                    name = f"{role.value}-{'paris' if scoped else 'national'}"
                    body = {"name": name, "roles": [role.value], "password": PASSWORD}
                    made = admin.post(
                        "/api/v1/users", json=body | {"samu_scope": [PARIS]} if scoped else body
                    )
                    assert made.status_code == 201, made.text
                    token = admin.post(f"/api/v1/users/{name}/tokens", json={"label": "t"})
                    headers = {"Authorization": f"Bearer {token.json()['token']}"}
                    callers.append(Caller(name, role, scoped, headers))
            posted = admin.post(
                "/api/v2/alerts",
                json=[alert(PARIS), alert(MARSEILLE), alert(None, "VigieIngestGap")],
            )
            assert posted.status_code == 200, posted.text
            silences = {
                samu: admin.post(
                    "/api/v2/silences", json=silence(on(samu), ("slo", "x", False, True))
                ).json()["silenceID"]
                for samu in (PARIS, MARSEILLE)
            }
            national = admin.post("/api/v2/silences", json=silence(("alertname", "X", False, True)))
            assert national.status_code == 200
            windows = {
                samu: admin.post("/api/v1/maintenance", json=window(samu)).json()["id"]
                for samu in (PARIS, MARSEILLE)
            }
            incidents: dict[str, str] = {}
            deadline = time.monotonic() + 60
            while len(incidents) < 2 and time.monotonic() < deadline:  # the pipeline pages
                for found in admin.get("/api/v1/incidents").json():
                    for samu in found["samu"]:
                        incidents.setdefault(samu, found["id"])
                time.sleep(0.5)
            assert {PARIS, MARSEILLE} <= set(incidents), incidents
        yield {
            "platform": platform,
            "callers": callers,
            "ids": {
                "silence_id": silences,
                "window_id": windows,
                "incident_id": incidents,
                "samu_id": {PARIS: PARIS, MARSEILLE: MARSEILLE},
            },
        }
    finally:
        platform.stop()


def route_table() -> list[tuple[str, str]]:
    store = MagicMock()
    people = people_service(store, FakeClock(NOW))
    app = app_for(store, people, tree_routers())
    return [r for r in app_routes(app) if r[0] != "HEAD"]


def dash_callbacks() -> dict[str, dict[str, Any]]:
    """The server-side callbacks of the UI (a clientside one never reaches the server)."""
    from dashboards.app import create_ui

    found = create_ui(MagicMock()).callback_map
    return {key: spec for key, spec in found.items() if "callback" in spec}


def test_every_route_and_callback_has_a_rule() -> None:
    routes = route_table()
    assert len(routes) > 60
    assert [r for r in routes if access_of(POLICY, *r) is None] == []
    callbacks = dash_callbacks()
    assert len(callbacks) >= 10
    assert [k for k in callbacks if callback_of(k) not in CALLBACKS] == []
    assert set(CALLBACKS) == {callback_of(k) for k in callbacks}, "no rule for a gone callback"
    used = {a.resource for a in POLICY.values()}
    used |= {a.resource for accesses in CALLBACKS.values() for a in accesses}
    assert used == set(RULES), "every rule is used, and only rules are used"


def concrete(template: str, target: str, ids: dict[str, dict[str, str]]) -> str:
    samu = PARIS if target == "own" else MARSEILLE

    def value(match: re.Match[str]) -> str:
        name = match[1]
        if name in ids:
            return ids[name][samu]
        return {
            "month": MONTH,
            "name": f"vigie15-{MONTH}.json",
            "action": "ack",
            "slo_id": "s1-call-setup",
            "schedule_id": "noc",
        }.get(name, "x1")

    return re.sub(r"\{(\w+)(:\w+)?\}", value, template)


def body_for(method: str, path: str, target: str) -> Any:
    samu = PARIS if target == "own" else MARSEILLE
    if path == "/api/v2/silences":
        return silence(on(samu), ("slo", "walk", False, True))
    if path == "/api/v2/alerts" and method == "POST":
        return [alert(samu, "Walk")]
    if path == "/api/v1/maintenance" and method == "POST":
        return window(samu)
    return {}


def principal(caller: Caller) -> Principal:
    if caller.role is None:
        return ANONYMOUS
    scope = frozenset({PARIS}) if caller.scoped else None
    return Principal("", caller.name, frozenset({caller.role}), scope, "token")


# Routes whose path names a SAMU's thing, and writes whose body does.
NAMES_A_SAMU = re.compile(r"\{(samu_id|silence_id|incident_id|window_id)\}")
WRITES_A_SAMU = {
    ("POST", "/api/v2/silences"),
    ("POST", "/api/v2/alerts"),
    ("POST", "/api/v1/maintenance"),
}


def expected(caller: Caller, method: str, template: str, target: str) -> int | None:
    """401 or 403 when the rule refuses; None when it allows (then: no foreign SAMU shown);
    0 for a route that checks the token it carries itself (the gate lets everyone through)."""
    access = access_of(POLICY, method, template)
    assert access is not None
    need, rule = access.need, RULES[access.resource]
    who = principal(caller)
    if need in (Open.PUBLIC, Open.AGENT):
        return 0
    if who.anonymous:
        return 401
    if isinstance(need, Role) and not who.has(need):
        return 403
    if caller.scoped and rule.scope == Scope.NATIONAL:
        return 403
    about_samu = NAMES_A_SAMU.search(template) or (method, template) in WRITES_A_SAMU
    if caller.scoped and target == "other" and about_samu:
        return 403
    if caller.scoped and (method, template) in NAME_YOUR_SAMU:
        return 403
    return None


def walk(world: dict[str, Any], method: str, template: str) -> list[str]:
    platform: PlatformProcess = world["platform"]
    wrong = []
    with httpx.Client(base_url=platform.url, timeout=120) as http:
        for caller in world["callers"]:
            for target in ("own", "other"):
                path = concrete(template, target, world["ids"])
                answer = http.request(
                    method,
                    path,
                    headers=caller.headers | {"Accept": "application/json"},
                    params={"from": "2026-01-01T00:00:00Z", "to": "2026-01-01T01:00:00Z"},
                    json=None if method == "GET" else body_for(method, template, target),
                )
                want = expected(caller, method, template, target)
                got = answer.status_code
                if want == 0:  # its own token decides (tests/test_security_agents.py, links)
                    if FOREIGN.search(answer.text) and caller.scoped:
                        wrong.append(f"{caller.name} {method} {path} shows another SAMU")
                elif want is not None and got != want:
                    wrong.append(f"{caller.name} {method} {path}: {got}, expected {want}")
                elif want is None and got in (401, 403):
                    wrong.append(f"{caller.name} {method} {path}: {got} {answer.text[:120]}")
                elif want is None and caller.scoped and FOREIGN.search(answer.text):
                    leaked = FOREIGN.search(answer.text)
                    wrong.append(f"{caller.name} {method} {path} shows {leaked and leaked[0]}")
    return wrong


ROUTES = [r for r in route_table() if not SKIPPED.search(r[1])]


@pytest.mark.parametrize(("method", "template"), ROUTES, ids=[f"{m} {p}" for m, p in ROUTES])
def test_each_route_applies_its_rule_to_every_role_and_scope(
    world: dict[str, Any], method: str, template: str
) -> None:
    assert walk(world, method, template) == []


def callback_body(key: str, spec: dict[str, Any], samu: str) -> dict[str, Any]:
    def values(items: list[dict[str, Any]]) -> list[Any]:
        out: list[Any] = []
        for item in items:
            if item["id"].startswith("{"):
                out.append([])  # a pattern-matching input: no component of it on the page
            else:
                value = samu if item["id"] == "samu-id" else None
                out.append({"id": item["id"], "property": item["property"], "value": value})
        return out

    outputs = [
        {"id": o.split(".")[0], "property": o.split(".")[1].split("@")[0]}
        for o in key.strip(".").split("...")
    ]
    return {
        "output": key,
        "outputs": outputs if len(outputs) > 1 else outputs[0],
        "inputs": values(spec["inputs"]),
        "state": values(spec.get("state", [])),
        "changedPropIds": [],
    }


CALLBACK_KEYS = sorted(dash_callbacks())


@pytest.mark.parametrize("key", CALLBACK_KEYS, ids=[callback_of(k) for k in CALLBACK_KEYS])
def test_each_ui_callback_applies_its_rules_to_every_role_and_scope(
    world: dict[str, Any], key: str
) -> None:
    spec = dash_callbacks()[key]
    accesses = CALLBACKS[callback_of(key)]
    platform: PlatformProcess = world["platform"]
    wrong = []
    with httpx.Client(base_url=platform.url, timeout=120) as http:
        for caller in world["callers"]:
            for samu in (PARIS, MARSEILLE):
                body = callback_body(key, spec, samu)
                answer = http.post("/_dash-update-component", json=body, headers=caller.headers)
                wants = [expected_callback(caller, a.resource, a.action) for a in accesses]
                want = next((w for w in wants if w is not None), None)
                if want is not None and answer.status_code != want:
                    wrong.append(
                        f"{caller.name} {callback_of(key)}: {answer.status_code} != {want}"
                    )
                elif want is None and answer.status_code in (401, 403):
                    wrong.append(f"{caller.name} {callback_of(key)}: {answer.status_code}")
                elif want is None and caller.scoped and FOREIGN.search(answer.text):
                    wrong.append(f"{caller.name} {callback_of(key)} shows another SAMU")
    assert wrong == []


def expected_callback(caller: Caller, resource: str, action: Any) -> int | None:
    return decide(principal(caller), resource, action).status or None


# --- the defects of issue 14, one test each -------------------------------------------------


def scoped(world: dict[str, Any], role: Role) -> httpx.Client:
    caller = next(c for c in world["callers"] if c.role == role and c.scoped)
    return httpx.Client(base_url=world["platform"].url, headers=caller.headers, timeout=60)


@pytest.mark.parametrize(
    ("name", "matchers", "status"),
    [
        ("every SAMU by a regex", [("samu", ".*", True, True)], 403),
        ("no samu matcher", [("alertname", "SLOBurnRate", False, True)], 403),
        ("every SAMU but theirs", [("samu", PARIS, False, False)], 403),
        ("a regex that could match another SAMU", [("samu", "fr.health.samu07.", True, True)], 403),
        ("a negative regex", [("samu", "fr.health.samu013", True, False)], 403),
        ("another SAMU", [on(MARSEILLE)], 403),
        ("their SAMU", [on(PARIS)], 200),
        ("their SAMU by an anchored regex", [("samu", r"fr\.health\.samu07[5]", True, True)], 200),
    ],
)
def test_a_scoped_person_may_silence_only_what_could_match_their_samu(
    world: dict[str, Any], name: str, matchers: list[Any], status: int
) -> None:
    with scoped(world, Role.ONCALL) as client:
        answer = client.post("/api/v2/silences", json=silence(*matchers))
    assert answer.status_code == status, answer.text
    if status == 403:
        assert "could match" in answer.text and "outside your SAMU scope" in answer.text


def test_a_scoped_person_cannot_expire_another_scopes_silence(world: dict[str, Any]) -> None:
    # A silence of its own: the route walk expires the world's ones (as national callers may).
    with world["platform"].client() as admin:
        made = admin.post(
            "/api/v2/silences", json=silence(on(MARSEILLE), ("slo", "y", False, True))
        )
        other = made.json()["silenceID"]
    with scoped(world, Role.ONCALL) as client:
        answer = client.delete(f"/api/v2/silence/{other}")
        assert answer.status_code == 403 and MARSEILLE in answer.text
    with world["platform"].client() as admin:
        assert admin.get(f"/api/v2/silence/{other}").json()["status"]["state"] == "active"


def test_a_scoped_person_cannot_patch_another_samus_incident(world: dict[str, Any]) -> None:
    other = world["ids"]["incident_id"][MARSEILLE]
    with scoped(world, Role.ONCALL) as client:
        answer = client.patch(f"/api/v1/incidents/{other}", json={"cause": "pas chez moi"})
        assert answer.status_code == 403
        assert client.post(f"/api/v1/incidents/{other}/ack").status_code == 403
    with world["platform"].client() as admin:
        assert admin.get(f"/api/v1/incidents/{other}").json()["cause"] != "pas chez moi"


LISTS = [
    "/api/v2/alerts",
    "/api/v2/alerts/groups",
    "/api/v2/silences",
    "/api/v1/incidents",
    "/api/v1/maintenance",
    "/api/v1/samu",
]


@pytest.mark.parametrize("path", LISTS)
def test_list_routes_show_a_scoped_person_only_their_samu(world: dict[str, Any], path: str) -> None:
    with world["platform"].client() as admin:
        assert MARSEILLE in admin.get(path).text, "a national account sees every SAMU"
    with scoped(world, Role.ONCALL) as client:
        answer = client.get(path)
    assert answer.status_code == 200 and PARIS in answer.text
    assert FOREIGN.search(answer.text) is None


def test_a_scoped_reporter_cannot_download_the_national_report(world: dict[str, Any]) -> None:
    with scoped(world, Role.REPORTER) as client:
        for path in (f"/api/v1/reports/vigie15-{MONTH}.pdf", f"/api/v1/reports/{MONTH}/manifest"):
            answer = client.get(path)
            assert answer.status_code == 403 and "national account" in answer.text
