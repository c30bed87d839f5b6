"""Running one delivery: attempts with retries, each one logged, counted and recorded."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime

from alerts.notifiers.attempts import AttemptRecord, AttemptRecorder
from alerts.notifiers.retry import AsyncioSleeper, Attempt, Backoff, Sleeper, with_retries
from alerts.notifiers.selfmetrics import NotifierMetrics
from alerts.notify import Delivery
from store.clock import Clock, SystemClock
from store.errors import StoreError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Subject:
    """What is being delivered, as the attempt log describes it."""

    receiver: str  # a receiver name, or `oncall:<person id>` for a person
    group_key: str  # an alert group key, or an incident id
    status: str  # firing / resolved, or the person message kind
    at: datetime  # when the notification was made
    alerts: int = 0
    samu_ids: tuple[str, ...] = ()


class Runner:
    """Delivers with retries for retryable failures; records every attempt."""

    def __init__(
        self,
        *,
        recorder: AttemptRecorder | None = None,
        metrics: NotifierMetrics | None = None,
        clock: Clock | None = None,
        sleeper: Sleeper | None = None,
        backoff: Backoff | None = None,
        seed: int = 0,
    ) -> None:
        self._recorder = recorder
        self._metrics = metrics
        self._clock = clock or SystemClock()
        self._sleeper = sleeper or AsyncioSleeper()
        self._backoff = backoff or Backoff()
        self._seed = seed
        # One writer thread: the store keeps one client per thread, so reuse the same one.
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="vigie-attempts")

    def close(self) -> None:
        """Stop the writer thread (pending records are written first)."""
        self._executor.shutdown(wait=True)

    async def run(
        self, name: str, subject: Subject, attempt: Callable[[], Awaitable[Delivery]]
    ) -> Delivery:
        """Attempt until done; the final `Delivery` counts the attempts made."""
        began = self._clock.now()
        rng = random.Random(f"{self._seed}/{subject.receiver}/{name}/{subject.group_key}")

        async def guarded() -> Delivery:
            try:
                return await attempt()
            except Exception as exc:  # a broken integration must not stop the others
                log.exception("integration %s of %s raised", name, subject.receiver)
                detail = f"internal error: {type(exc).__name__}: {exc}"
                return Delivery(integration=name, ok=False, detail=detail)

        async def record(result: Attempt) -> None:
            await self._record(name, subject, result)

        attempts = await with_retries(
            guarded, self._backoff, self._clock, self._sleeper, rng, record
        )
        last = attempts[-1]
        if self._metrics is not None:
            seconds = (self._clock.now() - began).total_seconds()
            self._metrics.delivery(name, last.ok, seconds)
        return Delivery(
            integration=name,
            ok=last.ok,
            retryable=last.retryable,
            detail=last.detail,
            attempts=len(attempts),
        )

    async def _record(self, name: str, subject: Subject, result: Attempt) -> None:
        if self._metrics is not None:
            self._metrics.attempt(name, result.ok, result.retryable)
        if not result.ok:
            log.warning(
                "notification to %s/%s failed (attempt %d%s): %s",
                subject.receiver,
                name,
                result.number,
                ", giving up" if result.final else ", will retry",
                result.detail,
            )
        if self._recorder is None:
            return
        row = AttemptRecord(
            at=self._clock.now(),
            receiver=subject.receiver,
            integration=name,
            group_key=subject.group_key,
            status=subject.status,
            notification_at=subject.at,
            alerts=subject.alerts,
            samu_ids=subject.samu_ids,
            attempt=result.number,
            ok=result.ok,
            retryable=result.retryable,
            final=result.final,
            detail=result.detail,
            duration_s=result.seconds,
        )
        loop = asyncio.get_running_loop()
        try:
            await loop.run_in_executor(self._executor, self._recorder.record, row)
        except StoreError:  # the page matters more than its record
            log.exception("cannot record the attempt of %s/%s", subject.receiver, name)
