"""Webhook notifier against a real HTTP server: Alertmanager's body, retries, attempt log."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry

from alerts.config import parse_config
from alerts.notifiers.attempts import AttemptLog
from alerts.notifiers.registry import NotifierContext, build_integrations, build_sinks
from alerts.notifiers.retry import Backoff, FakeSleeper
from alerts.notifiers.runner import Runner
from alerts.notifiers.selfmetrics import NotifierMetrics
from alerts.notifiers.sink import ReceiverSink
from alerts.notify import Integration, Sink
from store.client import Store
from store.clock import FakeClock
from tests.test_notifier_peers import T0, alert, closed_port_url, http_peer, notification

GOLDEN = Path(__file__).parent / "golden" / "notifier_webhook.json"


def webhook(url: str, extra: str = "") -> Integration:
    config = parse_config(f"""
route: {{receiver: hook}}
receivers:
  - name: hook
    webhook_configs:
      - url: {url}{extra}
""")
    (integration,) = build_integrations(config.receivers["hook"], NotifierContext())
    return integration


def group() -> tuple[object, ...]:
    ended = T0 + dt.timedelta(minutes=3)
    return (
        alert(budget_remaining="0.42", runbook_url="https://wiki.example/rb/S1"),
        alert(alertname="ProbeFailing", ends=ended),
    )


def test_the_body_is_alertmanagers_webhook_json() -> None:
    firing, resolved = group()
    sent = notification(firing, resolved, at=T0 + dt.timedelta(minutes=5))  # type: ignore[arg-type]
    with http_peer(200) as peer:
        delivery = asyncio.run(webhook(peer.url + "/hook").send(sent))
    assert delivery.ok, delivery.detail
    (request,) = peer.requests
    assert request.path == "/hook"
    assert request.headers["Content-Type"] == "application/json"
    if os.environ.get("VIGIE_UPDATE_GOLDEN") == "1":
        GOLDEN.write_text(json.dumps(request.body, indent=2, ensure_ascii=False) + "\n")
    assert request.body == json.loads(GOLDEN.read_text())


def test_max_alerts_truncates_and_counts_the_rest() -> None:
    alerts = [alert(samu=f"fr.health.samu0{n}") for n in ("75", "13", "69")]
    with http_peer(200) as peer:
        asyncio.run(webhook(peer.url, "\n        max_alerts: 2").send(notification(*alerts)))
    body = peer.requests[0].body
    assert (len(body["alerts"]), body["truncatedAlerts"]) == (2, 1)
    assert "samu" not in body["commonLabels"]  # computed over the alerts kept, as Alertmanager


def test_http_config_credentials_are_sent() -> None:
    extra = "\n        http_config: {authorization: {credentials: t0k3n}}"
    with http_peer(200) as peer:
        asyncio.run(webhook(peer.url, extra).send(notification()))
    assert peer.requests[0].headers["Authorization"] == "Bearer t0k3n"


@pytest.mark.parametrize(
    ("case", "statuses", "ok", "attempts", "waits"),
    [
        ("503 twice then 200 takes three attempts", [503, 503, 200], True, 3, [1.0, 2.0]),
        ("429 (rate limited) is retried", [429, 200], True, 2, [1.0]),
        ("400 is not retried", [400], False, 1, []),
        ("a persistent 500 gives up after max_attempts", [500], False, 5, [1.0, 2.0, 4.0, 8.0]),
    ],
)
def test_retries_follow_the_status_codes(
    store: Store, case: str, statuses: list[int], ok: bool, attempts: int, waits: list[float]
) -> None:
    clock = FakeClock(T0)
    sleeper = FakeSleeper(clock)
    log = AttemptLog(store)
    metrics = NotifierMetrics(CollectorRegistry())
    runner = Runner(
        recorder=log, metrics=metrics, clock=clock, sleeper=sleeper, backoff=Backoff(jitter=0)
    )
    with http_peer(*statuses) as peer:
        sink = ReceiverSink("hook", [webhook(peer.url)], runner)
        (delivery,) = asyncio.run(sink.deliver(notification()))
    assert (delivery.ok, delivery.attempts) == (ok, attempts), case
    assert len(peer.requests) == attempts
    assert sleeper.waits == waits
    rows = log.attempts(notification().group_key)
    assert [(r.attempt, r.ok, r.final) for r in rows] == [
        (n, ok and n == attempts, n == attempts) for n in range(1, attempts + 1)
    ]
    assert {(r.receiver, r.integration, r.samu_ids) for r in rows} == {
        ("hook", "webhook[0]", ("fr.health.samu075",))
    }
    result = "delivered" if ok else "failed"
    assert metrics.notifications.labels("webhook", result)._value.get() == 1
    assert sum(s.value for s in _samples(metrics, "vigie_notification_attempts_total")) == attempts


def _samples(metrics: NotifierMetrics, name: str) -> list[object]:
    return [s for m in metrics.attempts.collect() for s in m.samples if s.name == name]


def test_a_refused_connection_is_retried_and_failures_are_queryable(store: Store) -> None:
    clock = FakeClock(T0)
    log = AttemptLog(store)
    backoff = Backoff(max_attempts=2, jitter=0)
    runner = Runner(recorder=log, clock=clock, sleeper=FakeSleeper(clock), backoff=backoff)
    sink = ReceiverSink("hook", [webhook(closed_port_url())], runner)
    (delivery,) = asyncio.run(sink.deliver(notification()))
    assert (delivery.ok, delivery.retryable, delivery.attempts) == (False, True, 2)
    failures = log.recent_failures(T0 - dt.timedelta(minutes=1))
    assert [(f.attempt, f.final) for f in failures] == [(2, True), (1, False)]
    assert "ConnectError" in failures[0].detail and "/hook" not in failures[0].detail  # redacted
    finals = log.recent_failures(T0 - dt.timedelta(minutes=1), final_only=True)
    assert [f.attempt for f in finals] == [2]
    assert log.recent_failures(T0 + dt.timedelta(hours=1)) == []


def test_jitter_is_seeded_and_bounded() -> None:
    import random

    policy = Backoff(jitter=0.2)
    first = list(policy.delays(random.Random("x")))
    assert first == list(policy.delays(random.Random("x")))
    assert all(0.8 * b <= d <= 1.2 * b for d, b in zip(first, [1, 2, 4, 8], strict=True))


def test_retries_stop_at_max_elapsed() -> None:
    clock = FakeClock(T0)
    sleeper = FakeSleeper(clock)
    backoff = Backoff(max_attempts=10, jitter=0, max_elapsed=dt.timedelta(seconds=10))
    with http_peer(503) as peer:
        runner = Runner(clock=clock, sleeper=sleeper, backoff=backoff)
        (delivery,) = asyncio.run(
            ReceiverSink("hook", [webhook(peer.url)], runner).deliver(notification())
        )
    assert sleeper.waits == [1.0, 2.0, 4.0]  # the next wait (8 s) would pass 10 s
    assert delivery.attempts == 4


@pytest.mark.parametrize(
    ("case", "ended", "sent_alerts"),
    [
        ("a group with only resolved alerts is not sent", [True], None),
        ("resolved alerts are dropped from a mixed group", [False, True], 1),
    ],
)
def test_send_resolved_false_sends_firing_alerts_only(
    case: str, ended: list[bool], sent_alerts: int | None
) -> None:
    end = T0 + dt.timedelta(seconds=30)
    alerts = [
        alert(samu=f"fr.health.samu0{n}", ends=end if e else None)
        for n, e in enumerate(ended, start=1)
    ]
    with http_peer(200) as peer:
        hook = webhook(peer.url, "\n        send_resolved: false")
        (delivery,) = asyncio.run(ReceiverSink("hook", [hook]).deliver(notification(*alerts)))
    assert delivery.ok, case
    if sent_alerts is None:
        assert (peer.requests, delivery.attempts) == ([], 0)
    else:
        assert len(peer.requests[0].body["alerts"]) == sent_alerts
        assert peer.requests[0].body["status"] == "firing"


def test_sinks_are_built_for_every_receiver_and_deliver_concurrently() -> None:
    with http_peer(200) as one, http_peer(503, 200) as two:
        config = parse_config(f"""
route: {{receiver: a}}
receivers:
  - name: a
    webhook_configs: [{{url: {one.url}}}, {{url: {two.url}}}]
  - name: b
""")
        clock = FakeClock(T0)
        runner = Runner(clock=clock, sleeper=FakeSleeper(clock))
        sinks = build_sinks(config, NotifierContext(), runner)
        sink: Sink = sinks["a"]  # the pipeline's contract
        deliveries = asyncio.run(sink.deliver(notification(receiver="a")))
    assert sorted(sinks) == ["a", "b"] and sinks["b"].integrations == ()
    assert [(d.integration, d.ok, d.attempts) for d in deliveries] == [
        ("webhook[0]", True, 1),
        ("webhook[1]", True, 2),
    ]
