"""Factories for the people and access tests: a people service and an app on a test store."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

import httpx
from fastapi import FastAPI
from prometheus_client import CollectorRegistry

from people.accounts import Accounts
from people.model import Role
from people.oidc import OidcClient, OidcConfig
from people.passwords import ScryptParams
from people.service import PeopleService
from people.sessions import Sessions
from people.throttle import LoginThrottle
from people.tokens import ApiTokens
from store.audit import AuditLog
from store.client import Store
from store.clock import FakeClock
from store.counts import CountsReader
from store.registry import load_registry
from vigie.access import POLICY, Access
from vigie.access_gate import install_access
from vigie.api.auth import create_auth_router
from vigie.api.deps import ApiContext
from vigie.api.users import create_users_router
from vigie.app import create_app

NOW = datetime(2026, 10, 1, 10, 5, tzinfo=UTC)
FAST = ScryptParams(n=2**10)  # cheap hashing: the tests check behaviour, not cost
PASSWORD = "correct horse battery"


def people_service(
    store: Store,
    clock: FakeClock,
    oidc: OidcConfig | None = None,
    http: httpx.Client | None = None,
    local_token: str = "",
) -> PeopleService:
    client = OidcClient(oidc, http or httpx.Client(), clock) if oidc else None
    return PeopleService(
        accounts=Accounts(store, clock, FAST),
        tokens=ApiTokens(store, clock),
        sessions=Sessions(store, clock),
        throttle=LoginThrottle(clock),
        audit=AuditLog(store, clock),
        clock=clock,
        oidc=client,
        secret=b"test-secret",
        local_token=local_token,
    )


def add(people: PeopleService, name: str, *roles: Role, samu: list[str] | None = None) -> str:
    """Create an account with the test password; returns its id."""
    return people.accounts.create(name, roles, "test", samu, PASSWORD).id


def app_for(
    store: Store,
    people: PeopleService,
    extra: list[object] | None = None,
    policy: Mapping[tuple[str, str], Access] = POLICY,
) -> FastAPI:
    """The full app (core, auth, users and `extra` routers, UI) behind the access gate."""
    ctx = ApiContext(
        store=store,
        registry=load_registry(),
        clock=people.clock,
        audit=people.audit,
        counts=CountsReader(store),
        metrics=CollectorRegistry(),
    )
    routers = [create_auth_router(people), create_users_router(people), *(extra or [])]
    app = create_app(ctx, routers, ui=True)
    install_access(app, people, policy)
    return app
