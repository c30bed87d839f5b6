"""`vigie agents`: issue, list, rotate and revoke SAMU agent tokens (via the running instance)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import quote

import click

from vigie.remote import api_call, token_for, with_state
from vigie.settings import Settings

if TYPE_CHECKING:
    from collector.agent_auth import AgentTokens
    from store.client import Store

CLI_ACTOR = "cli@local"
T = TypeVar("T")


def _run(
    url: str | None,
    token: str,
    method: str,
    path: str,
    body: Any,
    via_store: Callable[[AgentTokens], T],
) -> T | Any:
    """Through the running instance's API, else on the store (migrated, audited as the CLI)."""
    settings = Settings()

    def on_store(store: Store) -> T:
        from collector.agent_auth import AgentTokenError, AgentTokens
        from store.audit import AuditLog
        from store.clock import SystemClock
        from store.migrations import migrate
        from store.registry import load_registry
        from vigie.schema import all_migrations

        migrate(store, migrations=all_migrations())
        clock = SystemClock()
        tokens = AgentTokens(store, clock, AuditLog(store, clock), load_registry())
        try:
            return via_store(tokens)
        except AgentTokenError as exc:
            raise click.ClickException(str(exc)) from exc

    return with_state(
        settings,
        url,
        lambda u: api_call(u, method, path, token or token_for(settings), body),
        on_store,
    )


_url = click.option("--url", default=None, help="Base URL of a running instance.")
_tok = click.option("--token", envvar="VIGIE_TOKEN", default="", help="Admin API token.")


@click.group("agents")
def agents() -> None:
    """Agent tokens: each SAMU agent sends `Authorization: Bearer vga_…` bound to its SAMU."""


@agents.command("add")
@click.option("--samu", "samu", multiple=True, required=True, help="SAMU id (repeatable).")
@click.option("--label", default="", help="What the token is for (site, host).")
@_url
@_tok
def add_cmd(samu: tuple[str, ...], label: str, url: str | None, token: str) -> None:
    """Issue a token bound to the SAMU ids; the secret is printed once, on standard output."""
    body = {"samu_ids": list(samu), "label": label}

    def via_store(tokens: AgentTokens) -> dict[str, Any]:
        made, secret = tokens.add(samu, label, CLI_ACTOR, "cli")
        return made.public() | {"token": secret}

    made = _run(url, token, "POST", "/api/v1/agents", body, via_store)
    click.echo(f"agent token {made['id']} for {', '.join(made['samu_ids'])}", err=True)
    click.echo(made["token"])


@agents.command("list")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@_url
@_tok
def list_cmd(fmt: str, url: str | None, token: str) -> None:
    """List the agent tokens (never their secrets)."""
    found = _run(
        url, token, "GET", "/api/v1/agents", None, lambda t: [x.public() for x in t.list()]
    )
    if fmt == "json":
        click.echo(json.dumps(found, indent=2))
        return
    for t in found:
        state = "revoked" if t["revoked"] else "live"
        click.echo(f"{t['id']}  {state:<7} {','.join(t['samu_ids']):<40} {t['label']}")


@agents.command("rotate")
@click.argument("token_id")
@_url
@_tok
def rotate_cmd(token_id: str, url: str | None, token: str) -> None:
    """Give a token a new secret (printed once); the old secret stops working at once."""

    def via_store(tokens: AgentTokens) -> dict[str, Any]:
        rotated, secret = tokens.rotate(token_id, CLI_ACTOR, "cli")
        return rotated.public() | {"token": secret}

    path = f"/api/v1/agents/{quote(token_id, safe='')}/rotate"
    rotated = _run(url, token, "POST", path, None, via_store)
    click.echo(rotated["token"])


@agents.command("revoke")
@click.argument("token_id")
@_url
@_tok
def revoke_cmd(token_id: str, url: str | None, token: str) -> None:
    """Revoke a token for good."""
    path = f"/api/v1/agents/{quote(token_id, safe='')}"
    _run(url, token, "DELETE", path, None, lambda t: t.revoke(token_id, CLI_ACTOR, "cli").public())
    click.echo(f"revoked agent token {token_id}")
