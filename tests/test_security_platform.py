"""Over a running `vigie up`: secrets never reach the logs or the audit log; every change is
audited with who, what, when and from where; the audit log is kept 12 months."""

from __future__ import annotations

import re
import signal
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from people.local_files import local_cli_token
from store.client import Store
from tests.fixtures.platform import PlatformProcess

PARIS = "fr.health.samu075"
PASSWORD = "un mot de passe assez long 42"
SILENCE = {
    "matchers": [{"name": "samu", "value": PARIS, "isRegex": False, "isEqual": True}],
    "startsAt": "2026-01-01T00:00:00Z",
    "endsAt": "2099-01-01T00:00:00Z",
    "createdBy": "noc",
    "comment": "bascule du SBC",
}
WINDOW = {
    "title": "migration",
    "samu_ids": [PARIS],
    "starts_at": "2099-01-01T00:00:00+01:00",
    "duration": "1h",
    "approved_by": "chef de salle",
}


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """One platform run that does everything once; the tests read what it left."""
    platform = PlatformProcess(tmp_path_factory.mktemp("security") / "data")
    platform.start()
    secrets: list[str] = [local_cli_token(platform.data_dir), PASSWORD]
    try:
        admin = platform.client()
        notes: dict[str, Any] = {"agents_wired": False}
        made = admin.post(
            "/api/v1/users", json={"name": "marie", "roles": ["on-call"], "password": PASSWORD}
        )
        assert made.status_code == 201, made.text
        token = admin.post("/api/v1/users/marie/tokens", json={"label": "script"}).json()
        secrets.append(token["token"])
        assert admin.delete(f"/api/v1/users/marie/tokens/{token['id']}").status_code == 200
        with httpx.Client(base_url=platform.url, timeout=30) as browser:
            for wrong in ("nope", "encore faux", PASSWORD + "x"):
                secrets.append(wrong)
                login = browser.post(
                    "/api/v1/auth/login", json={"name": "marie", "password": wrong}
                )
                assert login.status_code == 401
            login = browser.post("/api/v1/auth/login", json={"name": "marie", "password": PASSWORD})
            assert login.status_code == 200
            csrf = {"X-CSRF-Token": login.json()["csrf_token"]}
            secrets += [browser.cookies["vigie_session"], csrf["X-CSRF-Token"]]
            silence = browser.post("/api/v2/silences", json=SILENCE).json()["silenceID"]
            assert browser.delete(f"/api/v2/silence/{silence}").status_code == 403, "no CSRF"
            expired = browser.delete(f"/api/v2/silence/{silence}", headers=csrf)
            assert expired.status_code == 200
            browser.post("/api/v1/auth/logout", json={})
        window = admin.post("/api/v1/maintenance", json=WINDOW)
        assert window.status_code == 201, window.text
        assert admin.delete(f"/api/v1/maintenance/{window.json()['id']}").status_code == 200
        assert admin.post("/api/v1/alerting/reload").status_code == 200
        agent = admin.post("/api/v1/agents", json={"samu_ids": [PARIS], "label": "gw"})
        if agent.status_code == 201:  # the agents API is wired (see the report to the lead)
            notes["agents_wired"] = True
            secrets.append(agent.json()["token"])
            rotated = admin.post(f"/api/v1/agents/{agent.json()['id']}/rotate").json()
            secrets.append(rotated["token"])
            for secret in (rotated["token"], "vga_wrong-token"):
                httpx.post(
                    f"{platform.otlp_url}/v1/metrics",
                    content=b"",
                    headers={
                        "Authorization": f"Bearer {secret}",
                        "Content-Type": "application/x-protobuf",
                    },
                )
            admin.delete(f"/api/v1/agents/{agent.json()['id']}")
        notes["audit"] = admin.get("/api/v1/audit", params={"limit": 1000}).json()
        admin.close()
        assert platform.process is not None
        platform.process.send_signal(signal.SIGTERM)
        notes["output"] = platform.output()  # read to the end: the process has exited
    finally:
        platform.stop()
    notes["secrets"] = secrets
    yield notes


def test_no_secret_reaches_the_process_output_or_the_audit_log(session: dict[str, Any]) -> None:
    output, audit = session["output"], repr(session["audit"])
    leaked = [s[:6] + "…" for s in session["secrets"] if s and (s in output or s in audit)]
    assert leaked == []
    assert not re.search(r"vg[at]_[A-Za-z0-9_-]{20,}", output), "no token-shaped text is logged"


EXPECTED = [
    ("user.create", "cli@local"),
    ("token.issue", "cli@local"),
    ("token.revoke", "cli@local"),
    ("auth.login_failed", "marie"),
    ("auth.login", "marie"),
    ("auth.logout", "marie"),
    ("silence.created", "marie"),
    ("silence.expired", "marie"),
    ("maintenance.created", "cli@local"),
    ("maintenance.cancelled", "cli@local"),
    ("alerting.reload", "cli@local"),
]


@pytest.mark.parametrize(("action", "actor"), EXPECTED, ids=[a for a, _ in EXPECTED])
def test_each_change_is_audited_with_who_when_and_from_where(
    session: dict[str, Any], action: str, actor: str
) -> None:
    found = [e for e in session["audit"] if e["action"] == action]
    assert found, f"{action} is not audited"
    event = found[0]
    assert event["actor"] == actor and event["source"].endswith("127.0.0.1") and event["at"]


def test_agent_token_changes_and_refusals_are_audited(session: dict[str, Any]) -> None:
    assert session["agents_wired"], "the agents API must be mounted in vigie up"
    actions = {e["action"] for e in session["audit"]}
    assert {"agent.token.add", "agent.token.rotate", "agent.token.revoke"} <= actions
    assert "agent.denied" in actions


def test_the_audit_log_is_kept_twelve_months(store: Store) -> None:
    (engine,) = store.query(
        "SELECT engine_full FROM system.tables WHERE database = {d:String} AND name = 'audit_log'",
        {"d": store.database},
    )[0]
    assert re.search(r"TTL toDateTime\(at\) \+ toIntervalMonth\(12\)", engine), engine
