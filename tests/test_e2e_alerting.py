"""A page through the whole running platform: Alertmanager API → routing → on-call → e-mail."""

from __future__ import annotations

import email
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from tests.fixtures.platform import PlatformProcess, free_port

PAGE = [
    {
        "labels": {
            "alertname": "SLOBurnRate",
            "severity": "page",
            "samu": "fr.health.samu075",
            "slo": "s1-call-setup-success",
        },
        "annotations": {"summary": "Paris : échecs d'établissement d'appel"},
    }
]


@dataclass
class Mailbox:
    messages: list[Envelope] = field(default_factory=list)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.messages.append(envelope)
        return "250 OK"


def _wait_for(predicate: Any, what: str, timeout_s: float = 60.0) -> Any:
    deadline = time.monotonic() + timeout_s  # waiting for other processes, not timing them
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    box = Mailbox()
    port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    yield box, port
    controller.stop()


def test_a_page_reaches_the_person_on_call_by_email_and_an_ack_survives_a_restart(
    tmp_path: Path, mailbox: tuple[Mailbox, int]
) -> None:
    box, smtp_port = mailbox
    platform = PlatformProcess(
        tmp_path / "data",
        env={
            "VIGIE_SMTP_HOST": "127.0.0.1",
            "VIGIE_SMTP_PORT": str(smtp_port),
            "VIGIE_SMTP_REQUIRE_TLS": "false",
        },
    )
    platform.start()
    try:
        client = platform.client()
        on_call = client.get("/api/v1/oncall/now").json()[0]["on_call"][0]["id"]
        assert client.post("/api/v2/alerts", json=PAGE).status_code == 200
        incident = _wait_for(lambda: client.get("/api/v1/incidents").json(), "an incident to open")[
            0
        ]
        assert incident["samu"] == ["fr.health.samu075"]
        assert incident["escalation_policy"] == "noc-page"
        # Two e-mails: the page, and the entraide notice to the on-call of the backing SAMU
        # (SAMU 92 backs Paris; with the default on-call file it is the same NOC person).
        _wait_for(lambda: len(box.messages) >= 2, "the page and the entraide e-mails")
        subjects = sorted(
            str(
                email.header.make_header(
                    email.header.decode_header(
                        email.message_from_bytes(m.content)["Subject"]  # type: ignore[arg-type]
                    )
                )
            )
            for m in box.messages
        )
        assert [s.split("]")[0] for s in subjects] == ["[ASTREINTE", "[ENTRAIDE"]
        message = email.message_from_bytes(box.messages[0].content)  # type: ignore[arg-type]
        assert box.messages[0].rcpt_tos == [f"{on_call}@example.org"]
        assert "SAMU 75" in str(
            email.header.make_header(email.header.decode_header(message["Subject"]))
        )
        acked = client.post(
            f"/api/v1/incidents/{incident['id']}/ack", headers={"X-Vigie-User": on_call}
        )
        assert acked.status_code == 200 and acked.json()["state"] == "acknowledged"
        mails_before_restart = len(box.messages)

        client.close()
        assert platform.stop() == 0
        platform.start()
        client = platform.client()
        again = client.get(f"/api/v1/incidents/{incident['id']}").json()
        assert again["state"] == "acknowledged"
        assert len(box.messages) == mails_before_restart
        client.close()
    finally:
        platform.stop()


def test_a_bad_alert_payload_gets_a_clear_400(tmp_path: Path) -> None:
    platform = PlatformProcess(tmp_path / "data")
    platform.start()
    try:
        with platform.client() as client:
            response = client.post("/api/v2/alerts", json=[{"annotations": {}}])
        assert response.status_code == 400
        assert "label" in response.text.lower()
    finally:
        platform.stop()
