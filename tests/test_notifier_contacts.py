"""On-call contacts and the SMS notifier against real servers (SMTP, HTTP gateways)."""

from __future__ import annotations

import asyncio
import email
from email.message import EmailMessage
from email.policy import default
from pathlib import Path

import pytest

from alerts.config import parse_config
from alerts.notifiers.attempts import AttemptLog
from alerts.notifiers.contacts import Channels, ContactNotifier
from alerts.notifiers.registry import NotifierContext, build_integrations
from alerts.notifiers.retry import Backoff, FakeSleeper
from alerts.notifiers.runner import Runner
from alerts.notifiers.sink import ReceiverSink
from alerts.notifiers.sms import Gateway
from alerts.notifiers.smtp import SmtpSettings
from alerts.notifiers.transport import http_options, tls_context
from alerts.notifiers.voice import voice_gateway
from alerts.notify import ContactKind, ContactMethod, ContactSender, PersonMessage
from store.client import Store
from store.clock import FakeClock
from store.registry import load_registry
from tests.test_notifier_peers import PASSWORD, T0, USER, http_peer, notification, smtp_peer

REGISTRY = load_registry()


def message(kind: str = "page") -> PersonMessage:
    return PersonMessage(
        kind=kind,  # type: ignore[arg-type]
        incident_id="inc-42",
        title="Appels de test en échec",
        summary="Les appels de test n'aboutissent plus depuis 3 minutes.",
        severity="page",
        samu=("fr.health.samu972",),
        person_id="p-marie",
        person_name="Marie",
        at=T0,
        ack_url="https://vigie.example/ack/sig123",
        dashboard_url="https://vigie.example/samu/fr.health.samu972",
    )


def contact(kind: ContactKind, address: str) -> ContactMethod:
    return ContactMethod(person_id="p-marie", name="principal", kind=kind, address=address)


def notifier(channels: Channels, runner: Runner | None = None) -> ContactSender:
    return ContactNotifier(channels, registry=REGISTRY, runner=runner)


def test_a_page_email_reaches_the_person_over_starttls(tmp_path: Path) -> None:
    with smtp_peer(tmp_path) as box:
        smtp = SmtpSettings(
            "127.0.0.1",
            box.port,
            username=USER,
            password=PASSWORD,
            tls=tls_context({"ca_file": str(tmp_path / "smtp.crt")}),
        )
        sender = notifier(Channels(smtp=smtp, mail_from="Vigie 15 <vigie@samu.example>"))
        page = asyncio.run(sender.send(contact("email", "marie@samu.example"), message()))
        done = asyncio.run(sender.send(contact("email", "marie@samu.example"), message("resolved")))
    assert page.ok and done.ok, (page.detail, done.detail)
    first, second = (
        email.message_from_bytes(env.original_content or b"", policy=default)
        for env, _, _ in box.messages
    )
    assert isinstance(first, EmailMessage) and isinstance(second, EmailMessage)
    assert first["Subject"] == "[ASTREINTE] Appels de test en échec — SAMU 972 – Fort-de-France"
    assert second["Subject"].startswith("[RÉSOLU]")
    assert first["References"] == second["References"]  # one thread per incident
    text = first.get_body(("plain",))
    assert text is not None
    body = str(text.get_content())
    assert "Bonjour Marie," in body
    assert "Acquitter : https://vigie.example/ack/sig123" in body
    assert "heure locale 13/03/2036 22:12" in body  # Martinique, UTC−4


@pytest.mark.parametrize(
    ("kind", "field", "starts"),
    [
        ("sms", "text", "Vigie15 ASTREINTE SAMU 972 – Fort-de-France : Appels de test en échec"),
        ("voice", "text_to_speech", "Ici Vigie 15. Bonjour Marie. Vous êtes d'astreinte."),
    ],
)
def test_sms_and_voice_gateways_get_one_json_request(kind: str, field: str, starts: str) -> None:
    with http_peer(200) as peer:
        channels = Channels(
            sms=Gateway(peer.url + "/sms", http_options(None)),
            voice=voice_gateway(peer.url + "/voice", http_options(None)),
        )
        delivery = asyncio.run(notifier(channels).send(contact(kind, "+33612345678"), message()))  # type: ignore[arg-type]
    assert delivery.ok, delivery.detail
    (request,) = peer.requests
    assert request.path == f"/{kind}"
    assert set(request.body) == {"to", field}
    assert request.body["to"] == "+33612345678"
    assert request.body[field].startswith(starts)
    assert len(request.body[field]) <= 160 or kind == "voice"
    assert "http" not in request.body[field] or kind == "sms"  # links are not read aloud


def test_a_person_webhook_gets_the_message_fields() -> None:
    with http_peer(200) as peer:
        sender = notifier(Channels())
        delivery = asyncio.run(sender.send(contact("webhook", peer.url + "/p"), message()))
    assert delivery.ok
    body = peer.requests[0].body
    assert body["incident_id"] == "inc-42" and body["samu"] == ["fr.health.samu972"]
    assert body["at"] == "2036-03-14T02:12:00+00:00"


def test_a_missing_gateway_is_a_clear_permanent_failure() -> None:
    delivery = asyncio.run(notifier(Channels()).send(contact("sms", "+33612345678"), message()))
    assert (delivery.ok, delivery.retryable, delivery.attempts) == (False, False, 1)
    assert delivery.detail == "no SMS gateway configured for on-call contacts"


def test_contact_retries_are_recorded_under_the_person(store: Store) -> None:
    clock = FakeClock(T0)
    log = AttemptLog(store)
    runner = Runner(recorder=log, clock=clock, sleeper=FakeSleeper(clock), backoff=Backoff())
    with http_peer(503, 200) as peer:
        channels = Channels(sms=Gateway(peer.url, http_options(None)))
        delivery = asyncio.run(
            notifier(channels, runner).send(contact("sms", "+33612345678"), message())
        )
    assert (delivery.ok, delivery.attempts) == (True, 2)
    rows = log.attempts("inc-42")
    assert [(r.receiver, r.integration, r.status, r.ok) for r in rows] == [
        ("oncall:p-marie", "sms:principal", "page", False),
        ("oncall:p-marie", "sms:principal", "page", True),
    ]


def test_an_sms_receiver_retries_only_the_numbers_not_reached() -> None:
    with http_peer(200, 503, 200) as peer:
        config = parse_config(f"""
route: {{receiver: sms}}
receivers:
  - name: sms
    sms_configs:
      - url: {peer.url}/send
        to: ["+33600000001", "+33600000002"]
""")
        integrations = build_integrations(
            config.receivers["sms"], NotifierContext(registry=REGISTRY)
        )
        clock = FakeClock(T0)
        runner = Runner(clock=clock, sleeper=FakeSleeper(clock))
        (delivery,) = asyncio.run(ReceiverSink("sms", integrations, runner).deliver(notification()))
    assert (delivery.ok, delivery.attempts) == (True, 2)
    assert [r.body["to"] for r in peer.requests] == ["+33600000001", "+33600000002", "+33600000002"]
    assert all(len(r.body["text"]) <= 160 for r in peer.requests)
    assert peer.requests[0].body["text"].startswith("Vigie15 URGENT SAMU 75 – Paris")
