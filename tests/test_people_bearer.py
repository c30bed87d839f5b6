"""The token core: one format, digest, comparison and liveness for agent, API, CLI and session
tokens; the local CLI token file keeps working across the change of its format."""

from __future__ import annotations

import logging
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from collector.agent_auth import AgentTokens
from people import bearer
from people.local_files import CLI_TOKEN_FILE, local_cli_token
from people.sessions import Sessions
from people.tokens import ApiTokens
from store.audit import AuditLog
from store.client import Store
from store.clock import FakeClock
from store.registry import load_registry

NOW = datetime(2030, 3, 1, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("kind", "prefix"), [(bearer.AGENT, "vga_"), (bearer.API, "vgt_"), (bearer.SESSION, "vgs_")]
)
def test_each_kind_mints_long_random_secrets_with_its_own_prefix(
    kind: bearer.Kind, prefix: str
) -> None:
    minted = {kind.mint() for _ in range(50)}
    assert len(minted) == 50
    assert all(s.startswith(prefix) and len(s) == len(prefix) + 43 for s in minted)
    assert all(kind.accepts(s) for s in minted)


def test_a_secret_of_another_kind_or_of_an_absurd_length_has_no_digest() -> None:
    agent, api = bearer.AGENT.mint(), bearer.API.mint()
    assert bearer.API.digest_of(agent) is None and bearer.AGENT.digest_of(api) is None
    assert bearer.API.digest_of("vgt_" + "x" * bearer.MAX_LENGTH) is None
    assert bearer.API.digest_of(api) == bearer.digest(api)


def test_digests_are_stable_sha256_and_comparison_is_exact() -> None:
    assert bearer.digest("vgt_abc") == bearer.digest("vgt_abc") != bearer.digest("vgt_abd")
    assert len(bearer.digest("vgt_abc")) == 64
    assert bearer.same("abc", "abc") and not bearer.same("abc", "abd")
    assert not bearer.same("abc", "abcd")


@pytest.mark.parametrize(
    ("revoked", "expires_in", "live"),
    [
        (False, None, True),
        (True, None, False),
        (False, timedelta(seconds=1), True),
        (False, timedelta(0), False),
        (False, timedelta(seconds=-1), False),
        (True, timedelta(days=1), False),
    ],
)
def test_a_token_is_live_until_revoked_or_expired(
    revoked: bool, expires_in: timedelta | None, live: bool
) -> None:
    expires_at = NOW + expires_in if expires_in is not None else None
    assert bearer.live(revoked, expires_at, NOW) is live


def test_agent_api_and_session_secrets_all_come_from_the_core(store: Store) -> None:
    clock = FakeClock(NOW)
    agents = AgentTokens(store, clock, AuditLog(store, clock), load_registry())
    _, agent = agents.add(["fr.health.samu075"], "site", "test")
    _, api = ApiTokens(store, clock).issue("someone", "script", "test")
    _, session = Sessions(store, clock).open("someone", "127.0.0.1")
    assert bearer.AGENT.accepts(agent) and bearer.API.accepts(api)
    assert bearer.SESSION.accepts(session)
    stored = store.query("SELECT digest FROM {db}.agent_tokens")
    assert stored == [(bearer.digest(agent),)]


def test_an_expired_api_token_stops_working_at_its_expiry(store: Store) -> None:
    clock = FakeClock(NOW)
    tokens = ApiTokens(store, clock)
    _, secret = tokens.issue("someone", "script", "test", expires_at=NOW + timedelta(hours=1))
    assert tokens.verify(secret) is not None
    clock.advance(timedelta(hours=1))
    assert tokens.verify(secret) is None


def test_the_local_cli_token_is_made_private_with_the_api_prefix(tmp_path: Path) -> None:
    assert local_cli_token(tmp_path) == ""
    made = local_cli_token(tmp_path, create=True)
    path = tmp_path / CLI_TOKEN_FILE
    assert bearer.API.accepts(made) and path.read_text() == made
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert local_cli_token(tmp_path) == local_cli_token(tmp_path, create=True) == made


def test_an_old_cli_token_file_keeps_its_token_and_is_rewritten_with_the_prefix(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / CLI_TOKEN_FILE
    path.write_text("Q" * 43)  # the form written before the prefix was stored
    path.chmod(0o600)
    assert local_cli_token(tmp_path) == "vgt_" + "Q" * 43  # the CLI reads it as before
    assert path.read_text() == "Q" * 43  # and a read-only use changes nothing
    with caplog.at_level(logging.WARNING):
        assert local_cli_token(tmp_path, create=True) == "vgt_" + "Q" * 43
    assert path.read_text() == "vgt_" + "Q" * 43
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert "now holds its vgt_ prefix (same token)" in caplog.text


@pytest.mark.parametrize("text", ["", "\n", "short", "vgt_"])
def test_an_empty_or_truncated_cli_token_file_is_never_a_token(tmp_path: Path, text: str) -> None:
    path = tmp_path / CLI_TOKEN_FILE
    path.write_text(text)
    assert local_cli_token(tmp_path) == ""
    made = local_cli_token(tmp_path, create=True)
    assert bearer.API.accepts(made) and len(made) == 47 and path.read_text() == made
