"""CLI commands reach state through the running instance's API, or the store when none runs."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click
import httpx

from store.errors import StoreError, StoreLocked
from vigie.instance import running_instance
from vigie.settings import Settings

if TYPE_CHECKING:
    from store.client import Store

T = TypeVar("T")


def token_for(settings: Settings) -> str:
    """The API token a CLI command uses: VIGIE_TOKEN, else the local instance's CLI token."""
    from people.local_files import local_cli_token

    return os.environ.get("VIGIE_TOKEN", "") or local_cli_token(settings.data_dir)


def api_request(
    url: str,
    method: str,
    path: str,
    token: str = "",
    body: Any = None,
    params: dict[str, Any] | None = None,
    timeout: float = 30,
    client: httpx.Client | None = None,
    content: bytes | None = None,
) -> httpx.Response:
    """Call a running instance (through `client` if given) with a JSON `body` or raw `content`;
    errors become click exceptions."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    send = client.request if client is not None else httpx.request
    try:
        response = send(
            method,
            f"{url.rstrip('/')}{path}",
            json=body,
            content=content,
            params=params,
            headers=headers,
            timeout=timeout,
        )
    except httpx.HTTPError as exc:
        raise click.ClickException(f"cannot reach the Vigie instance at {url}: {exc}") from exc
    if response.status_code >= 400:
        try:
            detail = response.json().get("detail", response.text)
        except ValueError:
            detail = response.text
        raise click.ClickException(f"{url}{path}: {response.status_code} {detail}")
    return response


def api_call(
    url: str,
    method: str,
    path: str,
    token: str = "",
    body: Any = None,
    params: dict[str, Any] | None = None,
    timeout: float = 30,
) -> Any:
    """Call a running instance and return its JSON answer; errors become click exceptions."""
    return api_request(url, method, path, token, body, params, timeout).json()


def api_get(url: str, path: str, params: dict[str, Any] | None = None, token: str = "") -> Any:
    """GET a JSON document from a running instance; errors become click exceptions."""
    return api_call(url, "GET", path, token, params=params)


def with_state(
    settings: Settings,
    url: str | None,
    via_api: Callable[[str], T],
    via_store: Callable[[Store], T],
) -> T:
    """Use `--url` if given, else the instance running on the data dir, else open the store."""
    target = url or (inst.url if (inst := running_instance(settings.data_dir)) else None)
    if target:
        return via_api(target)
    from store.client import open_store

    try:
        store = open_store(settings.dsn, settings.database)
    except StoreLocked as exc:
        raise click.ClickException(f"{exc}") from exc
    except StoreError as exc:
        raise click.ClickException(f"cannot open the store: {exc}") from exc
    try:
        return via_store(store)
    except StoreError as exc:  # e.g. a data dir never started: a sentence, not a traceback
        raise click.ClickException(f"cannot read the store at {settings.data_dir}: {exc}") from exc
    finally:
        store.close()
