from __future__ import annotations

import pytest

from people.errors import PasswordRejected
from people.passwords import (
    DUMMY_HASH,
    ScryptParams,
    hash_password,
    needs_rehash,
    verify_password,
)

FAST = ScryptParams(n=2**10)


def test_a_password_verifies_against_its_own_hash_and_the_hash_carries_its_parameters() -> None:
    encoded = hash_password("correct horse battery", FAST)
    assert encoded.startswith("scrypt$1024$8$1$")
    assert "correct horse" not in encoded
    assert verify_password("correct horse battery", encoded)


@pytest.mark.parametrize(
    "attempt",
    ["correct horse batterY", "correct horse battery ", "", "x" * 5000],
    ids=["one letter differs", "trailing space", "empty", "absurdly long"],
)
def test_a_wrong_password_does_not_verify(attempt: str) -> None:
    assert not verify_password(attempt, hash_password("correct horse battery", FAST))


def test_the_same_password_hashes_differently_each_time_salt() -> None:
    assert hash_password("correct horse battery", FAST) != hash_password(
        "correct horse battery", FAST
    )


@pytest.mark.parametrize(
    "stored",
    ["", "plain", "scrypt$3$8$1$AA$AA", "scrypt$1024$8$1$!!$??", "pbkdf2$1$2$3$4$5"],
    ids=["empty", "not a hash", "n not a power of two", "bad base64", "other scheme"],
)
def test_a_malformed_stored_hash_never_verifies(stored: str) -> None:
    assert not verify_password("correct horse battery", stored)


def test_a_hash_made_with_weaker_parameters_asks_for_a_rehash() -> None:
    encoded = hash_password("correct horse battery", FAST)
    assert needs_rehash(encoded)
    assert not needs_rehash(encoded, FAST)


@pytest.mark.parametrize("password", ["short", "x" * 1025], ids=["too short", "too long"])
def test_a_password_outside_the_rule_is_rejected_with_the_rule(password: str) -> None:
    with pytest.raises(PasswordRejected, match="characters"):
        hash_password(password, FAST)


def test_the_dummy_hash_used_for_unknown_accounts_is_well_formed_and_matches_nothing() -> None:
    assert not needs_rehash(DUMMY_HASH)
    assert not verify_password("correct horse battery", DUMMY_HASH)
