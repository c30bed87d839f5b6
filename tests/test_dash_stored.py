"""A UI process without the engine (`vigie ui`): the alert, incident and silence state it shows
is read back from the store where the engine's services wrote it, and equals what `vigie up`'s
in-process adapters show; its actions go to the engine's API with the person's session."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from flask import Flask

from alerts.config import load_config
from alerts.model import Alert
from alerts.notify import RecordingContactSender, RecordingSink
from alerts.oncall.config import load_oncall
from alerts.oncall.service import OnCallService
from alerts.service import AlertingService
from dashboards.adapters import AlertingAdapter
from dashboards.stored import ActionFailed, EngineApi, StoredAlerting, StoredIncidents, StoredState
from store.client import Store
from store.clock import FakeClock
from store.registry import load_registry

DATA = Path(__file__).parent / "data"
NOW = datetime(2026, 3, 10, 10, 0, tzinfo=UTC)
LABELS = {"alertname": "CallSetupFailing", "samu": "fr.health.samu075", "severity": "page"}


def engine_services(store: Store, clock: FakeClock) -> tuple[AlertingService, OnCallService]:
    config = load_config(DATA / "alerting" / "pipeline.yml")
    oncall = OnCallService(
        store,
        clock,
        load_oncall(DATA / "oncall" / "oncall.yaml", load_registry()),
        RecordingContactSender(),
    )
    oncall.load()
    return AlertingService(store, config, RecordingSink(), clock, watchdog_interval=None), oncall


def test_the_stored_state_shows_what_the_engine_holds_and_follows_it(store: Store) -> None:
    clock = FakeClock(NOW)
    engine, oncall = engine_services(store, clock)
    engine.put([Alert(LABELS, NOW)])
    state = StoredState(lambda: engine_services(store, clock), ttl_s=3600)
    ui = StoredAlerting(state, EngineApi(""))
    live = AlertingAdapter(engine, oncall)
    assert ui.groups() == live.groups() and len(ui.groups()) == 1
    engine.put([Alert({**LABELS, "samu": "fr.health.samu069"}, NOW)])
    assert len(ui.groups()[0].alerts) + len(ui.groups()) == 2  # cached: not read yet
    state.changed()  # (or the TTL runs out)
    assert ui.groups() == live.groups()
    assert sum(len(g.alerts) for g in ui.groups()) == 2
    assert ui.on_call() == live.on_call()


def test_actions_go_to_the_engine_api_with_the_persons_session() -> None:
    seen: list[httpx.Request] = []

    def engine(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path == "/api/v2/silences":
            return httpx.Response(200, json={"silenceID": "s-42"})
        return httpx.Response(403, text="outside your scope")

    api = EngineApi(
        "http://engine:8000/", client=httpx.Client(transport=httpx.MockTransport(engine))
    )
    with Flask(__name__).test_request_context("/", headers={"Cookie": "vigie_session=abc"}):
        sid = api.create_silence(
            {"samu": "fr.health.samu075"}, NOW + timedelta(hours=2), "x", "alice"
        )
        with pytest.raises(ActionFailed, match="403 outside your scope"):
            api.act("inc-1", "ack")
    assert sid == "s-42"
    body = json.loads(seen[0].content)
    assert body["matchers"] == [
        {"name": "samu", "value": "fr.health.samu075", "isRegex": False, "isEqual": True}
    ]
    assert body["createdBy"] == "alice" and seen[0].headers["cookie"] == "vigie_session=abc"
    assert str(seen[1].url) == "http://engine:8000/api/v1/incidents/inc-1/ack"


def test_without_an_engine_url_an_action_is_refused_in_words(store: Store) -> None:
    clock = FakeClock(NOW)
    state = StoredState(lambda: engine_services(store, clock), ttl_s=60)
    with pytest.raises(ActionFailed, match="VIGIE_ENGINE_URL"):
        StoredAlerting(state, EngineApi("")).expire_silence("s-1", "alice", "ui")
    with pytest.raises(ActionFailed):
        StoredIncidents(state, EngineApi("")).act("nope", "ack", "alice", "ui")
