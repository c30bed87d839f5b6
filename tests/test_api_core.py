from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from prometheus_client import CollectorRegistry

from collector.reference import metrics_reference
from people.model import Principal, Role
from store.audit import AuditLog
from store.client import Store
from store.clock import FakeClock
from store.counts import CountsReader
from store.registry import load_registry
from vigie.api.deps import ApiContext
from vigie.app import create_app

NOW = datetime(2030, 10, 1, 10, 5, tzinfo=UTC)  # in the future: `points` keeps 35 days


def _client(store: Store) -> TestClient:
    clock = FakeClock(NOW)
    ctx = ApiContext(
        store=store,
        registry=load_registry(),
        clock=clock,
        audit=AuditLog(store, clock),
        counts=CountsReader(store),
        metrics=CollectorRegistry(),
    )
    return TestClient(create_app(ctx))


def _insert_setups(store: Store, samu: str, value: float) -> None:
    store.insert(
        "points",
        [
            [
                datetime(2030, 10, 1, 10, 0, 5, tzinfo=UTC),
                NOW,
                samu,
                "samu.call.setups",
                "",
                "success",
                "sum",
                value,
            ]
        ],
        ["ts", "received_at", "samu_id", "metric", "component", "outcome", "kind", "value"],
    )


def test_health_reports_the_store(store: Store) -> None:
    response = _client(store).get("/api/v1/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_liveness_does_not_ask_the_store_readiness_does(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = _client(store)
    monkeypatch.setattr(store, "ping", lambda: False)
    assert client.get("/api/v1/health").status_code == 503
    live = client.get("/api/v1/health/live")
    assert live.status_code == 200 and live.json() == {"status": "ok"}


def test_an_unknown_samu_id_is_a_404_with_the_id(store: Store) -> None:
    response = _client(store).get("/api/v1/samu/fr.health.samu999")
    assert response.status_code == 404
    assert "fr.health.samu999" in response.json()["detail"]


def test_counts_come_back_exact_per_minute(store: Store) -> None:
    _insert_setups(store, "fr.health.samu075", 3)
    _insert_setups(store, "fr.health.samu075", 4)
    response = _client(store).get(
        "/api/v1/samu/fr.health.samu075/counts",
        params={"from": "2030-10-01T10:00:00Z", "to": "2030-10-01T11:00:00Z"},
    )
    assert response.status_code == 200
    assert [(r["metric"], r["outcome"], r["value"]) for r in response.json()] == [
        ("samu.call.setups", "success", 7.0)
    ]


def test_a_counts_range_that_is_backwards_or_too_long_is_refused(store: Store) -> None:
    client = _client(store)
    for start, end in [
        ("2030-10-02T00:00:00Z", "2030-10-01T00:00:00Z"),
        ("2030-09-01T00:00:00Z", "2030-10-01T00:00:00Z"),
    ]:
        response = client.get(
            "/api/v1/samu/fr.health.samu075/counts", params={"from": start, "to": end}
        )
        assert response.status_code == 422


def test_ingest_status_lists_senders_and_silent_samu(store: Store) -> None:
    _insert_setups(store, "fr.health.samu013", 1)
    assert _client(store).get("/api/v1/ingest/status").json()["samu"] == []  # anonymous: none
    app: Any = _client(store).app

    async def national_viewer(request: Any, call_next: Any) -> Any:
        # What the access gate sets for a national viewer (this app has no gate).
        request.state.principal = Principal("p1", "noc", frozenset({Role.VIEWER}), None, "token")
        return await call_next(request)

    app.middleware("http")(national_viewer)
    body = TestClient(app).get("/api/v1/ingest/status", params={"minutes": 15}).json()
    assert [s["samu_id"] for s in body["samu"]] == ["fr.health.samu013"]
    assert "fr.health.samu075" in body["silent"] and "fr.health.samu013" not in body["silent"]


def test_audit_events_are_appended_and_queryable(store: Store) -> None:
    AuditLog(store, FakeClock(NOW)).record("alice", "silence.create", "abc", "127.0.0.1")
    body = _client(store).get("/api/v1/audit", params={"action": "silence.create"}).json()
    assert [(e["actor"], e["target"]) for e in body] == [("alice", "abc")]


def test_openapi_and_metrics_are_served(store: Store) -> None:
    client = _client(store)
    assert "/api/v1/samu/{samu_id}/counts" in client.get("/openapi.json").json()["paths"]
    assert client.get("/metrics").status_code == 200


def test_the_ui_is_served_at_the_root(store: Store) -> None:
    response = _client(store).get("/")
    assert response.status_code == 200
    assert "Vigie 15" in response.text


def test_the_metric_reference_in_docs_is_up_to_date() -> None:
    from pathlib import Path

    doc = Path(__file__).resolve().parent.parent / "docs" / "metrics.md"
    assert doc.read_text() == metrics_reference()


def test_instants_the_store_cannot_hold_are_refused_not_a_500(store: Store) -> None:
    client = _client(store)
    assert client.get("/api/v1/audit", params={"since": "0001-01-01T00:00:00Z"}).status_code == 422
    counts = client.get(
        "/api/v1/samu/fr.health.samu075/counts",
        params={"from": "0001-01-01T00:00:00Z", "to": "0001-01-02T00:00:00Z"},
    )
    assert counts.status_code == 422


def test_the_cli_reports_a_never_started_data_dir_in_one_sentence(tmp_path: object) -> None:
    import subprocess
    import sys
    from pathlib import Path

    data = Path(str(tmp_path)) / "never-started"
    result = subprocess.run(
        [sys.executable, "-m", "vigie.cli", "ingest", "status", "--data-dir", str(data)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and "cannot read the store" in result.stderr
