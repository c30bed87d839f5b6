"""Wiring of people and access: the people service from settings, the server secret, OIDC config."""

from __future__ import annotations

import logging
import secrets
from pathlib import Path

import httpx

from people.accounts import Accounts
from people.local_files import ADMIN_PASSWORD_FILE, SECRET_FILE, local_cli_token, private_file
from people.model import Role, parse_roles
from people.oidc import OidcClient, OidcConfig
from people.service import PeopleService
from people.sessions import Sessions
from people.throttle import LoginThrottle
from people.tokens import ApiTokens
from store.audit import AuditLog
from store.client import Store
from store.clock import Clock
from vigie.settings import Settings

log = logging.getLogger("vigie.people")


def parse_group_map(text: str) -> dict[str, tuple[str, ...]]:
    """`group=a+b;other=c` → {"group": ("a", "b"), "other": ("c",)} (roles or SAMU ids)."""
    out: dict[str, tuple[str, ...]] = {}
    for item in filter(None, (p.strip() for p in text.split(";"))):
        group, sep, values = item.partition("=")
        if not sep or not group.strip() or not values.strip():
            raise ValueError(f"bad group mapping {item!r}: expected group=value[+value]")
        out[group.strip()] = tuple(v.strip() for v in values.split("+") if v.strip())
    return out


def oidc_config(
    issuer: str,
    client_id: str,
    client_secret: str,
    redirect_uri: str,
    role_map: str,
    samu_map: str = "",
    groups_claim: str = "groups",
) -> OidcConfig:
    """The OIDC configuration from settings strings (role_map: `noc=on-call;ops=admin`)."""
    return OidcConfig(
        issuer=issuer,
        client_id=client_id,
        client_secret=client_secret,
        redirect_uri=redirect_uri,
        groups_claim=groups_claim,
        role_map={g: parse_roles(r) for g, r in parse_group_map(role_map).items()},
        samu_map={g: frozenset(s) for g, s in parse_group_map(samu_map).items()},
    )


def oidc_from(settings: Settings) -> OidcConfig | None:
    """The single sign-on configuration of the settings; None when no issuer is set."""
    s = settings
    if not s.oidc_issuer:
        return None
    return oidc_config(
        s.oidc_issuer,
        s.oidc_client_id,
        s.oidc_client_secret.get_secret_value(),
        s.oidc_redirect_uri or f"{s.public_url}/api/v1/auth/oidc/callback",
        s.oidc_role_map,
        s.oidc_samu_map,
        s.oidc_groups_claim,
    )


def build_people(
    store: Store,
    clock: Clock,
    audit: AuditLog,
    data_dir: Path | None = None,
    oidc: OidcConfig | None = None,
    http: httpx.Client | None = None,
) -> PeopleService:
    """The people service; with a data dir, its secret and local CLI token live there (0600)."""
    secret = private_file(data_dir / SECRET_FILE, 32) if data_dir else secrets.token_urlsafe(32)
    local = local_cli_token(data_dir, create=True) if data_dir else ""
    client = OidcClient(oidc, http or httpx.Client(), clock) if oidc else None
    return PeopleService(
        accounts=Accounts(store, clock),
        tokens=ApiTokens(store, clock),
        sessions=Sessions(store, clock),
        throttle=LoginThrottle(clock),
        audit=audit,
        clock=clock,
        oidc=client,
        secret=secret.encode(),
        local_token=local,
    )


def first_admin(people: PeopleService, data_dir: Path) -> None:
    """With no account at all, create `admin` with a random password written to the data dir."""
    if people.accounts.list():
        return
    password = private_file(data_dir / ADMIN_PASSWORD_FILE, 18)
    people.accounts.create("admin", [Role.ADMIN], actor="system", password=password)
    log.warning(
        "first start: created the account 'admin'; its password is in %s (change it)",
        data_dir / ADMIN_PASSWORD_FILE,
    )
