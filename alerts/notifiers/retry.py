"""Retries with exponential backoff and seeded jitter, for retryable delivery failures only.

Time is injected: a `Clock` measures elapsed time and a `Sleeper` waits, so tests never sleep.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Protocol

from alerts.errors import AlertsError
from alerts.notify import Delivery
from store.clock import Clock


class NotifierError(AlertsError):
    """Root of the notifiers' errors."""


class DeliveryFailed(NotifierError):
    """One attempt to deliver failed; `retryable` says whether trying again may help."""

    def __init__(self, detail: str, retryable: bool) -> None:
        super().__init__(detail)
        self.detail = detail
        self.retryable = retryable


class Sleeper(Protocol):
    """Waits between attempts."""

    async def sleep(self, seconds: float) -> None: ...


class AsyncioSleeper:
    """The real sleeper: `asyncio.sleep`."""

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


@dataclass
class FakeSleeper:
    """A sleeper that records the waits and moves a fake clock instead of sleeping."""

    clock: object | None = None  # a FakeClock, advanced by each wait when given
    waits: list[float] = field(default_factory=list)

    async def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        advance = getattr(self.clock, "advance", None)
        if advance is not None:
            advance(timedelta(seconds=seconds))


@dataclass(frozen=True)
class Backoff:
    """The retry policy: exponential delays with full-range jitter, bounded in count and time."""

    initial: timedelta = timedelta(seconds=1)
    factor: float = 2.0
    max_delay: timedelta = timedelta(seconds=30)
    max_attempts: int = 5
    max_elapsed: timedelta = timedelta(minutes=2)  # the page must arrive within O2's 2 minutes
    jitter: float = 0.2  # each delay is scaled by a uniform factor in [1 - jitter, 1 + jitter]

    def delays(self, rng: random.Random) -> Iterator[float]:
        """Seconds to wait before attempt 2, 3, … (max_attempts - 1 of them)."""
        base = self.initial.total_seconds()
        cap = self.max_delay.total_seconds()
        for _ in range(self.max_attempts - 1):
            scale = rng.uniform(1 - self.jitter, 1 + self.jitter) if self.jitter else 1.0
            yield min(cap, base) * scale
            base *= self.factor


@dataclass(frozen=True)
class Attempt:
    """The outcome of one attempt."""

    number: int  # 1-based
    ok: bool
    retryable: bool
    detail: str
    seconds: float
    final: bool  # no attempt follows: success, permanent failure, or the policy gave up


def failed(integration: str, exc: DeliveryFailed) -> Delivery:
    """The `Delivery` of an attempt that raised `DeliveryFailed`."""
    return Delivery(integration=integration, ok=False, retryable=exc.retryable, detail=exc.detail)


async def with_retries(
    attempt: Callable[[], Awaitable[Delivery]],
    policy: Backoff,
    clock: Clock,
    sleeper: Sleeper,
    rng: random.Random,
    on_attempt: Callable[[Attempt], Awaitable[None]] | None = None,
) -> list[Attempt]:
    """Call `attempt` until it succeeds, fails permanently, or the policy gives up.

    Every attempt is reported to `on_attempt` and returned; exceptions from `attempt` propagate.
    """
    started = clock.now()
    delays = policy.delays(rng)
    done: list[Attempt] = []
    while True:
        began = clock.now()
        got = await attempt()
        seconds = max(0.0, (clock.now() - began).total_seconds())
        wait = None if got.ok or not got.retryable else next(delays, None)
        elapsed = (clock.now() - started).total_seconds()
        if wait is not None and elapsed + wait > policy.max_elapsed.total_seconds():
            wait = None
        result = Attempt(len(done) + 1, got.ok, got.retryable, got.detail, seconds, wait is None)
        done.append(result)
        if on_attempt is not None:
            await on_attempt(result)
        if wait is None:
            return done
        await sleeper.sleep(wait)
