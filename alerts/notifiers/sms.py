"""The SMS notifier: a short French text POSTed as JSON to an SMS gateway, once per number.

The gateway body is `{"to": …, "text": …}` by default; `BodyShape` renames the fields and adds
constant ones for gateways that want another shape. A text longer than the limit (160
characters by default) is cut at a word and ends with "…".
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from alerts.config.notifiers import SmsSpec
from alerts.notifiers.message import message_context
from alerts.notifiers.retry import DeliveryFailed, failed
from alerts.notifiers.templates import TemplateFailed, Templates
from alerts.notifiers.transport import HttpOptions, post_json
from alerts.notify import Delivery, Notification
from store.registry import Registry

SMS_LIMIT = 160
_REMEMBERED = 256


def shorten(text: str, limit: int = SMS_LIMIT) -> str:
    """One line of at most `limit` characters, cut at a word boundary when possible."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:.-–—") + "…"


@dataclass(frozen=True)
class BodyShape:
    """The JSON body a gateway expects: field names, plus constant fields."""

    to_field: str = "to"
    text_field: str = "text"
    extra: Mapping[str, Any] = field(default_factory=dict)

    def body(self, to: str, text: str) -> dict[str, Any]:
        return {**self.extra, self.to_field: to, self.text_field: text}


@dataclass(frozen=True)
class Gateway:
    """An HTTP gateway (SMS or voice) that takes one recipient and one text per request."""

    url: str
    options: HttpOptions
    shape: BodyShape = BodyShape()

    async def send(self, to: str, text: str) -> str:
        """POST one message; return a detail or raise `DeliveryFailed`."""
        return await post_json(self.url, self.shape.body(to, text), self.options)


@dataclass
class SmsIntegration:
    """Texts every number of an `sms_configs` entry; a retry skips numbers already reached."""

    name: str
    spec: SmsSpec
    gateway: Gateway
    templates: Templates
    registry: Registry | None = None
    send_resolved: bool = False
    limit: int = SMS_LIMIT
    _reached: OrderedDict[tuple[str, str, float], set[str]] = field(default_factory=OrderedDict)

    def text(self, notification: Notification, ack_url: str = "") -> str:
        """The message text for a notification."""
        context = message_context(notification, self.registry, self.templates.lang, ack_url)
        return shorten(self.templates.render_text(self.spec.text, "sms", context), self.limit)

    async def send(self, notification: Notification) -> Delivery:
        """Text each number not yet reached for this notification."""
        try:
            text = self.text(notification)
        except TemplateFailed as exc:
            return Delivery(integration=self.name, ok=False, detail=str(exc))
        key = (notification.group_key, notification.status, notification.at.timestamp())
        reached = self._reached.setdefault(key, set())
        while len(self._reached) > _REMEMBERED:
            self._reached.popitem(last=False)
        problems: list[DeliveryFailed] = []
        for number in self.spec.to:
            if number in reached:
                continue
            try:
                await self.gateway.send(number, text)
            except DeliveryFailed as exc:
                problems.append(exc)
            else:
                reached.add(number)
        if problems:
            retryable = all(p.retryable for p in problems)
            detail = f"{len(problems)}/{len(self.spec.to)} number(s) failed: {problems[0].detail}"
            return failed(self.name, DeliveryFailed(detail, retryable))
        return Delivery(integration=self.name, ok=True, detail=f"{len(self.spec.to)} SMS sent")
