"""E-mail notifier against a real SMTP server (aiosmtpd) with STARTTLS and AUTH."""

from __future__ import annotations

import asyncio
import datetime as dt
import email
from email.message import EmailMessage
from email.policy import default
from pathlib import Path

import pytest

from alerts.config import parse_config
from alerts.notifiers.registry import NotifierContext, build_integrations
from alerts.notifiers.retry import Backoff, FakeSleeper
from alerts.notifiers.runner import Runner
from alerts.notifiers.sink import ReceiverSink
from alerts.notifiers.templates import Templates
from alerts.notify import Integration
from store.clock import FakeClock
from store.registry import load_registry
from tests.test_notifier_peers import PASSWORD, T0, USER, Mailbox, alert, notification, smtp_peer

REGISTRY = load_registry()


def email_integration(
    box: Mailbox, folder: Path, password: str = PASSWORD, ca: bool = True, lang: str = "fr"
) -> Integration:
    tls = f"\n        tls_config: {{ca_file: '{folder / 'smtp.crt'}'}}" if ca else ""
    config = parse_config(f"""
global:
  smtp_smarthost: 127.0.0.1:{box.port}
  smtp_from: "Vigie 15 <vigie@samu.example>"
  smtp_auth_username: {USER}
  smtp_auth_password: {password}
route: {{receiver: noc}}
receivers:
  - name: noc
    email_configs:
      - to: "NOC <noc@samu.example>, astreinte@samu.example"
        send_resolved: true
        headers: {{X-Samu-Team: noc}}{tls}
""")
    ctx = NotifierContext(templates=Templates(lang=lang), registry=REGISTRY)
    (integration,) = build_integrations(config.receivers["noc"], ctx)
    return integration


def received(box: Mailbox, index: int = -1) -> EmailMessage:
    envelope, _, _ = box.messages[index]
    message = email.message_from_bytes(envelope.original_content or b"", policy=default)
    assert isinstance(message, EmailMessage)
    return message


def bodies(message: EmailMessage) -> tuple[str, str]:
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None and html is not None
    return str(text.get_content()), str(html.get_content())


def test_a_firing_group_arrives_over_starttls_with_auth_in_french(tmp_path: Path) -> None:
    with smtp_peer(tmp_path) as box:
        integration = email_integration(box, tmp_path)
        delivery = asyncio.run(integration.send(notification(alert(budget_remaining="0.42"))))
    assert delivery.ok, delivery.detail
    envelope, tls, authenticated = box.messages[0]
    assert (tls, authenticated) == (True, True)
    assert envelope.mail_from == "vigie@samu.example"
    assert envelope.rcpt_tos == ["noc@samu.example", "astreinte@samu.example"]
    message = received(box)
    assert message["Subject"] == (
        "[URGENT] Consommation rapide du budget d'erreur — SAMU 75 – Paris (SLO S1)"
    )
    assert message["From"] == "Vigie 15 <vigie@samu.example>"
    assert message["X-Samu-Team"] == "noc"
    assert message["Auto-Submitted"] == "auto-generated"
    text, html = bodies(message)
    for part in (text, html):
        assert "SAMU 75 – Paris" in part
        assert "14,4×" in part
        assert "42\u202f%" in part
        assert "https://vigie.example/samu/fr.health.samu075" in part
        assert "14/03/2036 03:12" in part  # Europe/Paris
    assert "Échecs d'établissement d'appel" in text
    assert "Échecs d&#39;établissement d&#39;appel" in html  # autoescaped


def test_firing_and_resolved_mails_of_a_group_share_one_thread(tmp_path: Path) -> None:
    ended = T0 + dt.timedelta(minutes=7)
    with smtp_peer(tmp_path) as box:
        integration = email_integration(box, tmp_path)
        asyncio.run(integration.send(notification(alert())))
        later = notification(alert(ends=ended), at=ended + dt.timedelta(seconds=30))
        asyncio.run(integration.send(later))
        other = notification(alert(samu="fr.health.samu971"), group_key='{}:{samu="971"}')
        asyncio.run(integration.send(other))
    firing, resolved, unrelated = (received(box, i) for i in range(3))
    assert resolved["Subject"].startswith("[RÉSOLU]")
    assert firing["Message-ID"] != resolved["Message-ID"]
    assert firing["References"] == resolved["References"] == resolved["In-Reply-To"]
    assert unrelated["References"] != firing["References"]
    assert firing["Message-ID"].endswith("@samu.example>")
    text, _ = bodies(unrelated)
    assert "22:12 heure locale (America/Guadeloupe)" in text  # overseas SAMU, UTC−4


def test_english_templates_are_available(tmp_path: Path) -> None:
    with smtp_peer(tmp_path) as box:
        integration = email_integration(box, tmp_path, lang="en")
        asyncio.run(integration.send(notification()))
    assert received(box)["Subject"] == "[PAGE] Error budget burning fast — SAMU 75 – Paris (SLO S1)"


@pytest.mark.parametrize(
    ("case", "password", "ca", "retryable", "detail"),
    [
        ("a wrong password is permanent", "wrong", True, False, "535"),
        ("an untrusted certificate is permanent", PASSWORD, False, False, "TLS"),
    ],
)
def test_permanent_smtp_failures_are_not_retried(
    tmp_path: Path, case: str, password: str, ca: bool, retryable: bool, detail: str
) -> None:
    with smtp_peer(tmp_path) as box:
        integration = email_integration(box, tmp_path, password=password, ca=ca)
        delivery = asyncio.run(integration.send(notification()))
    assert (delivery.ok, delivery.retryable) == (False, retryable), case
    assert detail in delivery.detail
    assert box.messages == []


def test_a_transient_smtp_reply_is_retried_until_accepted(tmp_path: Path) -> None:
    clock = FakeClock(T0)
    sleeper = FakeSleeper(clock)
    with smtp_peer(tmp_path, "451 4.3.0 Mailbox busy", "250 OK") as box:
        runner = Runner(clock=clock, sleeper=sleeper, backoff=Backoff(jitter=0))
        sink = ReceiverSink("noc", [email_integration(box, tmp_path)], runner)
        (delivery,) = asyncio.run(sink.deliver(notification()))
    assert (delivery.ok, delivery.attempts) == (True, 2)
    assert sleeper.waits == [1.0]
    assert len(box.messages) == 2


def test_a_refused_connection_is_retryable(tmp_path: Path) -> None:
    with smtp_peer(tmp_path) as box:
        integration = email_integration(box, tmp_path)
    delivery = asyncio.run(integration.send(notification()))  # the server has stopped
    assert (delivery.ok, delivery.retryable) == (False, True)
