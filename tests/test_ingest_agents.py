"""Operators see rejections per agent: the store's `ingest_agents`, `/metrics`, `vigie ingest
status` (its API answer) and the UI's collector page, from real SDK exports over OTLP/HTTP."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx
from fastapi import FastAPI
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import (
    ExportMetricsServiceResponse,
)
from prometheus_client import CollectorRegistry

from collector.agent_auth import AgentAuth, AgentTokens
from collector.export import ExportService
from collector.http import create_otlp_router
from collector.limits import Limits
from collector.model import Rejection
from collector.selfmetrics import MAX_AGENTS, SelfMetrics
from collector.writer import BatchWriter
from dashboards.pages.collector import agents_table
from people.model import Principal, Role
from store.audit import AuditLog
from store.client import Store
from store.counts import CountsReader
from store.intake import agents
from store.registry import load_registry
from tests.fixtures.otlp.peers import wall_clock
from tests.fixtures.otlp.sdk import LYON, PARIS, metrics_request, resource, setups
from vigie.api.core import ingest_report

PROTOBUF = {"Content-Type": "application/x-protobuf"}
KNOWN = frozenset(load_registry().ids())


def test_an_unknown_outcome_names_the_agent_that_sends_it_everywhere_an_operator_looks(
    store: Store,
) -> None:
    clock = wall_clock()  # the SDK stamps its points with the wall clock
    audit = AuditLog(store, clock)
    tokens = AgentTokens(store, clock, audit, KNOWN)
    registry = CollectorRegistry()
    auth = AgentAuth(tokens, audit, clock, registry)
    paris, paris_secret = tokens.add([PARIS], "gw-paris", "boss")
    lyon, lyon_secret = tokens.add([LYON], "gw-lyon", "boss")
    good = metrics_request(setups({"success": 5, "failed": 1}), resource(PARIS))
    odd = metrics_request(
        setups({"success": 2, "maybe": 3}), resource(LYON, service_instance_id="gw-9")
    )

    async def run() -> list[ExportMetricsServiceResponse]:
        metrics = SelfMetrics(registry)
        writer = BatchWriter(store, metrics, clock, batch_max_delay_s=0)
        await writer.start()
        app = FastAPI()
        service = ExportService(writer, KNOWN, Limits(), metrics, clock, auth)
        app.include_router(create_otlp_router(service))
        answers = []
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://otlp") as client:
            for body, secret in ((good, paris_secret), (odd, lyon_secret)):
                headers = {**PROTOBUF, "Authorization": f"Bearer {secret}"}
                answer = await client.post(
                    "/v1/metrics", content=body.SerializeToString(), headers=headers
                )
                assert answer.status_code == 200
                answers.append(ExportMetricsServiceResponse.FromString(answer.content))
        await writer.close()
        return answers

    answers = asyncio.run(run())
    assert answers[1].partial_success.rejected_data_points == 1
    assert "attribute_value=1" in answers[1].partial_success.error_message
    # The store: per agent (token id) and SAMU.
    since = clock.now() - timedelta(minutes=5)
    found = {(a.agent, a.samu_id): a for a in agents(store, since)}
    assert set(found) == {(paris.id, PARIS), (lyon.id, LYON)}
    assert (found[paris.id, PARIS].accepted, found[paris.id, PARIS].rejected) == (2, {})
    odd_agent = found[lyon.id, LYON]
    assert (odd_agent.accepted, odd_agent.rejected) == (1, {"attribute_value": 1})
    assert odd_agent.last_rejection.startswith(
        "attribute_value (samu.call.setups, attribute outcome)"
    )
    assert "maybe" not in odd_agent.last_rejection  # never a value
    assert odd_agent.last_rejection_at is not None
    # The older per-SAMU view of refusals is fed from the same rows.
    rows = store.query(
        "SELECT reason, samu_id, sum(count) FROM {db}.ingest_rejections GROUP BY 1, 2"
    )
    assert rows == [("attribute_value", LYON, 1)]
    # /metrics: labelled by agent, SAMU and reason.
    labels = {"agent": lyon.id, "samu": LYON, "reason": "attribute_value"}
    assert registry.get_sample_value("vigie_ingest_points_rejected_total", labels) == 1
    accepted = {"agent": paris.id, "samu": PARIS}
    assert registry.get_sample_value("vigie_ingest_points_accepted_total", accepted) == 2
    # `vigie ingest status` and /api/v1/ingest/status print this answer.
    report = ingest_report(CountsReader(store), load_registry(), since)
    (entry,) = [a for a in report["agents"] if a["agent"] == lyon.id]
    assert entry["rejected"] == {"attribute_value": 1} and entry["accepted"] == 1
    assert "attribute outcome" in entry["last_rejection"]
    # The UI's collector page: the rejecting agent first; a Paris-scoped person sees Paris only.
    table = agents_table(agents(store, since), "en")
    first_row = table.children[1].children[0]
    assert first_row.children[0].children == lyon.id
    scoped = Principal("p1", "p1", frozenset({Role.VIEWER}), frozenset({PARIS}), "session")
    assert [a.samu_id for a in agents(store, since) if scoped.can_see(a.samu_id)] == [PARIS]


def test_without_agent_tokens_the_agent_is_the_sender_instance(store: Store) -> None:
    clock = wall_clock()
    body = metrics_request(setups({"success": 1}, operator="x"), resource(PARIS))

    async def run() -> None:
        writer = BatchWriter(store, None, clock, batch_max_delay_s=0)
        await writer.start()
        service = ExportService(writer, KNOWN, Limits(), SelfMetrics(CollectorRegistry()), clock)
        decoded = service.decode_sync("metrics", body.SerializeToString(), "protobuf")
        await service.ingest("metrics", decoded)
        await writer.close()

    asyncio.run(run())
    (found,) = agents(store, clock.now() - timedelta(minutes=5))
    assert (found.agent, found.samu_id, found.rejected) == (
        "instance:gw-1",
        PARIS,
        {"attribute_not_allowed": 1},
    )
    assert found.last_rejection.startswith(
        "attribute_not_allowed (samu.call.setups, attribute operator)"
    )


def test_metric_labels_stay_bounded_whatever_the_senders_say() -> None:
    registry = CollectorRegistry()
    metrics = SelfMetrics(registry)
    for n in range(MAX_AGENTS + 50):
        metrics.intake(f"instance:gw-{n}", [(PARIS, 1)], [])
    metrics.intake("instance:x", [], [Rejection("unknown_samu", 2, "fr.health.samu999zz")])
    metrics.intake("instance:x", [], [Rejection("made_up_reason", 1, PARIS)])
    agents_seen = {
        s.labels["agent"]
        for m in registry.collect()
        if m.name == "vigie_ingest_points_accepted"
        for s in m.samples
    }
    assert len(agents_seen) == MAX_AGENTS + 1 and "other" in agents_seen
    other = {"agent": "other", "samu": "unknown", "reason": "unknown_samu"}
    assert registry.get_sample_value("vigie_ingest_points_rejected_total", other) == 2
    made_up = {"agent": "other", "samu": PARIS, "reason": "other"}
    assert registry.get_sample_value("vigie_ingest_points_rejected_total", made_up) == 1


def test_the_collector_page_says_when_nothing_arrived() -> None:
    table = agents_table([], "en")
    assert table.children == "Nothing received in the last hour."
