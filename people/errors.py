"""The people package's errors: one tree, translated to HTTP answers at the API boundary."""

from __future__ import annotations


class PeopleError(Exception):
    """Base of every people and access error."""


class PasswordRejected(PeopleError):
    """A new password breaks the password rule (too short, too long)."""


class AccountError(PeopleError):
    """An account change cannot be made (unknown account, duplicate name, bad role or scope)."""


class UnknownAccount(AccountError):
    """No account has this id or name."""


class LoginFailed(PeopleError):
    """Wrong name or password, or a disabled account (the message never says which)."""


class LoginThrottled(PeopleError):
    """Too many failed logins for this account or address; retry after `retry_after_s`."""

    def __init__(self, retry_after_s: int) -> None:
        super().__init__(f"too many failed logins; retry in {retry_after_s} s")
        self.retry_after_s = retry_after_s


class OidcError(PeopleError):
    """Single sign-on failed: provider unreachable, bad state, or an ID token we refuse."""
