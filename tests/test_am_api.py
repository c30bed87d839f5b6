"""The Alertmanager-compatible API: Prometheus-shaped posts, validation, filters, groups, silences,
status, reload, and the maintenance-window routes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
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
PARIS, MARSEILLE = "fr.health.samu075", "fr.health.samu013"
REGIONS = {PARIS: "Île-de-France", MARSEILLE: "Provence-Alpes-Côte d'Azur"}
USER = {"X-Vigie-User": "marie.noc"}


def api(store: Store) -> tuple[TestClient, AlertingService, FakeClock]:
    clock = FakeClock(NOW)
    svc = AlertingService(
        store,
        load_config(DATA / "pipeline.yml"),
        RecordingSink(),
        clock,
        audit=AuditLog(store, clock),
        regions=REGIONS,
        watchdog_interval=None,
    )
    app = FastAPI()
    app.include_router(create_am_router(svc, clock))
    return TestClient(app), svc, clock


def prometheus_alert(name: str, samu: str = PARIS, **labels: str) -> dict[str, Any]:
    """One alert exactly as Prometheus 2.x serialises it."""
    return {
        "labels": {"alertname": name, "samu": samu, "severity": "page", **labels},
        "annotations": {"summary": f"{name} sur {samu}", "runbook_url": "https://runbooks/x"},
        "startsAt": "2026-03-10T09:58:30.123456789Z",
        "endsAt": "2026-03-10T10:04:30.123Z",
        "generatorURL": "http://prometheus:9090/graph?g0.expr=vector%281%29&g0.tab=1",
    }


def silence_body(matchers: list[dict[str, Any]], **over: Any) -> dict[str, Any]:
    return {
        "matchers": matchers,
        "startsAt": "2026-03-10T10:00:00Z",
        "endsAt": "2026-03-10T12:00:00Z",
        "createdBy": "marie.noc",
        "comment": "bascule du SBC de Paris",
        **over,
    }


def test_a_prometheus_post_is_accepted_and_listed_as_alertmanager_does(store: Store) -> None:
    client, _, _ = api(store)
    response = client.post("/api/v2/alerts", json=[prometheus_alert("CallSetupFailing")])
    assert response.status_code == 200
    (listed,) = client.get("/api/v2/alerts").json()
    assert listed["labels"]["alertname"] == "CallSetupFailing"
    assert listed["startsAt"] == "2026-03-10T09:58:30.123Z"
    assert listed["endsAt"] == "2026-03-10T10:04:30.123Z"
    assert listed["updatedAt"] == "2026-03-10T10:00:00.000Z"
    assert len(listed["fingerprint"]) == 16
    assert listed["receivers"] == [{"name": "noc"}]
    assert listed["status"] == {
        "state": "active",
        "silencedBy": [],
        "inhibitedBy": [],
        "mutedBy": [],
    }
    assert listed["generatorURL"].startswith("http://prometheus:9090/graph")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("not json", "body is not valid JSON"),
        ({"labels": {"a": "b"}}, "Input should be a valid list"),
        ([{"annotations": {}}], "0.labels: Field required"),
        ([{"labels": {}}], "alert[0]: at least one label pair required"),
        ([{"labels": {"1x": "y"}}], 'alert[0]: invalid label set: invalid name "1x"'),
        ([{"labels": {"a": "b"}, "annotations": {"a-b": "c"}}], 'invalid name "a-b"'),
        (
            [
                {
                    "labels": {"a": "b"},
                    "startsAt": "2026-03-10T10:00:00Z",
                    "endsAt": "2026-03-10T09:00:00Z",
                }
            ],
            "alert[0]: start time must be before end time",
        ),
    ],
    ids=[
        "not JSON",
        "not a list",
        "no labels field",
        "empty label set",
        "bad label name",
        "bad annotation name",
        "ends before it starts",
    ],
)
def test_an_invalid_post_is_a_400_with_the_reason(store: Store, body: Any, message: str) -> None:
    client, _, _ = api(store)
    if isinstance(body, str):
        response = client.post("/api/v2/alerts", content=body)
    else:
        response = client.post("/api/v2/alerts", json=body)
    assert response.status_code == 400
    assert message in response.json()


def test_valid_alerts_of_a_partly_invalid_post_are_kept(store: Store) -> None:
    client, svc, _ = api(store)
    response = client.post("/api/v2/alerts", json=[{"labels": {}}, prometheus_alert("X")])
    assert response.status_code == 400
    assert [s.alert.labels["alertname"] for s in svc.alerts.all()] == ["X"]


def test_alerts_without_times_get_alertmanagers_defaults(store: Store) -> None:
    client, svc, _ = api(store)
    client.post("/api/v2/alerts", json=[{"labels": {"alertname": "NoData"}}])
    (stored,) = svc.alerts.all()
    assert stored.alert.starts_at == NOW
    assert stored.ends_at == NOW + timedelta(minutes=5) and stored.timeout


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["CallSetupFailing/013", "CallSetupFailing/075", "SamuUnreachable/075"]),
        ("?filter=samu%3D%22fr.health.samu075%22", ["CallSetupFailing/075", "SamuUnreachable/075"]),
        ('?filter=alertname=~"Call.*"&filter=samu!="fr.health.samu075"', ["CallSetupFailing/013"]),
        ("?inhibited=false", ["CallSetupFailing/013", "SamuUnreachable/075"]),
        ("?active=false", ["CallSetupFailing/013", "CallSetupFailing/075"]),
        ("?silenced=false", ["CallSetupFailing/075", "SamuUnreachable/075"]),
        ("?receiver=noc", ["CallSetupFailing/013", "CallSetupFailing/075", "SamuUnreachable/075"]),
        ("?receiver=vendor", []),
        ('?filter=team="x"', []),
    ],
    ids=[
        "all",
        "one SAMU",
        "regex and negative matchers",
        "not inhibited",
        "suppressed only",
        "not silenced",
        "by receiver",
        "another receiver",
        "a positive matcher needs the label",
    ],
)
def test_alerts_are_filtered_as_alertmanager_does(
    store: Store, query: str, expected: list[str]
) -> None:
    client, _, _ = api(store)
    client.post(
        "/api/v2/alerts",
        json=[
            prometheus_alert("SamuUnreachable"),
            prometheus_alert("CallSetupFailing"),
            prometheus_alert("CallSetupFailing", MARSEILLE),
        ],
    )
    matcher = {"name": "samu", "value": MARSEILLE, "isRegex": False, "isEqual": True}
    assert client.post("/api/v2/silences", json=silence_body([matcher])).status_code == 200
    response = client.get("/api/v2/alerts" + query)
    assert response.status_code == 200
    found = [f"{a['labels']['alertname']}/{a['labels']['samu'][-3:]}" for a in response.json()]
    assert sorted(found) == expected


def test_a_bad_filter_is_a_400(store: Store) -> None:
    client, _, _ = api(store)
    response = client.get("/api/v2/alerts", params={"filter": "samu=~(unclosed"})
    assert response.status_code == 400
    assert "bad filter" in response.json()["detail"]


def test_groups_list_each_aggregation_group_with_its_receiver(store: Store) -> None:
    client, _, _ = api(store)
    client.post(
        "/api/v2/alerts",
        json=[prometheus_alert("CallSetupFailing", component="sbc"), prometheus_alert("Watchdog")],
    )
    client.post("/api/v2/alerts", json=[prometheus_alert("CallSetupFailing", component="db")])
    groups = client.get("/api/v2/alerts/groups").json()
    summary = [(g["receiver"]["name"], g["labels"], len(g["alerts"])) for g in groups]
    assert summary == [  # by group key: `{}/{alertname="Watchdog"}:…` sorts before `{}:…`
        ("deadman", {"alertname": "Watchdog", "samu": PARIS}, 1),
        ("noc", {"alertname": "CallSetupFailing", "samu": PARIS}, 2),
    ]
