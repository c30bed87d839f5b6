"""Sending one e-mail over SMTP: implicit TLS on 465, STARTTLS when required, AUTH when given.

Follows Alertmanager's e-mail notifier: STARTTLS is mandatory when `require_tls` is set; the
login is done only with a username. Transient SMTP replies (4xx) and connection errors are
retryable; permanent replies (5xx), TLS and configuration errors are not.
"""

from __future__ import annotations

import asyncio
import smtplib
import ssl
from dataclasses import dataclass, field
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path

from alerts.config.notifiers import EmailSpec
from alerts.notifiers.retry import DeliveryFailed, NotifierError
from alerts.notifiers.transport import tls_context

DEFAULT_TIMEOUT = timedelta(seconds=30)


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to submit mail."""

    host: str
    port: int
    hello: str = "localhost"
    username: str = ""
    password: str = field(default="", repr=False)  # never printed
    require_tls: bool = True
    tls: ssl.SSLContext | None = None
    timeout: timedelta = DEFAULT_TIMEOUT

    @classmethod
    def from_spec(cls, spec: EmailSpec) -> SmtpSettings:
        """Settings of an e-mail receiver (already completed from the `global` block)."""
        host, _, port = spec.smarthost.rpartition(":")
        if not host or not port.isdigit():
            raise NotifierError(f"email: smarthost {spec.smarthost!r} is not host:port")
        password = spec.auth_password
        if not password and spec.auth_password_file:
            try:
                password = Path(spec.auth_password_file).read_text(encoding="utf-8").strip()
            except OSError as exc:
                raise NotifierError(f"email: cannot read auth_password_file: {exc}") from exc
        return cls(
            host=host.strip("[]"),
            port=int(port),
            hello=spec.hello or "localhost",
            username=spec.auth_username,
            password=password or spec.auth_secret,
            require_tls=True if spec.require_tls is None else spec.require_tls,
            tls=tls_context(spec.tls_config),
        )

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}"


def _code_failure(where: str, code: int, text: bytes | str) -> DeliveryFailed:
    message = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    return DeliveryFailed(f"SMTP {where}: {code} {message}".strip(), 400 <= code < 500)


def _login(client: smtplib.SMTP, settings: SmtpSettings, where: str) -> None:
    """Authenticate once with the best mechanism offered (as Alertmanager: no fallback loop)."""
    offered = (client.esmtp_features.get("auth") or "").upper().split()
    client.user, client.password = settings.username, settings.password
    for mechanism, method in (
        ("CRAM-MD5", client.auth_cram_md5),
        ("PLAIN", client.auth_plain),
        ("LOGIN", client.auth_login),
    ):
        if mechanism in offered:
            client.auth(mechanism, method)
            return
    raise DeliveryFailed(f"SMTP {where}: no supported AUTH mechanism in {offered}", False)


def submit(settings: SmtpSettings, message: EmailMessage, sender: str, to: list[str]) -> str:
    """Submit one message (blocking); return a detail or raise `DeliveryFailed`."""
    where = settings.where
    timeout = settings.timeout.total_seconds()
    context = settings.tls or ssl.create_default_context()
    try:
        if settings.port == 465:
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                settings.host, 465, settings.hello, timeout=timeout, context=context
            )
        else:
            client = smtplib.SMTP(settings.host, settings.port, settings.hello, timeout=timeout)
        with client:
            client.ehlo()
            if settings.port != 465 and settings.require_tls:
                if not client.has_extn("starttls"):
                    raise DeliveryFailed(f"SMTP {where}: STARTTLS required but not offered", False)
                client.starttls(context=context)
                client.ehlo()
            if settings.username:
                _login(client, settings, where)
            client.send_message(message, sender, to)
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _ in exc.recipients.values()]
        detail = f"SMTP {where}: recipients refused ({', '.join(map(str, codes))})"
        raise DeliveryFailed(detail, all(400 <= c < 500 for c in codes)) from exc
    except smtplib.SMTPResponseException as exc:  # sender refused, auth failed, data refused …
        raise _code_failure(where, exc.smtp_code, exc.smtp_error) from exc
    except smtplib.SMTPNotSupportedError as exc:
        raise DeliveryFailed(f"SMTP {where}: {exc}", False) from exc
    except ssl.SSLError as exc:  # before OSError: a certificate problem is not transient
        raise DeliveryFailed(f"SMTP {where}: TLS: {exc}", False) from exc
    except (smtplib.SMTPException, OSError) as exc:  # disconnected, refused, timed out
        raise DeliveryFailed(f"SMTP {where}: {type(exc).__name__}: {exc}", True) from exc
    return f"SMTP {where}: accepted for {len(to)} recipient(s)"


async def submit_async(
    settings: SmtpSettings, message: EmailMessage, sender: str, to: list[str]
) -> str:
    """`submit` in a worker thread, so the event loop keeps running."""
    return await asyncio.to_thread(submit, settings, message, sender, to)
