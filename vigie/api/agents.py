"""Agent tokens under /api/v1/agents (admin only, by the access policy): add, list, rotate, revoke.

A token's secret is in the answer to `add` and `rotate` only; every change is audited by
collector.agent_auth.AgentTokens with the admin's name and address.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from collector.agent_auth import AgentTokenError, AgentTokens, UnknownAgentToken
from vigie.access import principal_of
from vigie.api.auth import source_of


class NewAgentToken(BaseModel):
    model_config = ConfigDict(extra="forbid")

    samu_ids: list[str] = Field(min_length=1, max_length=200)
    label: str = Field("", max_length=100, description="What the token is for (site, host).")


def create_agents_router(tokens: AgentTokens) -> APIRouter:
    """The /api/v1/agents routes over one AgentTokens (share it with the collector's AgentAuth)."""
    router = APIRouter(prefix="/api/v1/agents", tags=["agents"])

    @router.get("", summary="Every agent token (never its secret)")
    def list_tokens() -> list[dict[str, Any]]:
        return [t.public() for t in tokens.list()]

    @router.post("", status_code=201, summary="Issue an agent token bound to SAMU ids")
    async def add(body: NewAgentToken, request: Request) -> dict[str, Any]:
        actor, source = principal_of(request).name, source_of(request)
        try:
            token, secret = await run_in_threadpool(
                tokens.add, body.samu_ids, body.label, actor, source
            )
        except AgentTokenError as exc:
            raise HTTPException(422, str(exc)) from None
        return token.public() | {"token": secret}

    @router.post("/{token_id}/rotate", summary="A new secret for a token (the old one stops)")
    def rotate(token_id: str, request: Request) -> dict[str, Any]:
        try:
            token, secret = tokens.rotate(token_id, principal_of(request).name, source_of(request))
        except AgentTokenError as exc:
            raise HTTPException(_status(exc), str(exc)) from None
        return token.public() | {"token": secret}

    @router.delete("/{token_id}", summary="Revoke an agent token")
    def revoke(token_id: str, request: Request) -> dict[str, Any]:
        try:
            token = tokens.revoke(token_id, principal_of(request).name, source_of(request))
        except AgentTokenError as exc:
            raise HTTPException(_status(exc), str(exc)) from None
        return token.public()

    return router


def _status(exc: AgentTokenError) -> int:
    return 404 if isinstance(exc, UnknownAgentToken) else 409
