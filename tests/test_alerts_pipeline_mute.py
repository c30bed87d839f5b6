"""Inhibition, silences, maintenance windows and route time intervals in the pipeline, including
the resolution of an alert muted after it was notified, and silences that expire by themselves."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from alerts.config import load_config
from alerts.maintenance import MaintenanceWindow
from alerts.matchers import parse_matchers
from alerts.model import Alert
from alerts.notify import RecordingSink
from alerts.service import AlertingService
from alerts.silence import Silence
from store.client import Store
from store.clock import FakeClock

CONFIG = Path(__file__).parent / "data" / "alerting" / "pipeline.yml"
NOW = datetime(2026, 3, 10, 10, 0, tzinfo=UTC)  # 11:00 in Paris
S, M, H = timedelta(seconds=1), timedelta(minutes=1), timedelta(hours=1)
PARIS, MARSEILLE = "fr.health.samu075", "fr.health.samu013"
REGIONS = {PARIS: "Île-de-France", MARSEILLE: "Provence-Alpes-Côte d'Azur"}


def service(store: Store, clock: FakeClock, sink: RecordingSink) -> AlertingService:
    return AlertingService(
        store, load_config(CONFIG), sink, clock, regions=REGIONS, watchdog_interval=None
    )


def alert(name: str, samu: str = PARIS, ends: datetime | None = None, **extra: str) -> Alert:
    return Alert({"alertname": name, "samu": samu, **extra}, NOW, ends or NOW + 6 * H)


def tick(svc: AlertingService) -> None:
    asyncio.run(svc.tick())


def names(sink: RecordingSink) -> list[tuple[str, ...]]:
    """Per notification, `alertname/samu:state` of each alert."""
    return [
        tuple(
            f"{a.labels['alertname']}/{a.labels.get('samu', '')[-3:]}:"
            + ("resolved" if a.resolved_at(n.at) else "firing")
            for a in n.alerts
        )
        for n in sink.notifications
    ]


def silence(svc: AlertingService, matchers: str, auto: bool = False, hours: int = 2) -> str:
    now = svc.clock.now()
    s = Silence("", parse_matchers(matchers), now, now + hours * H, "noc@ans", "travaux SBC")
    return svc.silences.upsert(s, actor="noc@ans", expire_on_resolve=auto).silence.id


def test_an_inhibited_alert_is_not_sent_and_its_source_is(store: Store) -> None:
    clock, sink = FakeClock(NOW), RecordingSink()
    svc = service(store, clock, sink)
    svc.put(
        [alert("SamuUnreachable"), alert("CallSetupFailing"), alert("CallSetupSlow", MARSEILLE)]
    )
    clock.advance(30 * S)
    tick(svc)
    assert sorted(names(sink)) == [("CallSetupSlow/013:firing",), ("SamuUnreachable/075:firing",)]
    status = svc.mute().status(alert("CallSetupFailing"), clock.now())
    assert status.state == "suppressed" and len(status.inhibited_by) == 1


def test_a_silenced_firing_alert_is_not_sent(store: Store) -> None:
    clock, sink = FakeClock(NOW), RecordingSink()
    svc = service(store, clock, sink)
    sid = silence(svc, 'alertname="CallSetupFailing"')
    svc.put([alert("CallSetupFailing")])
    clock.advance(30 * S)
    tick(svc)
    assert sink.notifications == []
    assert svc.mute().status(alert("CallSetupFailing"), clock.now()).silenced_by == (sid,)


@pytest.mark.parametrize(
    "mute",
    ["silence", "inhibition", "maintenance"],
)
def test_a_notified_alert_muted_then_resolved_still_gets_its_resolved_notification(
    store: Store, mute: str
) -> None:
    clock, sink = FakeClock(NOW), RecordingSink()
    svc = service(store, clock, sink)
    svc.put([alert("CallSetupFailing")])
    clock.advance(30 * S)
    tick(svc)
    if mute == "silence":
        silence(svc, f'samu="{PARIS}"')
    elif mute == "inhibition":
        svc.put([alert("SamuUnreachable")])
    else:
        window = MaintenanceWindow(
            "", "Bascule Genesys", clock.now(), 2 * H, "chef-de-salle", "noc", samu_ids=(PARIS,)
        )
        svc.maintenance.create(window)
    clock.advance(5 * M)
    tick(svc)  # muted while firing: nothing new for this group
    svc.put([alert("CallSetupFailing", ends=clock.now())])
    clock.advance(5 * M)
    tick(svc)
    failing = [n for n in names(sink) if n[0].startswith("CallSetupFailing")]
    assert failing == [("CallSetupFailing/075:firing",), ("CallSetupFailing/075:resolved",)]


def test_an_alert_silenced_all_along_is_never_sent_even_resolved(store: Store) -> None:
    clock, sink = FakeClock(NOW), RecordingSink()
    svc = service(store, clock, sink)
    silence(svc, 'alertname="CallSetupFailing"')
    svc.put([alert("CallSetupFailing")])
    clock.advance(30 * S)
    tick(svc)
    svc.put([alert("CallSetupFailing", ends=clock.now())])
    clock.advance(5 * M)
    tick(svc)
    assert sink.notifications == []
    assert svc.groups() == []


def test_a_silence_with_expire_on_resolve_ends_when_its_alerts_have_resolved(store: Store) -> None:
    clock, sink = FakeClock(NOW), RecordingSink()
    svc = service(store, clock, sink)
    sid = silence(svc, f'samu="{PARIS}"', auto=True, hours=24)
    tick(svc)  # matched nothing yet: stays
    assert svc.silences.get(sid).silence.state(clock.now()).value == "active"
    svc.put([alert("CallSetupFailing"), alert("CallSetupSlow")])
    clock.advance(M)
    tick(svc)
    svc.put([alert("CallSetupFailing", ends=clock.now())])
    clock.advance(M)
    tick(svc)  # one still firing: stays
    assert svc.silences.get(sid).silence.state(clock.now()).value == "active"
    svc.put([alert("CallSetupSlow", ends=clock.now())])
    clock.advance(M)
    tick(svc)
    clock.advance(S)
    assert svc.silences.get(sid).silence.state(clock.now()).value == "expired"
    expired = svc.events.query("silence.expired")
    assert [(e.actor, e.target, e.details["reason"]) for e in expired] == [
        ("vigie", sid, "all its alerts resolved")
    ]
    assert sink.notifications == []  # silenced while firing, never notified: nothing to close


def test_silences_and_their_auto_expiry_survive_a_restart(store: Store) -> None:
    clock, sink = FakeClock(NOW), RecordingSink()
    svc = service(store, clock, sink)
    sid = silence(svc, f'samu="{PARIS}"', auto=True, hours=24)
    svc.put([alert("CallSetupFailing")])
    tick(svc)
    svc.put([alert("CallSetupFailing", ends=clock.now())])
    clock.advance(M)
    again = service(store, clock, RecordingSink())
    assert again.silences.get(sid).seen_firing
    tick(again)
    clock.advance(S)
    assert again.silences.get(sid).silence.state(clock.now()).value == "expired"


@pytest.mark.parametrize(
    ("scope", "expected"),
    [
        ({"samu_ids": (PARIS,)}, [("CallSetupFailing/013:firing",), ("Watchdog/:firing",)]),
        (
            {"regions": ("Île-de-France",)},
            [("CallSetupFailing/013:firing",), ("Watchdog/:firing",)],
        ),
        ({}, [("Watchdog/:firing",)]),
    ],
    ids=["by SAMU id", "by region", "the whole platform (alerts without samu still sent)"],
)
def test_a_maintenance_window_mutes_the_alerts_of_the_samu_it_covers(
    store: Store, scope: dict[str, tuple[str, ...]], expected: list[tuple[str, ...]]
) -> None:
    clock, sink = FakeClock(NOW), RecordingSink()
    svc = service(store, clock, sink)
    window = MaintenanceWindow(
        "", "Migration plateforme", NOW - M, 2 * H, "directeur ANS", "noc", **scope
    )
    svc.maintenance.create(window)
    watchdog = Alert({"alertname": "Watchdog", "severity": "none"}, NOW, NOW + H)
    svc.put([alert("CallSetupFailing"), alert("CallSetupFailing", MARSEILLE), watchdog])
    clock.advance(30 * S)
    tick(svc)
    assert sorted(names(sink)) == expected


def test_a_cancelled_or_finished_maintenance_window_mutes_nothing(store: Store) -> None:
    clock, sink = FakeClock(NOW), RecordingSink()
    svc = service(store, clock, sink)
    window = svc.maintenance.create(
        MaintenanceWindow("", "Bascule", NOW, 10 * M, "chef", "noc", samu_ids=(PARIS,))
    )
    svc.put([alert("CallSetupFailing")])
    clock.advance(30 * S)
    tick(svc)
    assert sink.notifications == []
    svc.maintenance.cancel(window.id, actor="chef")
    clock.advance(5 * M)
    tick(svc)
    assert names(sink) == [("CallSetupFailing/075:firing",)]
    assert [w.cancelled for w in svc.maintenance.list()] == [True]


def test_a_route_mute_interval_holds_notifications_until_it_ends(store: Store) -> None:
    night = datetime(2026, 3, 10, 21, 0, tzinfo=UTC)  # 22:00 in Paris: "nuit"
    clock, sink = FakeClock(night), RecordingSink()
    svc = service(store, clock, sink)
    svc.put([Alert({"alertname": "SbcDegraded", "team": "vendor"}, night, night + 12 * H)])
    for _ in range(12 * 10):  # until 08:00 Paris, group_interval 5 m
        clock.advance(5 * M)
        tick(svc)
    assert [n.at.hour for n in sink.notifications] == [6]  # 07:0x in Paris, UTC+1
    assert [n.receiver for n in sink.notifications] == ["vendor"]
