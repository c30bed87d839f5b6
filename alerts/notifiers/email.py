"""The e-mail notifier: a French (by default) HTML + text message per notification.

Messages of one alert group form one thread in mail clients: each has its own `Message-ID` and
refers (`In-Reply-To`, `References`) to a stable root id derived from the group key, so the
firing and the resolved mails of a group sit together.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, getaddresses, parseaddr
from typing import Any

from alerts.config.notifiers import EmailSpec
from alerts.notifiers.message import message_context
from alerts.notifiers.retry import DeliveryFailed, failed
from alerts.notifiers.smtp import SmtpSettings, submit_async
from alerts.notifiers.templates import TemplateFailed, Templates, is_go_template
from alerts.notify import Delivery, Notification
from store.registry import Registry


def thread_ids(group_key: str, stamp: str, domain: str) -> tuple[str, str]:
    """(this message's id, the group's root id) for the `Message-ID`/`References` headers."""
    digest = hashlib.sha256(group_key.encode("utf-8")).hexdigest()[:32]
    return f"<vigie15.{digest}.{stamp}@{domain}>", f"<vigie15.{digest}@{domain}>"


@dataclass(frozen=True)
class Mail:
    """The parts of a message, rendered."""

    subject: str
    text: str
    html: str


def compose(
    mail: Mail,
    sender: str,
    to: str,
    thread: str,
    status: str,
    at: datetime,
    headers: Mapping[str, str] | None = None,
) -> EmailMessage:
    """A multipart/alternative message (text, HTML) threaded with the others of `thread`."""
    message = EmailMessage()
    domain = parseaddr(sender)[1].rpartition("@")[2] or "vigie15.local"
    message_id, root = thread_ids(thread, f"{status}.{int(at.timestamp() * 1000)}", domain)
    message["From"] = sender
    message["To"] = to
    message["Subject"] = " ".join(mail.subject.split())
    message["Date"] = format_datetime(at)
    message["Message-ID"] = message_id
    message["In-Reply-To"] = root
    message["References"] = root
    message["Auto-Submitted"] = "auto-generated"
    message["X-Vigie-Status"] = status
    for name, value in (headers or {}).items():
        del message[name]
        message[name] = value
    message.set_content(mail.text + "\n")
    message.add_alternative(mail.html + "\n", subtype="html")
    return message


def recipients(to: str) -> list[str]:
    """The addresses of a `to` field such as `"NOC <noc@a.fr>, b@a.fr"`."""
    return [address for _, address in getaddresses([to]) if address]


@dataclass
class EmailIntegration:
    """Sends one e-mail per notification to the receiver's `to` addresses."""

    name: str
    spec: EmailSpec
    settings: SmtpSettings
    templates: Templates
    registry: Registry | None = None
    send_resolved: bool = False

    def render(self, notification: Notification, ack_url: str = "") -> EmailMessage:
        """The message this integration sends for a notification."""
        context: dict[str, Any] = message_context(
            notification, self.registry, self.templates.lang, ack_url
        )
        mail = Mail(
            subject=self.templates.render("email.subject", context),
            text=self.templates.render_text(self.spec.text, "email.text", context),
            html=self.templates.render_text(self.spec.html, "email.html", context),
        )
        headers = {  # Alertmanager's `{{ template "…" . }}` headers keep our defaults
            name: self.templates.render_inline(value, context)
            for name, value in self.spec.headers.items()
            if not is_go_template(value)
        }
        return compose(
            mail,
            self.spec.from_,
            self.spec.to,
            notification.group_key,
            notification.status,
            notification.at,
            headers,
        )

    async def send(self, notification: Notification) -> Delivery:
        """Render and submit once; a failed delivery says whether it is worth retrying."""
        try:
            message = self.render(notification)
        except TemplateFailed as exc:
            return Delivery(integration=self.name, ok=False, detail=str(exc))
        to = recipients(self.spec.to)
        try:
            detail = await submit_async(self.settings, message, parseaddr(self.spec.from_)[1], to)
        except DeliveryFailed as exc:
            return failed(self.name, exc)
        return Delivery(integration=self.name, ok=True, detail=detail)
