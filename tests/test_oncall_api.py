"""The on-call API with TestClient: incidents, signed links, on-call now, iCal, heartbeats."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from alerts.model import Alert
from alerts.notify import RecordingContactSender
from alerts.oncall import links
from alerts.oncall.api import create_oncall_router
from alerts.oncall.errors import LinkError
from alerts.oncall.heartbeat import Heartbeats
from alerts.oncall.pages import create_link_router
from alerts.oncall.service import OnCallService
from store.client import Store
from store.clock import FakeClock, SystemClock
from tests.test_oncall_support import SECRET, good_config, notification, paris, run, service

T0 = paris("2024-03-26 10:00")
MIN = timedelta(minutes=1)


def app_for(svc: OnCallService, beats: Heartbeats | None = None) -> TestClient:
    app = FastAPI()
    app.include_router(create_oncall_router(svc, beats))
    app.include_router(create_link_router(svc))
    return TestClient(app)


@pytest.mark.parametrize(
    ("name", "token", "now", "message"),
    [
        ("a forged signature", "forge", T0, "not genuine"),
        ("an expired link", "good", T0 + timedelta(hours=25), "expired"),
        ("garbage", "not-a-token", T0, "malformed"),
    ],
)
def test_links_are_refused_when_forged_expired_or_malformed(
    name: str, token: str, now: object, message: str
) -> None:
    claims = links.LinkClaims("inc-1", "ack", "bob", T0 + timedelta(hours=24))
    good = links.sign(SECRET, claims)
    text = {"good": good, "forge": links.sign(b"other secret", claims), "not-a-token": token}[token]
    with pytest.raises(LinkError, match=message):
        links.verify(SECRET, text, now)  # type: ignore[arg-type]
    assert links.verify(SECRET, good, T0) == claims, name


def test_a_signed_link_shows_a_form_on_get_and_acks_only_on_post(store: Store) -> None:
    clock, sender = FakeClock(T0), RecordingContactSender()
    svc = service(store, clock, sender)
    incident = run(svc.handle(notification(T0), "samu-page"))
    assert incident is not None
    page = next(m for _, m in sender.sent if m.kind == "page")
    assert page.ack_url.startswith("https://vigie.example/api/v1/ack/")
    path = page.ack_url.removeprefix("https://vigie.example")
    client = app_for(svc)
    shown = client.get(path)
    assert shown.status_code == 200 and "<form method='post'>" in shown.text
    assert svc.get(incident.id).state == "triggered"  # a link scanner's GET does nothing
    done = client.post(path)
    assert done.status_code == 200 and "pris en compte" in done.text
    acked = svc.get(incident.id)
    assert (acked.state, acked.acked_by) == ("acknowledged", "bob")
    assert client.post(path).status_code == 409  # already acknowledged
    tampered = path[:-3] + ("AAA" if not path.endswith("AAA") else "BBB")
    assert client.get(tampered).status_code == 403
    clock.advance(timedelta(hours=25))
    expired = client.get(path)
    assert expired.status_code == 403 and "expired" in expired.text


def test_incident_api_round_trip(store: Store) -> None:
    clock = FakeClock(T0)
    svc = service(store, clock)
    incident = run(svc.handle(notification(T0), "samu-page"))
    assert incident is not None
    client = app_for(svc)
    listed = client.get("/api/v1/incidents", params={"state": "open"}).json()
    assert [i["id"] for i in listed] == [incident.id]
    assert listed[0]["samu"] == ["fr.health.samu075"]
    headers = {"X-Vigie-User": "noc.lyon"}
    acked = client.post(f"/api/v1/incidents/{incident.id}/ack", headers=headers).json()
    assert (acked["state"], acked["acked_by"]) == ("acknowledged", "noc.lyon")
    assert client.post(f"/api/v1/incidents/{incident.id}/ack").status_code == 409
    assert client.post(f"/api/v1/incidents/{incident.id}/unack").json()["state"] == "triggered"
    edit = {"cause": "routeur opérateur", "postmortem_url": "https://wiki/pm/42"}
    edited = client.patch(f"/api/v1/incidents/{incident.id}", json=edit).json()
    assert (edited["cause"], edited["postmortem_url"]) == (edit["cause"], edit["postmortem_url"])
    clock.advance(MIN)
    resolved = client.post(f"/api/v1/incidents/{incident.id}/resolve").json()
    assert resolved["state"] == "resolved" and resolved["time_to_delivery_s"] == 0.0
    assert client.get("/api/v1/incidents", params={"state": "open"}).json() == []
    assert [i["id"] for i in client.get("/api/v1/incidents?state=resolved").json()] == [incident.id]
    timeline = client.get(f"/api/v1/incidents/{incident.id}").json()["timeline"]
    kinds = [e["kind"] for e in timeline if e["kind"] not in ("step", "contact", "entraide")]
    assert kinds == ["opened", "acked", "unacked", "edited", "resolved"]
    assert client.get("/api/v1/incidents/inc-nope").status_code == 404


def test_on_call_now_schedules_and_ical(store: Store) -> None:
    client = app_for(service(store, FakeClock(paris("2024-03-29 12:00"))))
    now = {s["id"]: s for s in client.get("/api/v1/oncall/now").json()}
    assert now["noc"]["on_call"] == [{"id": "bob", "name": "Bob Durand"}]
    assert now["noc"]["next"][0]["people"] == ["carol"]
    schedules = client.get("/api/v1/oncall/schedules", params={"n": 3}).json()
    # SAMU 92's rotation has one participant: who is on call never changes.
    assert [len(s["next"]) for s in schedules] == [3, 0]
    cal = client.get("/api/v1/oncall/schedules/noc/ical", params={"person": "carol"})
    assert cal.headers["content-type"].startswith("text/calendar")
    assert "DTSTART:20240330T190000Z\r\nDTEND:20240331T060000Z\r\n" in cal.text
    assert client.get("/api/v1/oncall/schedules/nope/ical").status_code == 404


def test_a_missed_heartbeat_fires_an_alert_and_a_check_in_resolves_it(store: Store) -> None:
    clock = FakeClock(T0)
    received: list[Alert] = []
    monitors = good_config().heartbeats
    beats = Heartbeats(store, clock, monitors, SECRET, received.extend)
    client = app_for(service(store, clock), beats)
    token = beats.token("prometheus-watchdog")
    assert client.post("/api/v1/heartbeat/not-a-token").status_code == 404
    assert run(beats.tick()) == []  # inactive until the first check-in
    assert client.post(f"/api/v1/heartbeat/{token}").json()["monitor"] == "prometheus-watchdog"
    clock.advance(5 * MIN)
    assert run(beats.tick()) == []  # exactly on time is not late
    clock.advance(MIN)
    run(beats.tick())
    assert [dict(a.labels) for a in received] == [
        {
            "team": "noc",
            "alertname": "HeartbeatMissed",
            "monitor": "prometheus-watchdog",
            "severity": "page",
        }
    ]
    assert received[0].starts_at == T0 + 5 * MIN and received[0].ends_at is None
    assert [s.state for s in beats.status()] == ["missed"]
    clock.advance(MIN)
    client.post(f"/api/v1/heartbeat/{token}")
    assert received[-1].ends_at == T0 + 7 * MIN  # resolved at the check-in
    assert [s["state"] for s in client.get("/api/v1/oncall/heartbeats").json()] == ["healthy"]


def test_heartbeat_state_survives_a_restart(store: Store) -> None:
    # Check-ins are kept 400 days (TTL on the wall clock): start from the present.
    start = SystemClock().now().replace(microsecond=0)
    clock = FakeClock(start)
    monitors = good_config().heartbeats
    first = Heartbeats(store, clock, monitors, SECRET)
    run(first.checkin(first.token("prometheus-watchdog")))
    clock.advance(10 * MIN)
    run(first.tick())
    again = Heartbeats(store, clock, monitors, SECRET)
    again.load()
    status = again.status()[0]
    assert (status.state, status.last_checkin) == ("missed", start)
    assert re.fullmatch(r"[0-9a-f]{32}", again.token("prometheus-watchdog"))


def test_an_incident_range_the_store_cannot_hold_is_refused_at_once(store: Store) -> None:
    client = app_for(service(store, FakeClock(T0)))
    response = client.get("/api/v1/incidents", params={"since": "0001-01-01T00:00:00Z"})
    assert response.status_code == 422
