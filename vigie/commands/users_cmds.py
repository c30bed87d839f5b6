"""`vigie users`: add and list accounts, issue API tokens (via the running instance if any)."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any

import click

from people.model import Principal, Role, parse_roles
from vigie.remote import api_call, with_state
from vigie.settings import Settings

if TYPE_CHECKING:
    from people.service import PeopleService
    from store.client import Store

# Who acts when the CLI works on the store directly: an administrator, audited as the CLI.
CLI = Principal("", "cli@local", frozenset({Role.ADMIN}), None, "cli")


def _people(store: Store) -> PeopleService:
    """The people service on the store (migrated first: the first admin may come before `up`)."""
    from store.audit import AuditLog
    from store.clock import SystemClock
    from store.migrations import migrate
    from vigie.people import build_people
    from vigie.schema import all_migrations

    migrate(store, migrations=all_migrations())
    clock = SystemClock()
    return build_people(store, clock, AuditLog(store, clock))


def _token(settings: Settings, given: str) -> str:
    from people.local_files import local_cli_token

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
        from people.errors import PeopleError
        from vigie.api.users import person_out

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
        lambda u: api_call(u, "POST", "/api/v1/users", _token(settings, token), body),
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

    def via_store(store: Store) -> list[dict[str, Any]]:
        from vigie.api.users import person_out

        return [person_out(p) for p in _people(store).accounts.list()]

    found = with_state(
        settings,
        url,
        lambda u: api_call(u, "GET", "/api/v1/users", _token(settings, token)),
        via_store,
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
        lambda u: api_call(u, "POST", path, _token(settings, token), {"label": label}),
        via_store,
    )
    click.echo(issued["token"])
