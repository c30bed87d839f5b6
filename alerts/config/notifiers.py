"""Receivers and their notifier configurations, and the `global` block that gives them defaults.

Alertmanager's own notifiers (webhook, e-mail) keep its fields and defaults; SMS gateways,
forwarding to another Alertmanager and on-call escalation are Vigie's extensions. An e-mail
configuration takes every smtp_* value it leaves empty from `global` (`with_global_email`).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Literal

from pydantic import Field, StrictBool, model_validator

from alerts.config.fields import Duration, HostPort, Spec, Url
from alerts.secrets import SECRET, Opaque, Secret


class GlobalSpec(Spec):
    """The `global` block: defaults for the notifiers."""

    resolve_timeout: Duration = timedelta(minutes=5)
    http_config: Opaque | None = None
    smtp_from: str = ""
    smtp_hello: str = "localhost"
    smtp_smarthost: HostPort = ""
    smtp_auth_username: str = ""
    smtp_auth_password: Secret = ""
    smtp_auth_password_file: str = ""
    smtp_auth_secret: Secret = ""
    smtp_auth_identity: str = ""
    smtp_require_tls: StrictBool = True
    smtp_tls_config: Opaque | None = None


class WebhookSpec(Spec):
    """An Alertmanager webhook receiver (JSON body of Alertmanager's webhook format)."""

    send_resolved: StrictBool = True
    url: Annotated[Url | None, SECRET] = None  # may carry a token (Alertmanager SecretURL)
    url_file: str | None = None
    http_config: Opaque | None = None
    max_alerts: int = Field(0, ge=0)
    timeout: Duration | None = None

    @model_validator(mode="after")
    def _one_url(self) -> WebhookSpec:
        if (self.url is None) == (self.url_file is None):
            raise ValueError("one of url or url_file must be configured")
        return self


class EmailSpec(Spec):
    """An e-mail receiver; empty fields take the `global` smtp_* values."""

    send_resolved: StrictBool = False
    to: str = Field(min_length=1)
    from_: str = Field("", alias="from")
    hello: str = ""
    smarthost: HostPort = ""
    auth_username: str = ""
    auth_password: Secret = ""
    auth_password_file: str = ""
    auth_secret: Secret = ""
    auth_identity: str = ""
    headers: dict[str, str] = Field(default_factory=dict)
    html: str | None = None
    text: str | None = None
    require_tls: StrictBool | None = None
    tls_config: Opaque | None = None


class SmsSpec(Spec):
    """Vigie extension: an SMS gateway reached by an HTTP webhook."""

    send_resolved: StrictBool = False
    url: Annotated[Url, SECRET]  # a gateway URL may carry its API key
    # On-call staff numbers (E.164); never a caller's number.
    to: list[Annotated[str, Field(pattern=r"^\+?[0-9]{6,15}$")]] = Field(min_length=1)
    text: str | None = None  # Jinja2 template of the message
    http_config: Opaque | None = None
    max_alerts: int = Field(0, ge=0)
    timeout: Duration | None = None


class AlertmanagerForwardSpec(Spec):
    """Vigie extension: forward alerts to another Alertmanager (its /api/v2/alerts)."""

    send_resolved: StrictBool = True
    urls: list[Url] = Field(min_length=1)  # every member of an HA pair
    api_version: Literal["v2"] = "v2"
    http_config: Opaque | None = None
    timeout: Duration | None = None


class OnCallConfigSpec(Spec):
    """Vigie extension: open an incident and escalate it with an on-call escalation policy."""

    escalation_policy: str = Field(min_length=1)
    send_resolved: StrictBool = True  # a resolved group resolves its incident


class ReceiverSpec(Spec):
    """A named receiver and its notifier configurations."""

    name: str = Field(min_length=1)
    webhook_configs: list[WebhookSpec] | None = None
    email_configs: list[EmailSpec] | None = None
    sms_configs: list[SmsSpec] | None = None
    alertmanager_configs: list[AlertmanagerForwardSpec] | None = None
    oncall_configs: list[OnCallConfigSpec] | None = None


def with_global_email(receiver: ReceiverSpec, glob: GlobalSpec) -> ReceiverSpec:
    """The receiver with each e-mail configuration completed from the `global` smtp_* values."""
    emails = []
    for email in receiver.email_configs or []:
        password = not email.auth_password and not email.auth_password_file
        emails.append(
            email.model_copy(
                update={
                    "smarthost": email.smarthost or glob.smtp_smarthost,
                    "from_": email.from_ or glob.smtp_from,
                    "hello": email.hello or glob.smtp_hello,
                    "auth_username": email.auth_username or glob.smtp_auth_username,
                    "auth_password": glob.smtp_auth_password if password else email.auth_password,
                    "auth_password_file": (
                        glob.smtp_auth_password_file if password else email.auth_password_file
                    ),
                    "auth_secret": email.auth_secret or glob.smtp_auth_secret,
                    "auth_identity": email.auth_identity or glob.smtp_auth_identity,
                    "require_tls": (
                        glob.smtp_require_tls if email.require_tls is None else email.require_tls
                    ),
                    "tls_config": email.tls_config or glob.smtp_tls_config,
                }
            )
        )
    if receiver.email_configs is None:
        return receiver
    return receiver.model_copy(update={"email_configs": emails})


# The notifier types a receiver may list, as the error for an unknown one names them.
SUPPORTED_RECEIVERS = tuple(name for name in ReceiverSpec.model_fields if name.endswith("_configs"))
