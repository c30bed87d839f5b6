"""HTTP delivery shared by the webhook-style notifiers: `http_config` mapping and POST outcome.

A 2xx answer is a success; 429, 5xx and connection errors are retryable; any other answer is a
permanent failure (the request itself is wrong, so sending it again cannot help).
"""

from __future__ import annotations

import functools
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from alerts.notifiers.retry import DeliveryFailed, NotifierError

DEFAULT_TIMEOUT = timedelta(seconds=10)
_KNOWN = {
    "basic_auth",
    "authorization",
    "bearer_token",
    "bearer_token_file",
    "tls_config",
    "follow_redirects",
    "proxy_url",
    "enable_http2",
}
_DETAIL_CHARS = 200


@dataclass(frozen=True)
class HttpOptions:
    """How to reach one endpoint: TLS verification, authentication and fixed headers."""

    verify: ssl.SSLContext | bool = True  # a context built once: httpx builds one per client
    auth: tuple[str, str] | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    follow_redirects: bool = True
    proxy: str | None = None
    timeout: timedelta = DEFAULT_TIMEOUT
    # Tests and embedders may inject a transport (e.g. httpx.MockTransport).
    transport: httpx.AsyncBaseTransport | None = None


def _secret(block: Mapping[str, Any], key: str) -> str:
    if block.get(key):
        return str(block[key])
    path = block.get(f"{key}_file")
    if path:
        try:
            return Path(str(path)).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise NotifierError(f"cannot read {key}_file {path}: {exc}") from exc
    return ""


def tls_context(tls: Mapping[str, Any] | None) -> ssl.SSLContext:
    """An SSL context from a Prometheus `tls_config` (ca_file, …); the system CAs by default."""
    tls = tls or {}
    if not tls:
        return _system_context()
    unknown = set(tls) - {"ca_file", "cert_file", "key_file", "server_name", "insecure_skip_verify"}
    if unknown:
        raise NotifierError(f"tls_config: unsupported fields {sorted(unknown)}")
    try:
        context = ssl.create_default_context(cafile=tls.get("ca_file") or None)
        if tls.get("cert_file"):
            context.load_cert_chain(tls["cert_file"], tls.get("key_file") or None)
    except (OSError, ssl.SSLError) as exc:
        raise NotifierError(f"tls_config: {exc}") from exc
    if tls.get("insecure_skip_verify"):
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


@functools.cache
def _system_context() -> ssl.SSLContext:
    return ssl.create_default_context()


def http_options(config: Mapping[str, Any] | None, timeout: timedelta | None = None) -> HttpOptions:
    """Map a Prometheus `http_config` block to `HttpOptions`; unsupported fields are errors."""
    config = config or {}
    unknown = set(config) - _KNOWN
    if unknown:
        raise NotifierError(f"http_config: unsupported fields {sorted(unknown)}")
    headers: dict[str, str] = {}
    auth = None
    if basic := config.get("basic_auth"):
        auth = (str(basic.get("username", "")), _secret(basic, "password"))
    if authorization := config.get("authorization"):
        kind = str(authorization.get("type", "Bearer"))
        headers["Authorization"] = f"{kind} {_secret(authorization, 'credentials')}"
    elif token := _secret(config, "bearer_token"):
        headers["Authorization"] = f"Bearer {token}"
    return HttpOptions(
        verify=tls_context(config.get("tls_config")),
        auth=auth,
        headers=headers,
        follow_redirects=bool(config.get("follow_redirects", True)),
        proxy=config.get("proxy_url") or None,
        timeout=timeout or DEFAULT_TIMEOUT,
    )


def redact(url: str) -> str:
    """The URL without credentials, path or query, which may hold tokens (as Alertmanager)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname or ''}" + (f":{parts.port}" if parts.port else "")


async def post_json(url: str, body: Any, options: HttpOptions) -> str:
    """POST `body` as JSON; return a short detail on 2xx, raise `DeliveryFailed` otherwise."""
    where = redact(url)
    try:
        async with httpx.AsyncClient(
            verify=options.verify,
            auth=options.auth,
            headers=dict(options.headers),
            follow_redirects=options.follow_redirects,
            proxy=options.proxy,
            timeout=options.timeout.total_seconds(),
            transport=options.transport,
        ) as client:
            response = await client.post(url, json=body)
    except httpx.TimeoutException as exc:
        raise DeliveryFailed(f"POST {where}: timeout ({type(exc).__name__})", True) from exc
    except httpx.HTTPError as exc:
        raise DeliveryFailed(f"POST {where}: {type(exc).__name__}: {exc}", True) from exc
    code = response.status_code
    if 200 <= code < 300:
        return f"HTTP {code}"
    text = response.text[:_DETAIL_CHARS].strip()
    retryable = code == 429 or code >= 500
    raise DeliveryFailed(f"POST {where}: HTTP {code} {text}".rstrip(), retryable)
