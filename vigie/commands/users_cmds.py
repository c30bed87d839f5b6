"""`vigie users`: add and list accounts, issue API tokens (via the running instance if any)."""

from __future__ import annotations

import json
import sys
from typing import Any

import click
import httpx

from people.errors import PeopleError
from people.local_files import local_cli_token
from people.model import Principal, Role, parse_roles
from people.service import PeopleService
from store.audit import AuditLog
from store.client import Store
from store.clock import SystemClock
from store.migrations import migrate
from vigie.api.users import person_out
from vigie.people import build_people
from vigie.remote import with_state
from vigie.schema import all_migrations
from vigie.settings import Settings

CLI = Principal("", "cli@local", frozenset({Role.ADMIN}), None, "cli")


def _call(url: str, method: str, path: str, token: str, body: Any = None) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        response = httpx.request(
            method, f"{url.rstrip('/')}{path}", json=body, headers=headers, timeout=30
        )
    except httpx.HTTPError as exc:
        raise click.ClickException(f"cannot reach the Vigie instance at {url}: {exc}") from exc
    if response.status_code >= 400:
        try:
            detail = response.json().get("detail", response.text)
        except ValueError:
            detail = response.text
        raise click.ClickException(f"{path}: {response.status_code} {detail}")
    return response.json()


def _people(store: Store) -> PeopleService:
    """The people service on the store (migrated first: the first admin may come before `up`)."""
    migrate(store, migrations=all_migrations())
    clock = SystemClock()
    return build_people(store, clock, AuditLog(store, clock))


def _token(settings: Settings, given: str) -> str:
    return given or local_cli_token(settings.data_dir)


_url = click.option("--url", default=None, help="Base URL of a running instance.")
_tok = click.option("--token", envvar="VIGIE_TOKEN", default="", help="Admin API token.")


@click.group("users")
def users() -> None:
    """People and access: accounts, roles, SAMU scope and API tokens."""


@users.command("add")
@click.argument("name")
@click.option(
    "--role",
    "roles",
    multiple=True,
    required=True,
    type=click.Choice([r.value for r in Role]),
    help="Role (repeatable).",
)
@click.option("--samu", "samu", multiple=True, help="Scope to this SAMU id (repeatable).")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.option("--email", default="", help="E-mail address.")
@_url
@_tok
def add_cmd(
    name: str,
    roles: tuple[str, ...],
    samu: tuple[str, ...],
    password_stdin: bool,
    email: str,
    url: str | None,
    token: str,
) -> None:
    """Create an account (without a password it can only use single sign-on or tokens)."""
    settings = Settings()
    password = sys.stdin.readline().rstrip("\n") if password_stdin else None
    body = {
        "name": name,
        "roles": list(roles),
        "samu_scope": list(samu) or None,
        "password": password,
        "email": email,
    }

    def via_store(store: Store) -> dict[str, Any]:
        try:
            person = _people(store).add_user(
                CLI, "cli", name, parse_roles(roles), list(samu) or None, password, email=email
            )
        except (PeopleError, ValueError) as exc:
            raise click.ClickException(str(exc)) from exc
        return person_out(person)

    person = with_state(
        settings,
        url,
        lambda u: _call(u, "POST", "/api/v1/users", _token(settings, token), body),
        via_store,
    )
    click.echo(f"created {person['name']} ({', '.join(person['roles'])}) id {person['id']}")


@users.command("list")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@_url
@_tok
def list_cmd(fmt: str, url: str | None, token: str) -> None:
    """List the accounts."""
    settings = Settings()
    found = with_state(
        settings,
        url,
        lambda u: _call(u, "GET", "/api/v1/users", _token(settings, token)),
        lambda store: [person_out(p) for p in _people(store).accounts.list()],
    )
    if fmt == "json":
        click.echo(json.dumps(found, indent=2))
        return
    for p in found:
        scope = ",".join(p["samu_scope"]) if p["samu_scope"] is not None else "all SAMU"
        state = " (disabled)" if p["disabled"] else ""
        click.echo(f"{p['name']:<24} {','.join(p['roles']):<20} {scope:<24} {p['source']}{state}")


@users.command("token")
@click.argument("name")
@click.option("--label", default="cli", help="What the token is for.")
@_url
@_tok
def token_cmd(name: str, label: str, url: str | None, token: str) -> None:
    """Issue an API token for an account; it is printed once (use it as a Bearer token)."""
    settings = Settings()

    def via_store(store: Store) -> dict[str, Any]:
        people = _people(store)
        person = people.accounts.by_name(name)
        if person is None:
            raise click.ClickException(f"no account named {name!r}")
        issued, secret = people.issue_token(CLI, "cli", person.id, label)
        return issued.public() | {"token": secret}

    path = f"/api/v1/users/{name}/tokens"
    issued = with_state(
        settings,
        url,
        lambda u: _call(u, "POST", path, _token(settings, token), {"label": label}),
        via_store,
    )
    click.echo(issued["token"])


commands: list[click.Command] = [users]
