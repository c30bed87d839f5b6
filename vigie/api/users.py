"""Account administration under /api/v1/users (admin only, by the access policy)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from people.errors import AccountError, PasswordRejected, UnknownAccount
from people.model import Person, parse_roles
from people.service import PeopleService
from vigie.access import principal_of
from vigie.api.auth import source_of


class NewUser(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(max_length=64)
    roles: list[str] = Field(min_length=1)
    samu_scope: list[str] | None = Field(None, description="SAMU ids; absent means every SAMU")
    password: str | None = Field(None, max_length=1024)
    display_name: str = Field("", max_length=200)
    email: str = Field("", max_length=200)


class NewPassword(BaseModel):
    model_config = ConfigDict(extra="forbid")

    password: str = Field(max_length=1024)


class Disabled(BaseModel):
    model_config = ConfigDict(extra="forbid")

    disabled: bool


class NewToken(BaseModel):
    model_config = ConfigDict(extra="forbid")

    label: str = Field("", max_length=100)
    expires_at: datetime | None = None


def person_out(person: Person) -> dict[str, Any]:
    """An account as shown to admins (never its password hash)."""
    return {
        "id": person.id,
        "name": person.name,
        "display_name": person.display_name,
        "email": person.email,
        "roles": sorted(person.roles),
        "samu_scope": None if person.samu_scope is None else sorted(person.samu_scope),
        "disabled": person.disabled,
        "source": person.source,
    }


def create_users_router(people: PeopleService) -> APIRouter:
    """The /api/v1/users routes; `{person_id}` also accepts an account name."""
    router = APIRouter(prefix="/api/v1/users", tags=["users"])

    def resolve(key: str) -> Person:
        try:
            return people.accounts.get(key)
        except UnknownAccount:
            found = people.accounts.by_name(key)
            if found is None:
                raise HTTPException(404, f"no account with id or name {key!r}") from None
            return found

    @router.get("", summary="Every account")
    def list_users() -> list[dict[str, Any]]:
        return [person_out(p) for p in people.accounts.list()]

    @router.post("", status_code=201, summary="Create an account")
    async def add_user(body: NewUser, request: Request) -> dict[str, Any]:
        try:
            roles = parse_roles(body.roles)
            person = await run_in_threadpool(
                people.add_user,
                principal_of(request),
                source_of(request),
                body.name,
                roles,
                body.samu_scope,
                body.password,
                body.display_name,
                body.email,
            )
        except (ValueError, AccountError, PasswordRejected) as exc:
            raise HTTPException(422, str(exc)) from None
        return person_out(person)

    @router.post("/{person_id}/password", summary="Set an account's password (ends its sessions)")
    def set_password(person_id: str, body: NewPassword, request: Request) -> dict[str, str]:
        person = resolve(person_id)
        try:
            people.set_password(principal_of(request), source_of(request), person.id, body.password)
        except PasswordRejected as exc:
            raise HTTPException(422, str(exc)) from None
        return {"status": "password set"}

    @router.post("/{person_id}/disabled", summary="Disable or enable an account")
    def set_disabled(person_id: str, body: Disabled, request: Request) -> dict[str, Any]:
        person = resolve(person_id)
        people.set_disabled(principal_of(request), source_of(request), person.id, body.disabled)
        return person_out(people.accounts.get(person.id))

    @router.get("/{person_id}/tokens", summary="An account's API tokens (never their secrets)")
    def list_tokens(person_id: str) -> list[dict[str, Any]]:
        return [t.public() for t in people.tokens.of_person(resolve(person_id).id)]

    @router.post("/{person_id}/tokens", status_code=201, summary="Issue an API token")
    def issue_token(person_id: str, body: NewToken, request: Request) -> dict[str, Any]:
        person = resolve(person_id)
        token, secret = people.issue_token(
            principal_of(request), source_of(request), person.id, body.label, body.expires_at
        )
        return token.public() | {"token": secret}

    @router.delete("/{person_id}/tokens/{token_id}", summary="Revoke an API token")
    def revoke_token(person_id: str, token_id: str, request: Request) -> dict[str, str]:
        person = resolve(person_id)
        if token_id not in {t.id for t in people.tokens.of_person(person.id)}:
            raise HTTPException(404, f"{person.name} has no API token {token_id!r}")
        people.revoke_token(principal_of(request), source_of(request), token_id)
        return {"status": "revoked"}

    return router
