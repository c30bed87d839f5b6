"""Incidents: opened from alert groups, entraide to the backup SAMU, the monthly-report query."""

from __future__ import annotations

from datetime import timedelta

from alerts.notify import RecordingContactSender
from store.client import Store
from store.clock import FakeClock
from tests.test_oncall_support import notification, paris, run, service

MIN = timedelta(minutes=1)


def test_a_paging_samu_has_its_backup_on_call_informed_once(store: Store) -> None:
    t0 = paris("2024-03-26 10:00")
    clock, sender = FakeClock(t0), RecordingContactSender()
    svc = service(store, clock, sender)
    incident = run(svc.handle(notification(t0), "samu-page"))
    assert incident is not None
    clock.advance(20 * MIN)
    run(svc.tick())
    run(svc.handle(notification(clock.now()), "samu-page"))  # the group is sent again
    informed = [(c.person_id, c.name, m.samu) for c, m in sender.sent if m.kind == "entraide"]
    # SAMU 75 is backed up by SAMU 92, whose schedule has gaston: e-mail (rule at 0) only.
    assert informed == [("gaston", "mail", ("fr.health.samu075",))]
    entries = [e.text for e in svc.get(incident.id).timeline if e.kind == "entraide"]
    assert entries == ["entraide : fr.health.samu092 informé (gaston) pour fr.health.samu075"]


def test_a_ticket_does_not_inform_the_backup(store: Store) -> None:
    t0 = paris("2024-03-26 10:00")
    clock, sender = FakeClock(t0), RecordingContactSender()
    svc = service(store, clock, sender)
    run(svc.handle(notification(t0, severity="ticket"), "samu-page"))
    assert [m.kind for _, m in sender.sent] == ["page"]


def test_a_new_samu_in_the_group_updates_the_incident_and_informs_its_backup(
    store: Store,
) -> None:
    t0 = paris("2024-03-26 10:00")
    clock, sender = FakeClock(t0), RecordingContactSender()
    svc = service(store, clock, sender)
    first = run(svc.handle(notification(t0), "samu-page"))
    clock.advance(MIN)
    samu = ("fr.health.samu075", "fr.health.samu069")
    second = run(svc.handle(notification(clock.now(), samu=samu), "samu-page"))
    assert first is not None and second is not None and first.id == second.id
    assert second.samu == ("fr.health.samu069", "fr.health.samu075")
    # SAMU 69's backup (38) has no schedule of its own: the default schedule (noc) is told.
    backups = [e.text for e in second.timeline if e.kind == "entraide"]
    assert backups[-1] == "entraide : fr.health.samu038 informé (bob) pour fr.health.samu069"
    assert [e.kind for e in second.timeline].count("updated") == 1


def test_incidents_between_give_the_monthly_report_its_rows(store: Store) -> None:
    t0 = paris("2024-03-26 10:00")
    clock = FakeClock(t0)
    svc = service(store, clock)
    early = run(svc.handle(notification(t0, group_key="a"), "samu-page"))
    assert early is not None
    clock.advance(4 * MIN)
    run(svc.act(early.id, "ack", "bob", "test"))
    clock.advance(30 * MIN)
    run(svc.act(early.id, "resolve", "bob", "test"))
    svc.edit(early.id, "bob", "test", cause="trunk SIP opérateur", postmortem_url="https://pm/1")
    clock.set(paris("2024-04-02 10:00"))
    run(svc.handle(notification(clock.now(), group_key="b"), "samu-page"))
    march = svc.incidents_between(paris("2024-03-01 00:00"), paris("2024-04-01 00:00"))
    assert [i.id for i in march] == [early.id]
    row = march[0]
    assert (row.opened_at, row.resolved_at) == (t0, t0 + 34 * MIN)
    assert (row.alertname, row.samu, row.component) == (
        "SLOBurnRate",
        ("fr.health.samu075",),
        "sip-trunk",
    )
    assert (row.time_to_deliver, row.time_to_ack) == (timedelta(0), 4 * MIN)
    assert (row.cause, row.postmortem_url) == ("trunk SIP opérateur", "https://pm/1")
    april = svc.incidents_between(paris("2024-04-01 00:00"), paris("2024-05-01 00:00"))
    assert [(i.state, i.opened_at) for i in april] == [("triggered", paris("2024-04-02 10:00"))]
