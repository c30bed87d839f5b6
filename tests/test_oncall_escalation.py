"""Escalation on a fake clock against a real store: steps, rules, ack, unack, repeat, restart."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from prometheus_client import CollectorRegistry

from alerts.notify import Delivery, Notification, RecordingContactSender
from alerts.oncall.errors import InvalidTransition
from store.audit import AuditLog
from store.client import Store
from store.clock import FakeClock, SystemClock
from tests.test_oncall_support import notification, paris, run, sent, service, utc

MIN = timedelta(minutes=1)


def drive(svc: object, clock: FakeClock, until: datetime, step: timedelta = MIN) -> None:
    """Tick every minute up to `until`, as the engine loop would."""
    while clock.now() < until:
        clock.advance(step)
        run(svc.tick())  # type: ignore[attr-defined]


class Forwarder:
    def __init__(self) -> None:
        self.calls: list[tuple[str, Notification]] = []

    async def forward(self, receiver: str, notification: Notification) -> list[Delivery]:
        self.calls.append((receiver, notification))
        return [Delivery(f"webhook:{receiver}", ok=True)]


def test_without_ack_step_2_follows_after_the_delay_and_the_policy_repeats_once(
    store: Store,
) -> None:
    t0 = paris("2024-03-26 10:00")  # bob's week
    clock, sender, forwarder = FakeClock(t0), RecordingContactSender(), Forwarder()
    svc = service(store, clock, sender, forwarder=forwarder)
    incident = run(svc.handle(notification(t0), "samu-page"))
    assert incident is not None
    drive(svc, clock, t0 + 60 * MIN)
    assert sent(sender) == [
        ("bob", "mail", t0),
        ("bob", "mobile", t0 + 2 * MIN),
        ("erin", "mail", t0 + 10 * MIN),
        ("erin", "hook", t0 + 10 * MIN),
        ("bob", "mail", t0 + 25 * MIN),  # repeat: step 1 again after step 2's 15 min
        ("bob", "mobile", t0 + 27 * MIN),
        ("erin", "mail", t0 + 35 * MIN),
        ("erin", "hook", t0 + 35 * MIN),
    ]
    assert [(r, n.group_key) for r, n in forwarder.calls] == [
        ("direction-webhook", incident.group_key),
        ("direction-webhook", incident.group_key),
    ]
    steps = [e for e in svc.get(incident.id).timeline if e.kind == "step"]
    assert [(e.at, e.text) for e in steps] == [
        (t0, "notifié l'étape 1 (tour 1) : bob"),
        (t0 + 10 * MIN, "escaladé vers l'étape 2 (tour 1) : erin"),
        (t0 + 25 * MIN, "escaladé vers l'étape 1 (tour 2) : bob"),
        (t0 + 35 * MIN, "escaladé vers l'étape 2 (tour 2) : erin"),
    ]
    assert svc.next_wakeup() is None


def test_notification_rules_email_at_once_sms_at_2_min_and_nothing_after_ack(
    store: Store,
) -> None:
    t0 = paris("2024-04-02 10:00")  # alice's week: mail 0, sms 2 min, voice 5 min
    clock, sender = FakeClock(t0), RecordingContactSender()
    svc = service(store, clock, sender)
    incident = run(svc.handle(notification(t0), "samu-page"))
    assert incident is not None
    drive(svc, clock, t0 + 3 * MIN)
    acked = run(svc.act(incident.id, "ack", "alice", "test"))
    drive(svc, clock, t0 + 40 * MIN)
    assert sent(sender) == [("alice", "mail", t0), ("alice", "mobile", t0 + 2 * MIN)]
    assert acked.state == "acknowledged"
    assert acked.time_to_ack == 3 * MIN
    assert acked.time_to_deliver == timedelta(0)


def test_unacknowledge_restarts_the_escalation_from_step_1(store: Store) -> None:
    t0 = paris("2024-03-26 10:00")
    clock, sender = FakeClock(t0), RecordingContactSender()
    svc = service(store, clock, sender)
    incident = run(svc.handle(notification(t0), "samu-page"))
    assert incident is not None
    clock.advance(MIN)
    run(svc.act(incident.id, "ack", "bob", "test"))
    drive(svc, clock, t0 + 30 * MIN)
    assert sent(sender) == [("bob", "mail", t0)]
    run(svc.act(incident.id, "unack", "bob", "test"))
    drive(svc, clock, t0 + 41 * MIN)
    assert sent(sender)[1:] == [
        ("bob", "mail", t0 + 30 * MIN),
        ("bob", "mobile", t0 + 32 * MIN),
        ("erin", "mail", t0 + 40 * MIN),
        ("erin", "hook", t0 + 40 * MIN),
    ]
    with pytest.raises(InvalidTransition):
        run(svc.act(incident.id, "unack", "bob", "test"))


@pytest.mark.parametrize(
    ("name", "opened", "step_2"),
    [
        (
            "an ack timeout running over the spring-forward gap lasts 10 real minutes",
            paris("2024-03-31 01:55"),  # 00:55Z; 10 min later the wall clock shows 03:05
            utc("2024-03-31 01:05"),
        ),
        (
            "an ack timeout running into the repeated October hour lasts 10 real minutes",
            utc("2024-10-27 00:55"),  # 02:55 CEST; 10 min later the wall clock shows 02:05 CET
            utc("2024-10-27 01:05"),
        ),
    ],
)
def test_escalation_with_ack_timeouts_across_a_dst_change(
    store: Store, name: str, opened: datetime, step_2: datetime
) -> None:
    clock, sender = FakeClock(opened), RecordingContactSender()
    svc = service(store, clock, sender)
    incident = run(svc.handle(notification(opened), "samu-page"))
    assert incident is not None
    drive(svc, clock, step_2 - MIN)
    assert sent(sender) == [("carol", "mail", opened)], name  # the weekend-night layer
    drive(svc, clock, step_2 + 5 * MIN)
    assert sent(sender)[1:] == [("erin", "mail", step_2), ("erin", "hook", step_2)], name
    run(svc.act(incident.id, "ack", "erin", "test"))
    drive(svc, clock, step_2 + 60 * MIN)
    assert len(sent(sender)) == 3, name


def test_the_repeat_pages_whoever_is_on_call_after_the_handoff(store: Store) -> None:
    t0 = paris("2024-03-31 07:50")  # carol until 08:00 CEST, then bob
    clock, sender = FakeClock(t0), RecordingContactSender()
    svc = service(store, clock, sender)
    run(svc.handle(notification(t0), "samu-page"))
    drive(svc, clock, t0 + 26 * MIN)
    assert [(p, at) for p, m, at in sent(sender) if m == "mail"] == [
        ("carol", t0),
        ("erin", t0 + 10 * MIN),
        ("bob", t0 + 25 * MIN),
    ]


def test_a_restart_mid_escalation_continues_without_paging_step_1_again(store: Store) -> None:
    t0 = paris("2024-03-26 10:00")
    clock, first_sender = FakeClock(t0), RecordingContactSender()
    first = service(store, clock, first_sender)
    incident = run(first.handle(notification(t0), "samu-page"))
    assert incident is not None
    drive(first, clock, t0 + 3 * MIN)
    assert len(sent(first_sender)) == 2
    restarted_sender = RecordingContactSender()
    restarted = service(store, clock, restarted_sender)
    assert restarted.load() == 1
    run(restarted.tick())
    assert restarted_sender.sent == []  # neither the page nor the entraide again
    drive(restarted, clock, t0 + 11 * MIN)
    assert sent(restarted_sender) == [
        ("erin", "mail", t0 + 10 * MIN),
        ("erin", "hook", t0 + 10 * MIN),
    ]
    reloaded = restarted.get(incident.id)
    assert reloaded.first_delivery_at == t0
    kinds = [e.kind for e in reloaded.timeline]
    assert kinds[:5] == ["opened", "entraide", "step", "contact", "contact"]


def test_a_resolved_group_resolves_the_incident_and_stops_escalation(store: Store) -> None:
    t0 = paris("2024-03-26 10:00")
    clock, sender = FakeClock(t0), RecordingContactSender()
    svc = service(store, clock, sender)
    incident = run(svc.handle(notification(t0), "samu-page"))
    assert incident is not None
    clock.advance(MIN)
    resolved = run(svc.handle(notification(clock.now(), resolved=True), "samu-page"))
    assert resolved is not None and resolved.state == "resolved"
    assert resolved.resolved_by == "alertmanager"
    drive(svc, clock, t0 + 30 * MIN)
    assert sent(sender) == [("bob", "mail", t0)]
    again = run(svc.handle(notification(clock.now()), "samu-page"))
    assert again is not None and again.id != incident.id


def test_a_failed_delivery_is_recorded_and_the_next_rule_still_runs(store: Store) -> None:
    t0 = paris("2024-03-26 10:00")
    clock, metrics = FakeClock(t0), CollectorRegistry()
    svc = service(store, clock, RecordingContactSender(fail={"email"}), metrics=metrics)
    incident = run(svc.handle(notification(t0), "samu-page"))
    assert incident is not None
    drive(svc, clock, t0 + 2 * MIN)
    clock.advance(MIN)
    run(svc.act(incident.id, "ack", "bob", "test"))
    got = svc.get(incident.id)
    contacts = [(e.text, e.ok) for e in got.timeline if e.kind == "contact"]
    assert contacts == [("bob via mail : échec ()", False), ("bob via mobile : remis", True)]
    assert got.time_to_deliver == 2 * MIN
    assert metrics.get_sample_value("vigie_oncall_time_to_delivery_seconds_sum") == 120.0
    assert (
        metrics.get_sample_value("vigie_oncall_time_to_delivery_seconds_bucket", {"le": "120.0"})
        == 1
    )
    assert metrics.get_sample_value("vigie_oncall_time_to_ack_seconds_sum") == 180.0
    failed = {"kind": "email", "outcome": "failed"}  # bob's page and gaston's entraide
    assert metrics.get_sample_value("vigie_oncall_contact_attempts_total", failed) == 2


def test_acks_are_audited_with_actor_and_source(store: Store) -> None:
    # The audit log keeps 12 months (TTL on the wall clock): start from the present.
    t0 = SystemClock().now().replace(microsecond=0)
    clock = FakeClock(t0)
    svc = service(store, clock)
    incident = run(svc.handle(notification(t0), "samu-page"))
    assert incident is not None
    run(svc.act(incident.id, "ack", "bob", "api 10.0.0.1"))
    events = AuditLog(store, clock).query(action="incident.ack")
    assert [(e.actor, e.source, e.target) for e in events] == [("bob", "api 10.0.0.1", incident.id)]
