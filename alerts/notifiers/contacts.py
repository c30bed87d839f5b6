"""The real `ContactSender` for on-call: e-mail, SMS, voice call or webhook to one person.

Messages use the `contact.*` templates (French by default); e-mails about one incident form one
thread. Retryable failures are retried and every attempt is recorded, with the person as the
receiver (`oncall:<person id>`) and the incident id as the group key.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from email.utils import parseaddr
from typing import Any, TypeVar

from alerts.notifiers.email import Mail, compose
from alerts.notifiers.message import PARIS, local_time
from alerts.notifiers.retry import DeliveryFailed, failed
from alerts.notifiers.runner import Runner, Subject
from alerts.notifiers.sms import SMS_LIMIT, Gateway, shorten
from alerts.notifiers.smtp import SmtpSettings, submit_async
from alerts.notifiers.templates import TemplateFailed, Templates
from alerts.notifiers.transport import HttpOptions, post_json
from alerts.notify import ContactMethod, Delivery, PersonMessage
from store.registry import Registry

_T = TypeVar("_T")


@dataclass(frozen=True)
class Channels:
    """The gateways that reach people; a missing one makes its contact kind fail clearly."""

    smtp: SmtpSettings | None = None
    mail_from: str = ""
    sms: Gateway | None = None
    voice: Gateway | None = None
    webhook: HttpOptions = field(default_factory=HttpOptions)
    sms_limit: int = SMS_LIMIT


def person_context(
    message: PersonMessage, registry: Registry | None, lang: str = "fr"
) -> dict[str, Any]:
    """The template context of a person message."""
    samu = []
    for samu_id in message.samu:
        found = registry.get(samu_id) if registry is not None else None
        overseas = found is not None and found.overseas
        samu.append(
            {
                "id": samu_id,
                "name": found.name if found is not None else samu_id,
                "local": local_time(message.at, found.zone, lang) if found and overseas else "",
            }
        )
    return {
        **dataclasses.asdict(message),
        "lang": lang,
        "samu": samu,
        "samu_names": [s["name"] for s in samu],
        "at": {"paris": local_time(message.at, PARIS, lang)},
    }


def webhook_body(message: PersonMessage) -> dict[str, Any]:
    """The JSON a person's webhook receives: the message fields, times in ISO 8601."""
    body = dataclasses.asdict(message)
    body["samu"] = list(message.samu)
    body["at"] = message.at.isoformat()
    return body


class ContactNotifier:
    """Sends person messages through SMTP, the SMS and voice gateways, or a webhook."""

    def __init__(
        self,
        channels: Channels,
        templates: Templates | None = None,
        registry: Registry | None = None,
        runner: Runner | None = None,
    ) -> None:
        self.channels = channels
        self.templates = templates or Templates()
        self.registry = registry
        self._runner = runner or Runner()

    async def send(self, contact: ContactMethod, message: PersonMessage) -> Delivery:
        """Deliver one message to one contact method, with retries; the final outcome."""
        name = f"{contact.kind}:{contact.name}"
        subject = Subject(
            receiver=f"oncall:{contact.person_id}",
            group_key=message.incident_id,
            status=message.kind,
            at=message.at,
            samu_ids=tuple(message.samu),
        )

        async def attempt() -> Delivery:
            try:
                detail = await self._once(contact, message)
            except DeliveryFailed as exc:
                return failed(name, exc)
            except TemplateFailed as exc:
                return Delivery(integration=name, ok=False, detail=str(exc))
            return Delivery(integration=name, ok=True, detail=detail)

        return await self._runner.run(name, subject, attempt)

    async def _once(self, contact: ContactMethod, message: PersonMessage) -> str:
        context = person_context(message, self.registry, self.templates.lang)
        kind = contact.kind
        if kind == "email":
            return await self._mail(contact.address, message, context)
        if kind == "sms":
            gateway = self._need(self.channels.sms, "SMS gateway")
            text = shorten(self.templates.render("contact.sms", context), self.channels.sms_limit)
            return await gateway.send(contact.address, text)
        if kind == "voice":
            gateway = self._need(self.channels.voice, "voice gateway")
            text = " ".join(self.templates.render("contact.voice", context).split())
            return await gateway.send(contact.address, text)
        if kind == "webhook":
            return await post_json(contact.address, webhook_body(message), self.channels.webhook)
        raise DeliveryFailed(f"unknown contact kind {kind!r}", False)

    async def _mail(self, to: str, message: PersonMessage, context: dict[str, Any]) -> str:
        smtp = self._need(self.channels.smtp, "SMTP server")
        mail = Mail(
            subject=self.templates.render("contact.subject", context),
            text=self.templates.render("contact.text", context),
            html=self.templates.render("contact.html", context),
        )
        sender = self.channels.mail_from
        email = compose(mail, sender, to, message.incident_id, message.kind, message.at)
        return await submit_async(smtp, email, parseaddr(sender)[1], [parseaddr(to)[1]])

    @staticmethod
    def _need(channel: _T | None, what: str) -> _T:
        if channel is None:
            raise DeliveryFailed(f"no {what} configured for on-call contacts", False)
        return channel
