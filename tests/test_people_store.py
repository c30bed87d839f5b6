from __future__ import annotations

from datetime import timedelta

import pytest

from people.errors import AccountError, LoginFailed, LoginThrottled
from people.model import Role
from people.throttle import LoginThrottle, ThrottlePolicy
from store.client import Store
from store.clock import FakeClock
from tests.people_factory import NOW, PASSWORD, add, people_service


def test_an_account_is_created_listed_and_found_by_name_and_id(store: Store) -> None:
    people = people_service(store, FakeClock(NOW))
    person_id = add(people, "Alice", Role.ONCALL, samu=["fr.health.samu075"])
    found = people.accounts.by_name("alice")
    assert found is not None and found.id == person_id
    assert found.roles == {Role.ONCALL} and found.samu_scope == {"fr.health.samu075"}
    assert [p.name for p in people.accounts.list()] == ["alice"]
    assert people.accounts.get(person_id).name == "alice"


@pytest.mark.parametrize(
    ("name", "roles", "samu", "message"),
    [
        ("alice", [Role.VIEWER], None, "already exists"),
        ("bad name!", [Role.VIEWER], None, "invalid account name"),
        ("boss", [Role.ADMIN], ["fr.health.samu075"], "admin sees every SAMU"),
        ("empty", [Role.VIEWER], [], "at least one SAMU"),
    ],
    ids=["duplicate name", "bad characters", "scoped admin", "empty scope"],
)
def test_an_account_that_cannot_exist_is_refused_with_the_reason(
    store: Store, name: str, roles: list[Role], samu: list[str] | None, message: str
) -> None:
    people = people_service(store, FakeClock(NOW))
    add(people, "alice", Role.VIEWER)
    with pytest.raises(AccountError, match=message):
        people.accounts.create(name, roles, "test", samu)


def test_every_change_is_appended_and_the_latest_version_wins(store: Store) -> None:
    people = people_service(store, FakeClock(NOW))
    person_id = add(people, "alice", Role.VIEWER)
    people.accounts.set_disabled(person_id, True, "boss")
    people.accounts.set_disabled(person_id, False, "boss")
    assert not people.accounts.get(person_id).disabled
    rows = store.query("SELECT change, changed_by FROM {db}.people ORDER BY version")
    assert [tuple(r) for r in rows] == [("create", "test"), ("disable", "boss"), ("enable", "boss")]


def test_login_opens_a_session_and_failures_are_audited_without_the_password(store: Store) -> None:
    clock = FakeClock(NOW)
    people = people_service(store, clock)
    add(people, "alice", Role.VIEWER)
    with pytest.raises(LoginFailed):
        people.login("alice", "not the password", "10.0.0.9")
    login = people.login("alice", PASSWORD, "10.0.0.9")
    principal = people.from_session(login.secret)
    assert principal is not None and principal.name == "alice" and principal.via == "session"
    events = people.audit.query(limit=10)
    assert [(e.action, e.source) for e in reversed(events)] == [
        ("auth.login_failed", "10.0.0.9"),
        ("auth.login", "10.0.0.9"),
    ]
    text = str(store.query("SELECT * FROM {db}.audit_log")) + str(
        store.query("SELECT * FROM {db}.sessions")
    )
    assert PASSWORD not in text and "not the password" not in text and login.secret not in text


@pytest.mark.parametrize(
    ("steps", "alive"),
    [
        ([timedelta(minutes=29)], True),
        ([timedelta(minutes=30)], False),
        ([timedelta(minutes=20)] * 5, True),
        ([timedelta(minutes=20)] * 35, True),
        ([timedelta(minutes=20)] * 36, False),
    ],
    ids=[
        "29 idle minutes keep it",
        "30 idle minutes end it",
        "activity every 20 minutes keeps it",
        "activity keeps it for 11 h 40",
        "it ends at 12 hours whatever the activity",
    ],
)
def test_a_session_ends_when_idle_or_too_old(
    store: Store, steps: list[timedelta], alive: bool
) -> None:
    clock = FakeClock(NOW)
    people = people_service(store, clock)
    add(people, "alice", Role.VIEWER)
    secret = people.login("alice", PASSWORD, "").secret
    result = None
    for step in steps:
        clock.advance(step)
        result = people.from_session(secret)
    assert (result is not None) is alive


def test_logout_password_change_and_disabling_end_sessions_and_tokens(store: Store) -> None:
    clock = FakeClock(NOW)
    people = people_service(store, clock)
    admin = people.from_token(people.tokens.issue(add(people, "boss", Role.ADMIN), "t", "x")[1])
    assert admin is not None
    alice = add(people, "alice", Role.VIEWER)
    first, second = (people.login("alice", PASSWORD, "").secret for _ in range(2))
    people.logout(first, admin, "")
    assert people.from_session(first) is None and people.from_session(second) is not None
    people.set_password(admin, "", alice, "another long password")
    assert people.from_session(second) is None
    third = people.login("alice", "another long password", "").secret
    _, token = people.issue_token(admin, "", alice, "script")
    assert people.from_token(token) is not None
    people.set_disabled(admin, "", alice, True)
    assert people.from_session(third) is None and people.from_token(token) is None
    with pytest.raises(LoginFailed):
        people.login("alice", "another long password", "")


def test_an_api_token_works_until_it_expires_or_is_revoked(store: Store) -> None:
    clock = FakeClock(NOW)
    people = people_service(store, clock)
    alice = add(people, "alice", Role.VIEWER)
    short, short_secret = people.tokens.issue(alice, "ci", "test", NOW + timedelta(hours=1))
    _, long_secret = people.tokens.issue(alice, "cron", "test")
    assert people.from_token(short_secret) is not None
    clock.advance(timedelta(hours=1))
    assert people.from_token(short_secret) is None
    assert people.from_token(long_secret) is not None
    assert people.from_token(long_secret + "x") is None and people.from_token("vgt_") is None
    assert short.digest not in str(short.public())
    people.tokens.revoke_all(alice, "test")
    assert people.from_token(long_secret) is None


def test_throttling_locks_an_account_after_five_failures_and_recovers(store: Store) -> None:
    clock = FakeClock(NOW)
    people = people_service(store, clock)
    add(people, "alice", Role.VIEWER)
    for _ in range(5):
        with pytest.raises(LoginFailed):
            people.login("alice", "guess guess guess", "10.0.0.1")
    with pytest.raises(LoginThrottled) as locked:
        people.login("alice", PASSWORD, "10.0.0.2")  # right password, other address: still locked
    assert locked.value.retry_after_s == 15 * 60
    clock.advance(timedelta(minutes=15))
    assert people.login("alice", PASSWORD, "10.0.0.2").person.name == "alice"


@pytest.mark.parametrize(
    ("failures", "account_locked", "address_locked"),
    [
        ([("a", "ip1")] * 4, False, False),
        ([("a", "ip1")] * 5, True, False),
        ([(f"user{i}", "ip1") for i in range(20)], False, True),
    ],
    ids=["four failures lock nothing", "five lock the account", "twenty names lock the address"],
)
def test_the_throttle_counts_per_account_and_per_address(
    failures: list[tuple[str, str]], account_locked: bool, address_locked: bool
) -> None:
    clock = FakeClock(NOW)
    throttle = LoginThrottle(clock, ThrottlePolicy())
    for account, address in failures:
        throttle.failure(account, address)
        clock.advance(timedelta(seconds=1))
    assert bool(throttle.retry_after("a", "elsewhere")) is account_locked
    assert bool(throttle.retry_after("someone", "ip1")) is address_locked


def test_failures_older_than_the_window_are_forgotten() -> None:
    clock = FakeClock(NOW)
    throttle = LoginThrottle(clock)
    for _ in range(4):
        throttle.failure("a", "ip")
    clock.advance(timedelta(minutes=16))
    throttle.failure("a", "ip")
    assert throttle.retry_after("a", "ip") == 0
