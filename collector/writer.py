"""The batching writer: group commit of decoded requests into ClickHouse, 200 only when durable.

One writer task drains a queue bounded in points and in age (past `max_queue_age_s` of the
oldest export waiting, new exports get Overloaded, a 503, at once); each batch is converted
(cumulative → delta, dedup, late points merged with their stored neighbours: collector.tracker)
and inserted on one dedicated thread, in one insert per table. Only then is the delta state
committed and every request of the batch answered. If the store fails, every request of the
batch fails with StoreUnavailable (503 for the sender, who retries).

An insert into `points` can fail half-way (some of its materialized views written, others not),
and so can a process killed during it. Every batch therefore carries a unique deduplication
token and is kept in the insert journal until it is complete; an unfinished batch is inserted
again with its token before anything else (the next batch, or the next start), so each table
ends up holding it exactly once. Only then is its state committed: the senders' retries are
recognised as duplicates, never counted twice. A batch the store refuses for good (not a
transient failure) is dropped instead, and the state of its series is re-read from
`series_last`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections import deque
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from collector.delta import SeriesState
from collector.errors import Overloaded
from collector.journal import InsertJournal, JournalEntry
from collector.model import Decoded, WriteResult
from collector.neighbours import stored_neighbours
from collector.rows import (
    POINT_COLUMNS,
    POINT_COLUMNS_V1,
    SPAN_COLUMNS,
    Intake,
    accepted_per_samu,
    intake_rows,
    span_row,
)
from collector.series_state import STATE_RETENTION_NS, load_series_state
from collector.tracker import DeltaTracker
from store.clock import Clock, SystemClock
from store.errors import StoreError, StoreUnavailable
from store.intake import COLUMNS as INTAKE_COLUMNS

log = logging.getLogger(__name__)

EXPIRY_INTERVAL_NS = 3600 * 1_000_000_000  # how often silent series are dropped from memory


class RowStore(Protocol):
    """What the writer needs from the store (store.client.Store, or a fault-injecting wrapper)."""

    def insert(
        self,
        table: str,
        rows: Sequence[Sequence[Any]],
        columns: Sequence[str],
        *,
        settings: dict[str, Any] | None = None,
    ) -> None: ...

    def query(
        self, text: str, parameters: dict[str, Any] | None = None
    ) -> list[tuple[Any, ...]]: ...


class WriterMetrics(Protocol):
    """The writer's self-metrics (queue depth, write latency, points written, duplicates)."""

    def set_queue(self, points: int) -> None: ...

    def observe_write(self, seconds: float, points: int) -> None: ...

    def count_duplicates(self, n: int) -> None: ...


class NoWriterMetrics:
    """Self-metrics that go nowhere."""

    def set_queue(self, points: int) -> None:
        pass

    def observe_write(self, seconds: float, points: int) -> None:
        pass

    def count_duplicates(self, n: int) -> None:
        pass


@dataclass(eq=False)
class _Request:
    decoded: Decoded
    received_ns: int
    size: int
    future: asyncio.Future[WriteResult] = field(repr=False)


@dataclass(frozen=True)
class _Unfinished:
    """A batch whose insert into `points` failed: written again, same token, before the next."""

    entry: JournalEntry
    state: dict[int, SeriesState]  # the delta state once it is written


class BatchWriter:
    """A PointSink that batches requests into `points`, `spans` and `ingest_agents`."""

    def __init__(
        self,
        store: RowStore,
        metrics: WriterMetrics | None = None,
        clock: Clock | None = None,
        *,
        max_queue_points: int = 500_000,
        max_queue_age_s: float = 2.0,
        batch_max_points: int = 50_000,
        batch_max_delay_s: float = 0.05,
        journal: InsertJournal | None = None,
    ) -> None:
        self._store = store
        self._metrics = metrics or NoWriterMetrics()
        self._clock = clock or SystemClock()
        self._max_queue = max_queue_points
        self._max_age_s = max_queue_age_s
        self._batch_max = batch_max_points
        self._delay = batch_max_delay_s
        self._tracker = DeltaTracker()
        self._journal = journal
        self._unfinished: _Unfinished | None = None
        self._uncertain: set[int] = set()  # series of a batch refused for good: re-read state
        self._run_id = uuid.uuid4().hex  # tokens are unique across runs of the writer
        self._batches = 0
        self._queue: deque[_Request] = deque()
        self._waiting = 0  # points in the queue
        self._in_flight = 0  # points of the batch being written
        self._in_flight_since_ns = 0  # when the oldest request of that batch was received
        self._has_work = asyncio.Event()
        self._batch_full = asyncio.Event()
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="vigie-writer")
        self._task: asyncio.Task[None] | None = None
        self._closing = False
        self._next_expiry_ns = 0

    @property
    def queue_points(self) -> int:
        """Points accepted and not yet answered (queued or being written)."""
        return self._waiting + self._in_flight

    def queue_age_s(self) -> float:
        """How long the oldest accepted, unanswered export has waited (0 when none waits)."""
        oldest = self._in_flight_since_ns if self._in_flight else 0
        if self._queue and (not oldest or self._queue[0].received_ns < oldest):
            oldest = self._queue[0].received_ns
        if not oldest:
            return 0.0
        return max(0.0, (self._clock.now_ns() - oldest) / 1e9)

    @property
    def series(self) -> int:
        """How many series the delta state tracks."""
        return len(self._tracker)

    async def start(self) -> None:
        """Complete a batch left unfinished by the previous run, load the committed delta state
        from the store, then start draining the queue."""
        await self._in_thread(self._complete_journal)
        state = await self._in_thread(load_series_state, self._store, self._clock.now_ns())
        self._tracker = DeltaTracker(state)
        self._task = asyncio.create_task(self._run(), name="vigie-batch-writer")

    async def submit(self, decoded: Decoded) -> WriteResult:
        """Queue a request and wait until it is durably stored; Overloaded if the queue is full."""
        if self._task is None or self._closing:
            raise Overloaded("the writer is not running (starting or shutting down)")
        size = len(decoded.points) + len(decoded.spans)
        if size == 0 and not decoded.rejections:
            return WriteResult(0, 0)
        # A request larger than the whole queue is still taken when the queue is empty (the
        # body limit bounds it), or it would be refused forever.
        if self.queue_points and self.queue_points + size > self._max_queue:
            raise Overloaded(
                f"write queue full ({self.queue_points} of {self._max_queue} points waiting)"
            )
        self._check_age()
        future: asyncio.Future[WriteResult] = asyncio.get_running_loop().create_future()
        self._queue.append(_Request(decoded, self._clock.now_ns(), size, future))
        self._waiting += size
        self._metrics.set_queue(self.queue_points)
        self._has_work.set()
        if self._waiting >= self._batch_max:
            self._batch_full.set()
        return await asyncio.shield(future)

    def check_backlog(self) -> None:
        """Overloaded when no export can be taken now whatever its size (the writer is not
        running, or it is behind): the receivers ask before reading and decoding a body, so
        shedding load costs no decode when CPU is what is short."""
        if self._task is None or self._closing:
            raise Overloaded("the writer is not running (starting or shutting down)")
        self._check_age()

    def _check_age(self) -> None:
        # Admission by age: when the store is behind, new exports are answered at once (503,
        # retried later) instead of waiting behind minutes of queue.
        age = self.queue_age_s()
        if age > self._max_age_s:
            raise Overloaded(f"write queue behind (oldest export waiting {age:.1f} s)")

    async def close(self) -> None:
        """Write everything accepted, then stop; later submissions get Overloaded."""
        self._closing = True
        if self._task is not None:
            self._has_work.set()
            self._batch_full.set()
            await self._task
        self._executor.shutdown(wait=True)

    async def _in_thread(self, fn: Any, *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self._executor, fn, *args)

    async def _run(self) -> None:
        # Group commit: at most one insert per `batch_max_delay_s` unless a batch fills up, but
        # no waiting when the last insert started longer ago than that (an idle writer writes
        # at once). Requests arriving during an insert form the next batch.
        loop = asyncio.get_running_loop()
        next_insert = loop.time()
        while True:
            await self._has_work.wait()
            wait = next_insert - loop.time()
            if not self._closing and wait > 0 and self._waiting < self._batch_max:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._batch_full.wait(), wait)
            batch = self._take()
            if batch:
                next_insert = loop.time() + self._delay
                await self._write(batch)
            if not self._queue:
                if self._closing:
                    return
                self._has_work.clear()

    def _take(self) -> list[_Request]:
        batch: list[_Request] = []
        points = 0
        while self._queue and (not batch or points + self._queue[0].size <= self._batch_max):
            request = self._queue.popleft()
            batch.append(request)
            points += request.size
        self._waiting -= points
        self._in_flight = points
        self._in_flight_since_ns = min((r.received_ns for r in batch), default=0)
        if self._waiting < self._batch_max:
            self._batch_full.clear()
        return batch

    async def _write(self, batch: list[_Request]) -> None:
        started = time.perf_counter()
        try:
            results: list[WriteResult] = await self._in_thread(self._write_batch, batch)
        except Exception as exc:
            if not isinstance(exc, StoreError):
                log.exception("writing a batch of %d requests failed", len(batch))
            for request in batch:
                if not request.future.done():
                    request.future.set_exception(_failure(exc))
        else:
            points = sum(r.written for r in results)
            self._metrics.observe_write(time.perf_counter() - started, points)
            self._metrics.count_duplicates(sum(r.duplicates for r in results))
            for request, result in zip(batch, results, strict=True):
                if not request.future.done():
                    request.future.set_result(result)
        finally:
            self._in_flight = 0
            self._metrics.set_queue(self.queue_points)

    def _write_batch(self, batch: list[_Request]) -> list[WriteResult]:
        """On the writer thread: convert, insert, commit. Raises StoreError, committing nothing."""
        if self._unfinished is not None:
            self._complete(self._unfinished)
        if self._uncertain:
            stored = load_series_state(self._store, self._clock.now_ns(), self._uncertain)
            self._tracker.restore(self._uncertain, stored)
            self._uncertain.clear()
        requests = [r.decoded.points for r in batch]
        late = self._tracker.late(requests)
        since_ns = self._clock.now_ns() - STATE_RETENTION_NS
        neighbours = stored_neighbours(self._store, late, since_ns) if late else {}
        conversion = self._tracker.convert(requests, [r.received_ns for r in batch], neighbours)
        results = [
            replace(result, accepted=accepted_per_samu(r.decoded, result.rejections))
            for r, result in zip(batch, conversion.results, strict=True)
        ]
        spans = [span_row(s, r.received_ns) for r in batch for s in r.decoded.spans]
        intake = intake_rows(
            Intake(
                r.received_ns,
                r.decoded.agent,
                result.accepted,
                (*r.decoded.rejections, *result.rejections),
            )
            for r, result in zip(batch, results, strict=True)
        )
        if conversion.rows:  # points first: if a later insert fails, the retry finds them counted
            entry = JournalEntry(self._next_token(), list(conversion.rows), POINT_COLUMNS)
            self._write_points(_Unfinished(entry, conversion.new_state))
        self._store.insert("spans", spans, SPAN_COLUMNS)  # ReplacingMergeTree: retry-safe
        self._store.insert("ingest_agents", intake, INTAKE_COLUMNS)  # and ingest_rejections
        now_ns = self._clock.now_ns()
        if now_ns >= self._next_expiry_ns:  # the store forgets them too (series_last TTL)
            self._tracker.expire(now_ns - STATE_RETENTION_NS)
            self._next_expiry_ns = now_ns + EXPIRY_INTERVAL_NS
        return results

    def _write_points(self, batch: _Unfinished) -> None:
        """Journal the batch, insert it, then commit its state; unfinished if the insert fails."""
        if self._journal is not None:
            try:
                self._journal.write(batch.entry)
            except OSError as exc:
                raise StoreUnavailable(f"cannot write the insert journal: {exc}") from exc
        self._complete(batch)

    def _complete(self, batch: _Unfinished) -> None:
        """Insert the batch (again: same token) and commit its state; a transient failure keeps
        it for the next attempt, any other drops it."""
        try:
            self._insert_points(batch.entry)
        except StoreUnavailable:
            self._unfinished = batch  # written again, same token, before the next batch
            raise
        except BaseException:
            self._uncertain.update(batch.state)  # refused for good: re-read its series' state
            log.error("the store refused a batch of %d points", len(batch.entry.rows))
            self._forget()
            raise
        self._tracker.commit(batch.state)
        self._forget()

    def _forget(self) -> None:
        self._unfinished = None
        if self._journal is not None:
            self._journal.clear()

    def _insert_points(self, entry: JournalEntry) -> None:
        columns = entry.columns or POINT_COLUMNS_V1
        self._store.insert("points", entry.rows, columns, settings=_dedup(entry.token))

    def _next_token(self) -> str:
        self._batches += 1
        return f"vigie-points-{self._run_id}-{self._batches}"

    def _complete_journal(self) -> None:
        """At start: insert the batch a killed process left in the journal (same token)."""
        if self._journal is None:
            return
        entry = self._journal.read()
        if entry is None:
            return
        try:
            self._insert_points(entry)
        except StoreUnavailable:
            raise
        except Exception as exc:  # refused for good: its senders were never answered, they retry
            log.error("the batch left in the insert journal is refused by the store: %s", exc)
        else:
            log.warning(
                "completed the batch of %d points left unfinished by the last run", len(entry.rows)
            )
        self._journal.clear()


def _dedup(token: str) -> dict[str, Any]:
    """Insert settings that make a repeat of the same batch land once in every table."""
    return {
        "insert_deduplication_token": token,
        "insert_deduplicate": 1,
        "deduplicate_blocks_in_dependent_materialized_views": 1,
    }


def _failure(exc: Exception) -> Exception:
    """What every sender of a failed batch receives (a fresh instance each)."""
    if isinstance(exc, StoreError):
        failure = StoreUnavailable(f"the store did not take the batch: {exc}")
        failure.__cause__ = exc
        return failure
    return exc
