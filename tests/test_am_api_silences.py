"""Silences, status, reload and maintenance windows over the API, with validation and audit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi import FastAPI
from fastapi.testclient import TestClient

from alerts.am_api import create_am_router
from alerts.config import load_config
from alerts.notify import RecordingSink
from alerts.service import AlertingService
from store.audit import AuditLog
from store.client import Store
from store.clock import FakeClock

DATA = Path(__file__).parent / "data" / "alerting"
NOW = datetime(2026, 3, 10, 10, 0, tzinfo=UTC)
PARIS = "fr.health.samu075"
REGIONS = {PARIS: "Île-de-France", "fr.health.samu013": "Provence-Alpes-Côte d'Azur"}
USER = {"X-Vigie-User": "marie.noc"}
SAMU_MATCHER = {"name": "samu", "value": PARIS, "isRegex": False, "isEqual": True}


def api(store: Store) -> tuple[TestClient, AlertingService, FakeClock, AuditLog]:
    clock = FakeClock(NOW)
    audit = AuditLog(store, clock)
    svc = AlertingService(
        store,
        load_config(DATA / "pipeline.yml"),
        RecordingSink(),
        clock,
        audit=audit,
        regions=REGIONS,
        watchdog_interval=None,
    )
    app = FastAPI()
    app.include_router(create_am_router(svc, clock))
    return TestClient(app), svc, clock, audit


def body(matchers: list[dict[str, Any]] | None = None, **over: Any) -> dict[str, Any]:
    return {
        "matchers": [SAMU_MATCHER] if matchers is None else matchers,
        "startsAt": "2026-03-10T09:00:00Z",
        "endsAt": "2026-03-10T12:00:00Z",
        "createdBy": "marie.noc",
        "comment": "bascule du SBC de Paris",
        **over,
    }


def test_a_silence_is_created_listed_and_expired_with_an_audit_trail(store: Store) -> None:
    client, _, clock, audit = api(store)
    created = client.post("/api/v2/silences", json=body(), headers=USER)
    assert created.status_code == 200
    sid = created.json()["silenceID"]
    listed = client.get("/api/v2/silences").json()
    assert [(s["id"], s["status"]["state"]) for s in listed] == [(sid, "active")]
    assert listed[0]["startsAt"] == "2026-03-10T10:00:00.000Z"  # a past start becomes now
    assert listed[0]["matchers"] == [SAMU_MATCHER]
    assert client.get(f"/api/v2/silence/{sid}").json()["createdBy"] == "marie.noc"

    assert client.delete(f"/api/v2/silence/{sid}", headers=USER).status_code == 200
    clock.advance(timedelta(seconds=1))
    assert client.get(f"/api/v2/silence/{sid}").json()["status"]["state"] == "expired"
    again = client.delete(f"/api/v2/silence/{sid}", headers=USER)
    assert again.status_code == 400 and "already expired" in again.json()["detail"]
    actions = [(e.actor, e.action, e.source) for e in reversed(audit.query())]
    assert actions == [
        ("marie.noc", "silence.created", "testclient"),
        ("marie.noc", "silence.expired", "testclient"),
    ]


def test_updating_an_active_silence_end_keeps_its_id_and_changing_matchers_replaces_it(
    store: Store,
) -> None:
    client, _, _, _ = api(store)
    sid = client.post("/api/v2/silences", json=body()).json()["silenceID"]
    start = client.get(f"/api/v2/silence/{sid}").json()["startsAt"]
    longer = client.post(
        "/api/v2/silences", json=body(id=sid, startsAt=start, endsAt="2026-03-10T14:00:00Z")
    )
    assert longer.json()["silenceID"] == sid
    other = {"name": "alertname", "value": "Call.*", "isRegex": True, "isEqual": True}
    replaced = client.post("/api/v2/silences", json=body([SAMU_MATCHER, other], id=sid))
    new_id = replaced.json()["silenceID"]
    assert new_id != sid
    states = {s["id"]: s["status"]["state"] for s in client.get("/api/v2/silences").json()}
    assert states[new_id] == "active"


@pytest.mark.parametrize(
    ("payload", "status", "message"),
    [
        (body([]), 400, "at least one matcher required"),
        (
            body([{"name": "samu", "value": ".*", "isRegex": True, "isEqual": True}]),
            400,
            "at least one matcher must not match the empty string",
        ),
        (body([{"name": "samu", "value": "(", "isRegex": True}]), 400, "error parsing regexp"),
        (body(endsAt="2026-03-10T08:00:00Z"), 400, "start time must be before end time"),
        (
            body(startsAt="2026-03-10T07:00:00Z", endsAt="2026-03-10T08:00:00Z"),
            400,
            "end time can't be in the past",
        ),
        (body(comment=""), 400, "comment missing"),
        ({"matchers": [SAMU_MATCHER]}, 400, "startsAt: Field required"),
        (body(id="no-such-silence"), 404, "not found"),
    ],
    ids=[
        "no matcher",
        "matches everything",
        "bad regex",
        "ends before it starts",
        "ends in the past",
        "no comment",
        "missing times",
        "unknown id to update",
    ],
)
def test_an_invalid_silence_is_refused_with_the_reason(
    store: Store, payload: dict[str, Any], status: int, message: str
) -> None:
    client, _, _, _ = api(store)
    response = client.post("/api/v2/silences", json=payload)
    assert response.status_code == status
    assert message in response.json()


def test_an_unknown_silence_is_a_404(store: Store) -> None:
    client, _, _, _ = api(store)
    assert client.get("/api/v2/silence/nope").status_code == 404
    assert client.delete("/api/v2/silence/nope").status_code == 404


def test_silences_are_filtered_by_their_matchers(store: Store) -> None:
    client, _, _, _ = api(store)
    client.post("/api/v2/silences", json=body())
    other = {"name": "samu", "value": "fr.health.samu013", "isRegex": False, "isEqual": True}
    client.post("/api/v2/silences", json=body([other]))
    found = client.get("/api/v2/silences", params={"filter": f'samu="{PARIS}"'}).json()
    assert [s["matchers"][0]["value"] for s in found] == [PARIS]


def test_status_says_ready_and_gives_the_original_config(store: Store) -> None:
    client, _, _, _ = api(store)
    status = client.get("/api/v2/status").json()
    assert status["cluster"]["status"] == "ready"
    written = yaml.safe_load((DATA / "pipeline.yml").read_text())
    for receiver in written["receivers"]:
        for webhook in receiver.get("webhook_configs", []):
            webhook["url"] = "<secret>"  # as Alertmanager shows a webhook URL
    assert yaml.safe_load(status["config"]["original"]) == written
    assert status["uptime"] == "2026-03-10T10:00:00.000Z"
    assert status["versionInfo"]["version"]


def test_reload_applies_a_valid_config_and_refuses_a_bad_one(store: Store) -> None:
    client, svc, _, audit = api(store)
    bad = client.post(
        "/api/v1/alerting/reload",
        content=(DATA / "bad_undefined_receiver.yml").read_text(),
        headers=USER,
    )
    assert bad.status_code == 400
    assert any("undefined receiver" in p for p in bad.json()["problems"])
    assert svc.config.route.opts.receiver == "noc"
    good = client.post(
        "/api/v1/alerting/reload", content=(DATA / "other_receiver.yml").read_text(), headers=USER
    )
    assert good.json() == {"status": "success"}
    assert svc.config.route.opts.receiver == "astreinte"
    assert "astreinte" in client.get("/api/v2/status").json()["config"]["original"]
    outcomes = [e.details["ok"] for e in reversed(audit.query(action="alerting.reload"))]
    assert outcomes == [False, True]


def maintenance(**over: Any) -> dict[str, Any]:
    return {
        "title": "Bascule Genesys Paris",
        "samu_ids": [PARIS],
        "starts_at": "2026-03-10T23:00:00+01:00",
        "duration": "2h",
        "approved_by": "directeur ANS",
        "reason": "mise à jour SBC",
        **over,
    }


def test_a_maintenance_window_is_planned_listed_and_cancelled(store: Store) -> None:
    client, svc, _, audit = api(store)
    created = client.post("/api/v1/maintenance", json=maintenance(), headers=USER)
    assert created.status_code == 201
    window = created.json()
    assert window["created_by"] == "marie.noc" and window["duration_s"] == 7200
    assert window["next"] == ["2026-03-10T22:00:00+00:00", "2026-03-11T00:00:00+00:00"]
    assert [w["id"] for w in client.get("/api/v1/maintenance").json()] == [window["id"]]
    assert svc.maintenance.list()[0].approved_by == "directeur ANS"  # what the SLO engine reads
    cancelled = client.delete(f"/api/v1/maintenance/{window['id']}", headers=USER)
    assert cancelled.json()["cancelled"] is True and cancelled.json()["next"] is None
    assert client.delete("/api/v1/maintenance/nope").status_code == 404
    actions = [e.action for e in reversed(audit.query())]
    assert actions == ["maintenance.created", "maintenance.cancelled"]


@pytest.mark.parametrize(
    ("over", "message"),
    [
        ({"ends_at": "2026-03-11T01:00:00+01:00"}, "exactly one of duration or ends_at"),
        ({"duration": "2 hours"}, "not a valid duration"),
        ({"starts_at": "2026-03-10T23:00:00"}, "needs a time zone"),
        ({"approved_by": ""}, "approved_by"),
        ({"samu_ids": ["fr.health.samu999"]}, "unknown SAMU or region: fr.health.samu999"),
        ({"rrule": "FREQ=SOMETIMES"}, "bad RRULE"),
        ({"timezone": "Europe/Lutece"}, "unknown time zone"),
        ({"colour": "red"}, "Extra inputs are not permitted"),
    ],
    ids=[
        "both duration and end",
        "bad duration",
        "naive start",
        "no approver",
        "unknown SAMU",
        "bad RRULE",
        "bad time zone",
        "unknown field",
    ],
)
def test_an_invalid_maintenance_window_is_a_400_with_the_reason(
    store: Store, over: dict[str, Any], message: str
) -> None:
    client, _, _, _ = api(store)
    response = client.post("/api/v1/maintenance", json=maintenance(**over))
    assert response.status_code == 400
    assert message in response.json()["detail"]
