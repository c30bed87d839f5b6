"""The voice-gateway notifier: text-to-speech calls to on-call staff through an HTTP gateway.

The gateway body is `{"to": …, "text_to_speech": …}`; the spoken text comes from the `voice`
template (no links: they cannot be heard).
"""

from __future__ import annotations

from dataclasses import dataclass

from alerts.notifiers.message import message_context
from alerts.notifiers.sms import BodyShape, Gateway
from alerts.notifiers.templates import Templates
from alerts.notifiers.transport import HttpOptions
from alerts.notify import Notification
from store.registry import Registry

VOICE_SHAPE = BodyShape(to_field="to", text_field="text_to_speech")


def voice_gateway(url: str, options: HttpOptions, shape: BodyShape = VOICE_SHAPE) -> Gateway:
    """A gateway client that asks for a call reading a text aloud."""
    return Gateway(url=url, options=options, shape=shape)


@dataclass(frozen=True)
class VoiceScript:
    """Writes what the voice call says for a notification."""

    templates: Templates
    registry: Registry | None = None

    def text(self, notification: Notification) -> str:
        """One paragraph to read aloud."""
        context = message_context(notification, self.registry, self.templates.lang)
        return " ".join(self.templates.render("voice", context).split())
