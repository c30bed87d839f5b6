"""The service around the pipeline: reloads, watchdog, failing sinks, events, self-metrics, and
the pure rules it copies from Alertmanager (alert merge, notification-log dedup)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry

from alerts.alertstore import StoredAlert, merge, put_one
from alerts.config import load_config
from alerts.model import Alert
from alerts.nflog import NflogEntry, needs_update
from alerts.notify import Delivery, Notification, RecordingSink
from alerts.service import AlertingService
from store.audit import AuditLog
from store.client import Store
from store.clock import FakeClock

DATA = Path(__file__).parent / "data" / "alerting"
NOW = datetime(2026, 3, 10, 10, 0, tzinfo=UTC)
S, M, H = timedelta(seconds=1), timedelta(minutes=1), timedelta(hours=1)
LABELS = {"alertname": "CallSetupFailing", "samu": "fr.health.samu075", "severity": "page"}


def tick(svc: AlertingService) -> None:
    asyncio.run(svc.tick())


@dataclass
class FlakySink:
    """Fails the first `failures` deliveries, then succeeds."""

    failures: int
    notifications: list[Notification] = field(default_factory=list)

    async def deliver(self, notification: Notification) -> list[Delivery]:
        self.notifications.append(notification)
        ok = len(self.notifications) > self.failures
        return [Delivery("webhook[0]", ok, retryable=not ok, detail="" if ok else "HTTP 503")]


def test_a_bad_reload_keeps_the_old_config_and_says_why(store: Store) -> None:
    clock, sink = FakeClock(NOW), RecordingSink()
    audit = AuditLog(store, clock)
    svc = AlertingService(
        store, load_config(DATA / "pipeline.yml"), sink, clock, audit=audit, watchdog_interval=None
    )
    result = svc.reload_file(DATA / "bad_undefined_receiver.yml", actor="ops", source="10.0.0.1")
    assert not result.ok
    assert any("undefined receiver 'nobody'" in p for p in result.problems)
    assert svc.receivers(LABELS) == ["noc"]
    assert [(e.actor, e.details["ok"]) for e in audit.query(action="alerting.reload")] == [
        ("ops", False)
    ]
    assert svc.reload_text("route: [", actor="ops").ok is False


def test_a_good_reload_regroups_the_alerts_without_paging_again(store: Store) -> None:
    clock, sink = FakeClock(NOW), RecordingSink()
    svc = AlertingService(
        store, load_config(DATA / "pipeline.yml"), sink, clock, watchdog_interval=None
    )
    svc.put([Alert(LABELS, NOW, NOW + 6 * H)])
    clock.advance(30 * S)
    tick(svc)
    assert svc.reload_file(DATA / "other_receiver.yml", actor="ops").ok
    assert svc.receivers(LABELS) == ["astreinte"]
    clock.advance(M)
    tick(svc)
    assert [n.receiver for n in sink.notifications] == ["noc", "astreinte"]
    svc.reload_file(DATA / "other_receiver.yml")  # same config again: same group, no page
    clock.advance(M)
    tick(svc)
    assert len(sink.notifications) == 2


def test_the_watchdog_reaches_the_dead_mans_switch_every_interval(store: Store) -> None:
    clock, sink = FakeClock(NOW), RecordingSink()
    svc = AlertingService(store, load_config(DATA / "pipeline.yml"), sink, clock)
    for _ in range(5):
        tick(svc)
        clock.advance(M)
    assert [(n.receiver, n.status) for n in sink.notifications] == [("deadman", "firing")] * 3
    # As Alertmanager: a repeat waits for the first flush *after* repeat_interval (1m here).
    assert [n.at - NOW for n in sink.notifications] == [0 * M, 2 * M, 4 * M]
    assert dict(sink.notifications[0].alerts[0].labels) == {
        "alertname": "Watchdog",
        "severity": "none",
    }


def test_a_failed_delivery_is_counted_and_retried_at_the_next_group_interval(store: Store) -> None:
    clock, sink, registry = FakeClock(NOW), FlakySink(failures=1), CollectorRegistry()
    config = load_config(DATA / "pipeline.yml")
    svc = AlertingService(store, config, sink, clock, registry=registry, watchdog_interval=None)
    svc.put([Alert(LABELS, NOW, NOW + 6 * H)])
    clock.advance(30 * S)
    tick(svc)
    assert svc.nflog.entries() == []
    clock.advance(5 * M)
    tick(svc)
    assert len(sink.notifications) == 2 and len(svc.nflog.entries()) == 1

    def value(name: str, **labels: str) -> float | None:
        return registry.get_sample_value(name, labels)

    assert value("vigie_alert_notifications_total", receiver="noc", result="failure") == 1
    assert value("vigie_alert_notifications_total", receiver="noc", result="success") == 1
    assert value("vigie_alert_notifications_total", receiver="vendor", result="success") == 0
    assert value("vigie_alerts_received_total", status="valid") == 1
    assert value("vigie_alerts_active", state="active") == 1
    assert value("vigie_alert_delivery_seconds_count") == 1
    assert value("vigie_alert_delivery_seconds_sum") == (5 * M + 30 * S).total_seconds()
    results = [e.details["result"] for e in reversed(svc.events.query("notification"))]
    assert results == ["failure", "success"]


def test_a_raising_sink_is_a_failed_delivery_not_a_crash(store: Store) -> None:
    class Broken:
        async def deliver(self, notification: Notification) -> list[Delivery]:
            raise RuntimeError("bug")

    clock = FakeClock(NOW)
    svc = AlertingService(
        store, load_config(DATA / "pipeline.yml"), Broken(), clock, watchdog_interval=None
    )
    svc.put([Alert(LABELS, NOW - H, NOW + H)])
    (outcome,) = asyncio.run(svc.tick())
    assert not outcome.done
    assert outcome.deliveries[0].detail == "RuntimeError: bug"


def test_the_run_loop_ticks_until_stopped(store: Store) -> None:
    clock, sink = FakeClock(NOW), RecordingSink()
    svc = AlertingService(store, load_config(DATA / "pipeline.yml"), sink, clock)

    async def main() -> None:
        stop = asyncio.Event()
        task = asyncio.create_task(svc.run(stop, max_sleep=0.01))
        while not sink.notifications:
            await asyncio.sleep(0.01)
        stop.set()
        await task

    asyncio.run(asyncio.wait_for(main(), 30))
    assert sink.notifications[0].receiver == "deadman"


def test_a_slow_receiver_delays_only_its_own_group(store: Store) -> None:
    clock = FakeClock(NOW)

    class OneSlowGroup:
        def __init__(self) -> None:
            self.release = asyncio.Event()
            self.delivered: list[str] = []

        async def deliver(self, notification: Notification) -> list[Delivery]:
            if notification.group_labels.get("samu") == "fr.health.samu075":
                await self.release.wait()
            self.delivered.append(notification.group_labels["samu"])
            return [Delivery("webhook[0]", True)]

    sink = OneSlowGroup()
    svc = AlertingService(
        store, load_config(DATA / "pipeline.yml"), sink, clock, watchdog_interval=None
    )
    slow, fast = dict(LABELS), {**LABELS, "samu": "fr.health.samu013"}
    svc.put([Alert(slow, NOW - H, NOW + H), Alert(fast, NOW - H, NOW + H)])

    async def main() -> None:
        stop = asyncio.Event()
        task = asyncio.create_task(svc.run(stop, max_sleep=0.01))
        while not sink.delivered or svc.groups()[0].in_flight:  # delivered, then logged
            await asyncio.sleep(0.01)
        assert sink.delivered == ["fr.health.samu013"]
        assert [g.in_flight for g in svc.groups()] == [False, True]  # 013 done, 075 sending
        sink.release.set()
        stop.set()
        await task

    asyncio.run(asyncio.wait_for(main(), 30))
    assert sink.delivered == ["fr.health.samu013", "fr.health.samu075"]


def _stored(start_min: int, end_min: int, updated_min: int, timeout: bool = False) -> StoredAlert:
    return StoredAlert(
        Alert(LABELS, NOW + start_min * M, NOW + end_min * M), NOW + updated_min * M, timeout
    )


@pytest.mark.parametrize(
    ("old", "new", "expected_start", "expected_end"),
    [
        (_stored(0, 4, 0), _stored(1, 5, 1), 0, 5),
        (_stored(0, 30, 0), _stored(0, 5, 1), 0, 30),
        (_stored(0, 30, 0, timeout=True), _stored(0, 5, 1), 0, 5),
        (_stored(0, 30, 0), _stored(0, 1, 1), 0, 1),
        (_stored(0, 4, 0), _stored(10, 14, 10), 10, 14),
    ],
    ids=[
        "a re-sent alert keeps its first start and takes the new end",
        "a later explicit end is kept",
        "a timeout end gives way to an explicit one",
        "an explicit resolution wins",
        "no overlap: the new alert replaces the old",
    ],
)
def test_alerts_merge_as_in_alertmanager(
    old: StoredAlert, new: StoredAlert, expected_start: int, expected_end: int
) -> None:
    merged = put_one(old, new)
    assert merged.alert.starts_at == NOW + expected_start * M
    assert merged.ends_at == NOW + expected_end * M
    assert merge(old, new) == merge(new, old)


def _entry(firing: set[int], resolved: set[int], minutes_ago: int = 10) -> NflogEntry:
    return NflogEntry("g", "r", NOW - minutes_ago * M, frozenset(firing), frozenset(resolved))


@pytest.mark.parametrize(
    ("entry", "firing", "resolved", "send_resolved", "expected"),
    [
        (None, {1}, set(), True, True),
        (None, set(), {1}, True, False),
        (_entry({1}, set()), {1, 2}, set(), True, True),
        (_entry({1, 2}, set()), {1}, {2}, True, True),
        (_entry({1, 2}, set()), {1}, {2}, False, False),
        (_entry({1}, set()), set(), {1}, False, True),
        (_entry(set(), {1}), set(), {1}, True, False),
        (_entry({1}, set()), {1}, set(), True, False),
        (_entry({1}, set(), minutes_ago=241), {1}, set(), True, True),
    ],
    ids=[
        "never notified and firing",
        "never notified and only resolved",
        "a new firing alert",
        "a resolution, to a receiver that wants them",
        "a resolution, to a receiver that does not",
        "all resolved: always, to clear the log",
        "resolved alerts the receiver never heard of",
        "nothing new within repeat_interval",
        "nothing new after repeat_interval",
    ],
)
def test_the_notification_log_decides_as_alertmanager(
    entry: NflogEntry | None,
    firing: set[int],
    resolved: set[int],
    send_resolved: bool,
    expected: bool,
) -> None:
    assert needs_update(entry, firing, resolved, send_resolved, 4 * H, NOW) is expected
