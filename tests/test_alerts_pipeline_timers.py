"""Grouping timers as Alertmanager's (group_wait, group_interval, repeat_interval) on a FakeClock,
and a restart on the same database that does not page again."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from alerts.config import load_config
from alerts.model import Alert
from alerts.notify import RecordingSink
from alerts.service import AlertingService
from store.client import Store
from store.clock import FakeClock

CONFIG = Path(__file__).parent / "data" / "alerting" / "pipeline.yml"
NOW = datetime(2026, 3, 10, 10, 0, tzinfo=UTC)  # 11:00 in Paris, outside the "nuit" interval
S = timedelta(seconds=1)
M = timedelta(minutes=1)


def service(store: Store, clock: FakeClock, sink: RecordingSink) -> AlertingService:
    return AlertingService(store, load_config(CONFIG), sink, clock, watchdog_interval=None)


def alert(
    clock: FakeClock,
    name: str = "CallSetupFailing",
    samu: str = "fr.health.samu075",
    ends_in: timedelta | None = None,
) -> Alert:
    labels = {"alertname": name, "samu": samu, "severity": "page"}
    ends = None if ends_in is None else clock.now() + ends_in
    return Alert(labels, clock.now(), ends, {"summary": "Échecs d'établissement d'appel"})


def tick(svc: AlertingService) -> None:
    asyncio.run(svc.tick())


def sent(sink: RecordingSink) -> list[tuple[str, int, int]]:
    """(receiver, firing, resolved) of every notification so far."""
    return [(n.receiver, len(n.firing), len(n.resolved)) for n in sink.notifications]


@pytest.mark.parametrize(
    ("waited", "expected"),
    [
        (29 * S, []),
        (30 * S, [("noc", 1, 0)]),
        (4 * M, [("noc", 1, 0)]),
    ],
    ids=["nothing before group_wait", "one at group_wait", "still one minutes later"],
)
def test_a_new_group_waits_group_wait_then_notifies_once(
    store: Store, waited: timedelta, expected: list[tuple[str, int, int]]
) -> None:
    clock, sink = FakeClock(NOW), RecordingSink()
    svc = service(store, clock, sink)
    svc.put([alert(clock)])
    tick(svc)
    clock.advance(waited)
    tick(svc)
    assert sent(sink) == expected


def test_an_alert_joining_a_flushed_group_waits_for_the_next_group_interval(store: Store) -> None:
    clock, sink = FakeClock(NOW), RecordingSink()
    svc = service(store, clock, sink)
    svc.put([alert(clock, ends_in=timedelta(hours=1))])
    clock.advance(30 * S)
    tick(svc)
    clock.advance(M)
    second = {"alertname": "CallSetupFailing", "samu": "fr.health.samu075", "component": "sbc"}
    svc.put([Alert(second, clock.now(), NOW + timedelta(hours=1))])
    tick(svc)
    assert sent(sink) == [("noc", 1, 0)]
    clock.advance(4 * M)  # 5 minutes after the first flush
    tick(svc)
    assert sent(sink) == [("noc", 1, 0), ("noc", 2, 0)]


def test_an_unchanged_group_is_repeated_only_after_repeat_interval(store: Store) -> None:
    clock, sink = FakeClock(NOW), RecordingSink()
    svc = service(store, clock, sink)
    labels = {"alertname": "CallSetupFailing", "samu": "fr.health.samu075"}
    svc.put([Alert(labels, NOW, NOW + 10 * M)])
    clock.advance(30 * S)
    tick(svc)
    for _ in range(50):  # Prometheus keeps re-sending; the group flushes every 5 minutes
        clock.advance(5 * M)
        svc.put([Alert(labels, NOW, clock.now() + 10 * M)])
        tick(svc)
    first, second = sink.notifications  # the first flush after 4 h, not one before
    assert second.at - first.at == timedelta(hours=4, minutes=5)


def test_a_resolved_alert_is_sent_once_as_resolved_then_leaves_its_group(store: Store) -> None:
    clock, sink = FakeClock(NOW), RecordingSink()
    svc = service(store, clock, sink)
    svc.put([alert(clock)])
    clock.advance(30 * S)
    tick(svc)
    svc.put([alert(clock, ends_in=timedelta(0))])  # Prometheus sends the end time
    clock.advance(5 * M)
    tick(svc)
    clock.advance(5 * M)
    tick(svc)
    assert sent(sink) == [("noc", 1, 0), ("noc", 0, 1)]
    assert svc.groups() == []


def test_an_alert_without_end_resolves_after_resolve_timeout(store: Store) -> None:
    clock, sink = FakeClock(NOW), RecordingSink()
    svc = service(store, clock, sink)
    svc.put([alert(clock)])  # no endsAt: resolve_timeout (5m) applies
    clock.advance(30 * S)
    tick(svc)
    clock.advance(5 * M)
    tick(svc)
    assert sent(sink) == [("noc", 1, 0), ("noc", 0, 1)]
    kinds = [e.kind for e in svc.events.query()]
    assert kinds.count("alert.firing") == 1 and kinds.count("alert.resolved") == 1


def test_an_alert_older_than_group_wait_is_notified_at_once(store: Store) -> None:
    clock, sink = FakeClock(NOW), RecordingSink()
    svc = service(store, clock, sink)
    old = Alert({"alertname": "HeartbeatLost", "samu": "fr.health.samu013"}, NOW - 10 * M)
    svc.put([old])
    tick(svc)
    assert sent(sink) == [("noc", 1, 0)]


def test_a_restarted_service_does_not_page_again_within_repeat_interval(store: Store) -> None:
    clock, sink = FakeClock(NOW), RecordingSink()
    first = service(store, clock, sink)
    first.put([alert(clock, ends_in=timedelta(hours=6))])
    clock.advance(30 * S)
    tick(first)
    assert sent(sink) == [("noc", 1, 0)]

    clock.advance(10 * M)
    again = RecordingSink()
    second = service(store, clock, again)  # a new process on the same database
    assert [s.alert.labels["alertname"] for s in second.alerts.all()] == ["CallSetupFailing"]
    for _ in range(12):  # the next hour
        tick(second)
        clock.advance(5 * M)
    assert again.notifications == []

    clock.set(NOW + timedelta(hours=4, minutes=1))  # the first notification was at NOW + 30 s
    tick(second)
    assert sent(again) == [("noc", 1, 0)]


def test_a_restart_still_sends_the_resolution_of_a_notified_alert(store: Store) -> None:
    clock, sink = FakeClock(NOW), RecordingSink()
    first = service(store, clock, sink)
    first.put([alert(clock, ends_in=timedelta(hours=1))])
    clock.advance(30 * S)
    tick(first)
    first.put([alert(clock, ends_in=timedelta(0))])

    clock.advance(M)
    again = RecordingSink()
    second = service(store, clock, again)
    tick(second)
    assert sent(again) == [("noc", 0, 1)]
