"""Row versions for tables kept as appended versions (accounts, API and agent tokens, sessions)."""

from __future__ import annotations

from store.clock import Clock


class Versions:
    """Increasing row versions from the clock, strictly increasing even when the clock stands."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._last = 0

    def next(self) -> int:
        self._last = max(self._clock.now_ns(), self._last + 1)
        return self._last
