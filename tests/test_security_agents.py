"""Agent authentication: tokens bound to SAMU ids, hashed, rotatable; 401/403 counted, audited."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import grpc
import pytest
from click.testing import CliRunner
from fastapi import FastAPI
from opentelemetry.proto.collector.metrics.v1 import metrics_service_pb2
from opentelemetry.sdk.metrics.export import MetricExportResult
from prometheus_client import CollectorRegistry
from starlette.testclient import TestClient

from collector.agent_auth import AgentAuth, AgentTokens
from collector.export import ExportService
from collector.grpc_server import create_grpc_server
from collector.http import create_otlp_router
from collector.limits import Limits
from collector.selfmetrics import SelfMetrics
from collector.simulator.runner import make_exporter
from people.model import Role
from store.audit import AuditLog
from store.client import Store
from store.clock import FakeClock
from store.migrations import migrate
from tests.fixtures.otlp.peers import RecordingSink, serving, wall_clock
from tests.fixtures.otlp.sdk import (
    AJACCIO,
    KNOWN_SAMU,
    LYON,
    PARIS,
    a_bit_of_everything,
    metrics_data,
    metrics_request,
    resource,
    setups,
)
from tests.people_factory import NOW, add, app_for, people_service
from vigie.api.agents import create_agents_router
from vigie.commands.agents_cmds import agents
from vigie.schema import all_migrations

ROOT = Path(__file__).resolve().parent.parent
PROTOBUF = {"Content-Type": "application/x-protobuf"}


@dataclass
class Rig:
    """An OTLP/HTTP receiver behind agent authentication, on a test store and a fake clock."""

    store: Store
    clock: FakeClock
    tokens: AgentTokens
    auth: AgentAuth
    sink: RecordingSink
    client: TestClient
    registry: CollectorRegistry

    def post(self, body: bytes, secret: str | None) -> Any:
        headers = dict(PROTOBUF)
        if secret is not None:
            headers["Authorization"] = f"Bearer {secret}"
        return self.client.post("/v1/metrics", content=body, headers=headers)

    def refusals(self, reason: str, transport: str = "http") -> float:
        labels = {"transport": transport, "reason": reason}
        value = self.registry.get_sample_value("vigie_collector_agent_refusals_total", labels)
        return value or 0.0


def agent_store(store: Store) -> Store:
    migrate(store, migrations=all_migrations())
    return store


@pytest.fixture
def rig(store: Store) -> Rig:
    agent_store(store)
    clock = wall_clock()  # the SDK stamps points with the wall clock
    audit = AuditLog(store, clock)
    tokens = AgentTokens(store, clock, audit, KNOWN_SAMU)
    registry = CollectorRegistry()
    auth = AgentAuth(tokens, audit, clock, registry)
    sink = RecordingSink()
    app = FastAPI()
    metrics = SelfMetrics(registry)
    app.include_router(
        create_otlp_router(ExportService(sink, KNOWN_SAMU, Limits(), metrics, clock, auth))
    )
    return Rig(store, clock, tokens, auth, sink, TestClient(app), registry)


def body_for(*samu: str) -> bytes:
    requests = [metrics_request(setups({"success": 3}), resource(s)) for s in samu]
    merged = requests[0]
    for extra in requests[1:]:
        merged.resource_metrics.extend(extra.resource_metrics)
    return bytes(merged.SerializeToString())


def test_a_token_is_stored_only_as_a_digest_and_its_secret_is_shown_once(rig: Rig) -> None:
    token, secret = rig.tokens.add([PARIS], "gw-paris-1", "boss")
    assert secret.startswith("vga_") and len(secret) > 40
    rows = rig.store.query("SELECT * FROM {db}.agent_tokens")
    assert secret not in str(rows)
    assert token.digest == hashlib.sha256(secret.encode()).hexdigest() in str(rows)
    assert secret not in str(rig.store.query("SELECT * FROM {db}.audit_log"))
    assert "digest" not in token.public() and token.digest not in repr(token)


@pytest.mark.parametrize(
    ("bound", "sent", "status"),
    [
        ((PARIS,), (PARIS,), 200),
        ((PARIS,), (LYON,), 403),
        ((PARIS, LYON), (PARIS, LYON), 200),
        ((PARIS,), (PARIS, LYON), 403),
        ((PARIS,), ("fr.health.samu999",), 403),
        ((AJACCIO,), (AJACCIO,), 200),
    ],
    ids=[
        "its own SAMU is accepted",
        "another SAMU is refused",
        "a token bound to two SAMU writes both",
        "one foreign SAMU in a batch refuses the whole batch",
        "a SAMU outside the registry is refused too",
        "Corsican ids (2A) work",
    ],
)
def test_a_token_writes_only_the_samu_it_is_bound_to(
    rig: Rig, bound: tuple[str, ...], sent: tuple[str, ...], status: int
) -> None:
    _, secret = rig.tokens.add(bound, "agent", "boss")
    response = rig.post(body_for(*sent), secret)
    assert response.status_code == status
    assert (len(rig.sink.received) == 1) == (status == 200), "a 403 writes nothing"
    assert rig.refusals("samu_not_allowed") == (1.0 if status == 403 else 0.0)


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        (None, "missing_token"),
        ("Bearer vga_not-a-token", "invalid_token"),
        ("Bearer vgt_a-people-token", "invalid_token"),
        ("Basic dXNlcjpwYXNz", "invalid_token"),
        ("Bearer " + "x" * 5000, "invalid_token"),
    ],
    ids=["no header", "an unknown token", "a person's API token", "basic auth", "a huge value"],
)
def test_without_a_valid_token_the_answer_is_401_before_the_body_is_read(
    rig: Rig, header: str | None, reason: str
) -> None:
    headers = dict(PROTOBUF) | ({"Authorization": header} if header is not None else {})
    response = rig.client.post("/v1/metrics", content=body_for(PARIS), headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert rig.sink.received == []
    assert rig.refusals(reason) == 1.0


def test_rotation_and_revocation_take_effect_at_once_in_the_process(rig: Rig) -> None:
    token, old = rig.tokens.add([PARIS], "gw", "boss")
    assert rig.post(body_for(PARIS), old).status_code == 200
    _, new = rig.tokens.rotate(token.id, "boss")
    assert [rig.post(body_for(PARIS), s).status_code for s in (old, new)] == [401, 200]
    rig.tokens.revoke(token.id, "boss")
    assert rig.post(body_for(PARIS), new).status_code == 401
    audited = [e.action for e in reversed(AuditLog(rig.store, rig.clock).query(limit=20))]
    assert [a for a in audited if a.startswith("agent.token")] == [
        "agent.token.add",
        "agent.token.rotate",
        "agent.token.revoke",
    ]


def test_a_change_made_by_another_process_is_seen_within_the_refresh_delay(store: Store) -> None:
    agent_store(store)
    clock = FakeClock(NOW)
    audit = AuditLog(store, clock)
    auth = AgentAuth(
        AgentTokens(store, clock, audit, KNOWN_SAMU),
        audit,
        clock,
        CollectorRegistry(),
        refresh_s=10.0,
    )
    auth.refresh()
    elsewhere = AgentTokens(store, clock, audit, KNOWN_SAMU)  # e.g. the CLI on a server DSN
    _, secret = elsewhere.add([PARIS], "new", "boss")
    assert auth.lookup(secret) is None
    clock.advance(timedelta(seconds=10))
    assert auth._stale()
    auth.refresh()
    found = auth.lookup(secret)
    assert found is not None and found.samu_ids == (PARIS,)


def test_refusals_are_audited_at_most_once_a_minute_per_token_and_reason(rig: Rig) -> None:
    _, secret = rig.tokens.add([PARIS], "gw", "boss")
    for _ in range(50):
        assert rig.post(body_for(LYON), secret).status_code == 403
        assert rig.post(body_for(PARIS), "vga_wrong").status_code == 401
    audit = AuditLog(rig.store, rig.clock)
    denied = audit.query(action="agent.denied")
    assert sorted(e.details["reason"] for e in denied) == ["invalid_token", "samu_not_allowed"]
    assert rig.refusals("samu_not_allowed") == 50.0 and rig.refusals("invalid_token") == 50.0
    rig.clock.advance(timedelta(seconds=61))
    assert rig.post(body_for(LYON), secret).status_code == 403
    latest = audit.query(action="agent.denied")[0]
    assert latest.details["folded"] == 49 and latest.details["samu_ids"] == [LYON]
    assert latest.actor.startswith("agent:") and latest.source == "testclient"


def test_an_ephemeral_token_works_in_memory_and_is_never_stored(rig: Rig) -> None:
    secret = rig.auth.mint_ephemeral(sorted(KNOWN_SAMU), "vigie up --simulate")
    assert rig.post(body_for(PARIS, LYON), secret).status_code == 200
    assert rig.tokens.list() == []
    assert secret not in str(rig.store.query("SELECT * FROM {db}.audit_log"))


def test_the_grpc_receiver_checks_the_authorization_metadata(rig: Rig) -> None:
    import asyncio
    import threading

    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    metrics = SelfMetrics(CollectorRegistry())

    async def start() -> tuple[grpc.aio.Server, int]:
        server = create_grpc_server(
            ExportService(rig.sink, KNOWN_SAMU, Limits(), metrics, rig.clock, rig.auth), None
        )
        port = server.add_insecure_port("127.0.0.1:0")
        await server.start()
        return server, port

    server, port = asyncio.run_coroutine_threadsafe(start(), loop).result(timeout=10)
    _, secret = rig.tokens.add([PARIS], "gw", "boss")
    channel = grpc.insecure_channel(f"127.0.0.1:{port}")
    try:
        good = make_exporter(f"http://127.0.0.1:{port}", "grpc", 5.0, secret)
        try:
            assert good.export(metrics_data(a_bit_of_everything)) == MetricExportResult.SUCCESS
        finally:
            good.shutdown()
        export = channel.unary_unary(
            "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export",
            request_serializer=lambda m: m.SerializeToString(),
            response_deserializer=metrics_service_pb2.ExportMetricsServiceResponse.FromString,
        )
        codes = []
        for metadata, samu in [((), PARIS), ((("authorization", f"Bearer {secret}"),), LYON)]:
            with pytest.raises(grpc.RpcError) as caught:
                export(metrics_request(setups({"success": 1}), resource(samu)), metadata=metadata)
            codes.append(caught.value.code())
        assert codes == [grpc.StatusCode.UNAUTHENTICATED, grpc.StatusCode.PERMISSION_DENIED]
        assert rig.refusals("missing_token", "grpc") == 1.0
        assert rig.refusals("samu_not_allowed", "grpc") == 1.0
    finally:
        channel.close()
        asyncio.run_coroutine_threadsafe(server.stop(None), loop).result(timeout=10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
        loop.close()
    assert len(rig.sink.received) == 1


def test_the_real_http_exporter_sends_the_token(rig: Rig) -> None:
    _, secret = rig.tokens.add([PARIS], "gw", "boss")
    with serving(rig.client.app) as port:  # type: ignore[arg-type]
        for token, result in [(secret, MetricExportResult.SUCCESS), ("", None)]:
            exporter = make_exporter(f"http://127.0.0.1:{port}", "http", 5.0, token)
            try:
                outcome = exporter.export(metrics_data(a_bit_of_everything))
            finally:
                exporter.shutdown()
            assert outcome == (result or MetricExportResult.FAILURE)


@pytest.fixture
def api(store: Store) -> tuple[TestClient, Any, AgentTokens]:
    agent_store(store)
    people = people_service(store, FakeClock(NOW))
    tokens = AgentTokens(store, people.clock, people.audit, KNOWN_SAMU)
    client = TestClient(app_for(store, people, [create_agents_router(tokens)]))
    return client, people, tokens


def _bearer(people: Any, name: str, role: Role) -> dict[str, str]:
    person = add(people, name, role)
    return {"Authorization": f"Bearer {people.tokens.issue(person, 't', 'test')[1]}"}


def test_admins_manage_agent_tokens_through_the_api_and_others_cannot(
    api: tuple[TestClient, Any, AgentTokens],
) -> None:
    client, people, _ = api
    admin = _bearer(people, "boss", Role.ADMIN)
    viewer = _bearer(people, "vera", Role.VIEWER)
    body = {"samu_ids": [PARIS], "label": "gw-paris"}
    assert client.post("/api/v1/agents", json=body, headers=viewer).status_code == 403
    assert client.get("/api/v1/agents", headers=viewer).status_code == 403
    made = client.post("/api/v1/agents", json=body, headers=admin)
    assert made.status_code == 201 and made.json()["token"].startswith("vga_")
    token_id = made.json()["id"]
    listed = client.get("/api/v1/agents", headers=admin).json()
    assert [t["id"] for t in listed] == [token_id] and "token" not in listed[0]
    rotated = client.post(f"/api/v1/agents/{token_id}/rotate", headers=admin)
    assert rotated.json()["token"] not in (made.json()["token"], "")
    assert client.delete(f"/api/v1/agents/{token_id}", headers=admin).json()["revoked"]
    assert client.post(f"/api/v1/agents/{token_id}/rotate", headers=admin).status_code == 409
    assert client.delete("/api/v1/agents/nope", headers=admin).status_code == 404
    bad = client.post("/api/v1/agents", json={"samu_ids": ["fr.health.samu999"]}, headers=admin)
    assert bad.status_code == 422 and "unknown SAMU" in bad.json()["detail"]
    changes = [e for e in people.audit.query(limit=50) if e.action.startswith("agent.token")]
    assert {(e.actor, e.source) for e in changes} == {("boss", "testclient")}
    assert len(changes) == 3


def test_the_cli_goes_through_a_running_instance(
    api: tuple[TestClient, Any, AgentTokens], tmp_path: Path
) -> None:
    client, people, tokens = api
    admin = _bearer(people, "boss", Role.ADMIN)["Authorization"].removeprefix("Bearer ")
    with serving(client.app) as port:  # type: ignore[arg-type]
        url = f"http://127.0.0.1:{port}"
        runner = CliRunner()
        env = {"VIGIE_DATA_DIR": str(tmp_path)}
        made = runner.invoke(
            agents,
            ["add", "--samu", PARIS, "--samu", LYON, "--url", url, "--token", admin],
            env=env,
        )
        assert made.exit_code == 0, made.output
        secret = made.stdout.strip().splitlines()[-1]
        assert secret.startswith("vga_")
        listed = runner.invoke(
            agents, ["list", "--format", "json", "--url", url, "--token", admin], env=env
        )
        [token] = json.loads(listed.stdout)
        assert token["samu_ids"] == sorted([PARIS, LYON]) and secret not in listed.stdout
        refused = runner.invoke(agents, ["list", "--url", url, "--token", "vgt_bad"], env=env)
        assert refused.exit_code != 0 and "401" in refused.output
    assert tokens.list()[0].id == token["id"]


def _vigie_agents(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    code = "from vigie.commands.agents_cmds import agents; agents(prog_name='vigie agents')"
    env = {**os.environ, "VIGIE_DATA_DIR": str(data_dir), "VIGIE_URL": ""}
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
        check=False,
    )


def test_the_cli_works_on_the_store_when_no_instance_runs(tmp_path: Path) -> None:
    made = _vigie_agents(tmp_path, "add", "--samu", PARIS, "--label", "gw-1")
    assert made.returncode == 0, made.stderr
    secret = made.stdout.strip()
    assert secret.startswith("vga_") and secret not in made.stderr
    token_id = made.stderr.split()[2]
    assert _vigie_agents(tmp_path, "revoke", token_id).returncode == 0
    listed = json.loads(_vigie_agents(tmp_path, "list", "--format", "json").stdout)
    assert [(t["id"], t["revoked"]) for t in listed] == [(token_id, True)]
