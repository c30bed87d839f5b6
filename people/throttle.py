"""Brute-force login throttling: too many failures per account or per address lock them a while."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta

from store.clock import Clock


@dataclass(frozen=True)
class ThrottlePolicy:
    """Failures allowed within `window` before a lock of `lockout`, per account and per address."""

    account_failures: int = 5
    address_failures: int = 20
    window: timedelta = timedelta(minutes=15)
    lockout: timedelta = timedelta(minutes=15)
    max_keys: int = 100_000  # memory bound: the oldest keys are forgotten first


@dataclass
class _Entry:
    failures: list[datetime]
    locked_until: datetime | None = None


class LoginThrottle:
    """Counts failed logins per account name and per client address (in this process)."""

    def __init__(self, clock: Clock, policy: ThrottlePolicy | None = None) -> None:
        self._clock = clock
        self.policy = policy or ThrottlePolicy()
        self._entries: OrderedDict[str, _Entry] = OrderedDict()

    def _keys(self, account: str, address: str) -> list[tuple[str, int]]:
        return [
            (f"account:{account.strip().lower()}", self.policy.account_failures),
            (f"address:{address}", self.policy.address_failures),
        ]

    def retry_after(self, account: str, address: str) -> int:
        """Seconds to wait before a login may be tried (0: allowed now)."""
        now = self._clock.now()
        wait = 0.0
        for key, _ in self._keys(account, address):
            entry = self._entries.get(key)
            if entry and entry.locked_until and entry.locked_until > now:
                wait = max(wait, (entry.locked_until - now).total_seconds())
        return int(-(-wait // 1))

    def failure(self, account: str, address: str) -> None:
        """Count a failed login; lock the account or address that reached its limit."""
        now = self._clock.now()
        for key, limit in self._keys(account, address):
            entry = self._entries.pop(key, None) or _Entry([])
            entry.failures = [t for t in entry.failures if now - t < self.policy.window]
            entry.failures.append(now)
            if len(entry.failures) >= limit:
                entry.locked_until = now + self.policy.lockout
                entry.failures = []
            self._entries[key] = entry
        while len(self._entries) > self.policy.max_keys:
            self._entries.popitem(last=False)

    def success(self, account: str, address: str) -> None:
        """A successful login clears the account's failures (not the address's lock)."""
        self._entries.pop(self._keys(account, address)[0][0], None)
