"""The batching writer on the real engine: exact counts, dedup across restarts, 503 semantics."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from collector.conventions import SETUP_BOUNDS
from collector.errors import Overloaded
from collector.model import DataPoint, Decoded, Rejection, Span, WriteResult
from collector.writer import BatchWriter
from store.client import Store
from store.clock import FakeClock
from store.counts import CountsReader
from store.errors import StoreUnavailable

SAMU = "fr.health.samu075"
S = 1_000_000_000
# Recent data (yesterday 10:00 UTC), so that no TTL of the schema applies to it.
DAY = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=1)
BASE = DAY + timedelta(hours=10)
T0 = int(BASE.timestamp()) * S
SERIES = {"success": 1, "failed": 2}


def minute(n: int) -> datetime:
    return BASE + timedelta(minutes=n)


def setups(
    value: float, at_s: float, start: int = T0 + 123_456, outcome: str = "success"
) -> DataPoint:
    """A cumulative call-setup counter point (the start has sub-millisecond digits on purpose)."""
    return DataPoint(
        metric="samu.call.setups",
        kind="sum",
        samu_id=SAMU,
        attributes=(("component", "telephony"), ("outcome", outcome)),
        start_ns=start,
        time_ns=T0 + int(at_s * S) + 789,
        temporality="cumulative",
        value=value,
        series_key=SERIES[outcome],
    )


def durations(buckets: tuple[int, ...], at_s: float) -> DataPoint:
    return DataPoint(
        metric="samu.call.setup.duration",
        kind="histogram",
        samu_id=SAMU,
        attributes=(),
        start_ns=T0,
        time_ns=T0 + int(at_s * S),
        temporality="cumulative",
        value=float(sum(buckets)),
        hist_sum=0.0,
        bounds=SETUP_BOUNDS,
        bucket_counts=buckets,
        series_key=99,
    )


def request(*points: DataPoint) -> Decoded:
    return Decoded(points=points)


def counts(
    store: Store, metric: str = "samu.call.setups"
) -> dict[tuple[datetime, str, float], float]:
    rows = CountsReader(store).per_minute(DAY, DAY + timedelta(days=2), SAMU, metric)
    return {(r.minute, r.outcome, r.le): r.value for r in rows if r.value}


class FaultyStore:
    """The real store behind a fault injector: the next `fail` inserts into `points` raise."""

    def __init__(self, store: Store, fail: int = 0, *, after_insert: bool = False) -> None:
        self.store = store
        self.fail = fail
        self.after_insert = after_insert  # the insert lands, then the error is reported anyway
        self.gate = threading.Event()
        self.gate.set()

    def insert(
        self,
        table: str,
        rows: Sequence[Sequence[Any]],
        columns: Sequence[str],
        *,
        settings: dict[str, Any] | None = None,
    ) -> None:
        assert self.gate.wait(timeout=60)
        if table == "points" and self.fail > 0:
            self.fail -= 1
            if self.after_insert:
                self.store.insert(table, rows, columns, settings=settings)
            raise StoreUnavailable("injected: the store is down")
        self.store.insert(table, rows, columns, settings=settings)

    def query(self, text: str, parameters: dict[str, Any] | None = None) -> list[tuple[Any, ...]]:
        return self.store.query(text, parameters)


def writer(store: Store | FaultyStore, **options: Any) -> BatchWriter:
    options.setdefault("batch_max_delay_s", 0)
    return BatchWriter(store, None, FakeClock(BASE + timedelta(minutes=5)), **options)


async def submit_all(store: Store | FaultyStore, *requests: Decoded) -> list[WriteResult]:
    w = writer(store)
    await w.start()
    try:
        return [await w.submit(r) for r in requests]
    finally:
        await w.close()


def test_a_cumulative_counter_across_three_exports_gives_exact_minute_counts(store: Store) -> None:
    exports = [request(setups(5, 10)), request(setups(12, 70)), request(setups(12, 130))]
    results = asyncio.run(submit_all(store, *exports))
    assert results == [WriteResult(1, 0)] * 3
    assert counts(store) == {
        (minute(0), "success", float("inf")): 5.0,
        (minute(1), "success", float("inf")): 7.0,
    }


RESETS = [
    ("a restart of the sender (new start time)", setups(2, 130, start=T0 + 125 * S), 2.0),
    ("a value that falls under the same start time", setups(3, 130), 3.0),
]


@pytest.mark.parametrize(("name", "after_reset", "counted"), RESETS, ids=[r[0] for r in RESETS])
def test_a_counter_reset_counts_the_new_value_in_full(
    store: Store, name: str, after_reset: DataPoint, counted: float
) -> None:
    asyncio.run(
        submit_all(store, request(setups(10, 10)), request(setups(15, 70)), request(after_reset))
    )
    inf = float("inf")
    assert counts(store) == {
        (minute(0), "success", inf): 10.0,
        (minute(1), "success", inf): 5.0,
        (minute(2), "success", inf): counted,
    }


def test_a_duplicated_request_is_not_counted_twice(store: Store) -> None:
    first = request(setups(5, 10), setups(1, 10, outcome="failed"))
    second = request(setups(9, 70), setups(1, 70, outcome="failed"))

    async def body() -> list[WriteResult]:
        w = writer(store, batch_max_delay_s=3600)
        await w.start()
        # The same request twice in one batch, then again in a later batch.
        together = asyncio.gather(w.submit(first), w.submit(first))
        await asyncio.sleep(0)  # let both queue
        await w.close()
        w = writer(store)
        await w.start()
        results = [*await together, await w.submit(first), await w.submit(second)]
        await w.close()
        return results

    results = asyncio.run(body())
    assert results == [WriteResult(2, 0), WriteResult(0, 2), WriteResult(0, 2), WriteResult(2, 0)]
    inf = float("inf")
    assert counts(store) == {
        (minute(0), "success", inf): 5.0,
        (minute(0), "failed", inf): 1.0,
        (minute(1), "success", inf): 4.0,
    }


def test_cumulative_histogram_buckets_give_exact_le_counts(store: Store) -> None:
    first = (1, 2, 0, 0, 0, 1, 0, 0, 0)
    second = (3, 2, 1, 0, 0, 1, 0, 0, 1)
    asyncio.run(submit_all(store, request(durations(first, 10)), request(durations(second, 70))))
    got = counts(store, "samu.call.setup.duration")
    le = [*SETUP_BOUNDS, float("inf")]
    # minute 1 gets the increase (2, 0, 1, 0, 0, 0, 0, 0, 1), cumulated over the bounds.
    expected = {
        **{(minute(0), "", b): v for b, v in zip(le, (1, 3, 3, 3, 3, 4, 4, 4, 4), strict=True)},
        **{(minute(1), "", b): v for b, v in zip(le, (2, 2, 3, 3, 3, 3, 3, 3, 4), strict=True)},
    }
    assert got == {k: float(v) for k, v in expected.items()}


def test_dedup_and_deltas_survive_a_restart_of_the_writer(store: Store) -> None:
    export_1 = request(setups(5, 10), durations((1, 0, 0, 0, 0, 0, 0, 0, 0), 10))
    export_2 = request(setups(12, 70), durations((1, 1, 0, 0, 0, 0, 0, 0, 0), 70))
    assert asyncio.run(submit_all(store, export_1)) == [WriteResult(2, 0)]
    # A new writer on the same database: the retry of export 1 is a duplicate, export 2 a delta.
    assert asyncio.run(submit_all(store, export_1, export_2)) == [
        WriteResult(0, 2),
        WriteResult(2, 0),
    ]
    inf = float("inf")
    assert counts(store) == {(minute(0), "success", inf): 5.0, (minute(1), "success", inf): 7.0}
    assert counts(store, "samu.call.setup.duration")[(minute(1), "", inf)] == 1.0


FAILURES = [
    ("the insert is refused", False),
    ("the insert lands but its acknowledgement is lost", True),
]


@pytest.mark.parametrize(("name", "after_insert"), FAILURES, ids=[f[0] for f in FAILURES])
def test_a_store_failure_answers_unavailable_and_the_retry_is_exact(
    store: Store, name: str, after_insert: bool
) -> None:
    faulty = FaultyStore(store, after_insert=after_insert)

    async def body() -> list[WriteResult]:
        w = writer(faulty)
        await w.start()
        results = [await w.submit(request(setups(5, 10)))]
        faulty.fail = 2
        for _ in range(2):
            with pytest.raises(StoreUnavailable):
                await w.submit(request(setups(12, 70)))
        results.append(await w.submit(request(setups(12, 70))))  # the client's retry
        results.append(await w.submit(request(setups(20, 130))))
        await w.close()
        return results

    results = asyncio.run(body())
    assert results[0] == WriteResult(1, 0) and results[2] == WriteResult(1, 0)
    # The failed batch is written again (same token) before the retry's batch: either way the
    # retry finds its point stored, a duplicate.
    assert results[1] == WriteResult(0, 1)
    inf = float("inf")
    assert counts(store) == {
        (minute(0), "success", inf): 5.0,
        (minute(1), "success", inf): 7.0,
        (minute(2), "success", inf): 8.0,
    }


def test_a_full_queue_answers_overloaded_at_once(store: Store) -> None:
    faulty = FaultyStore(store)
    faulty.gate.clear()  # the store is slow: the first batch stays in flight

    async def body() -> None:
        w = writer(faulty, max_queue_points=3, batch_max_points=2)
        await w.start()
        first = asyncio.create_task(
            w.submit(request(setups(1, 10), setups(1, 10, outcome="failed")))
        )
        await asyncio.sleep(0)  # let it queue
        assert w.queue_points == 2
        with pytest.raises(Overloaded):
            await w.submit(request(setups(2, 70), setups(2, 70, outcome="failed")))
        faulty.gate.set()
        assert await first == WriteResult(2, 0)
        assert w.queue_points == 0
        await w.close()
        with pytest.raises(Overloaded):
            await w.submit(request(setups(2, 70)))

    asyncio.run(body())


def test_close_flushes_every_accepted_submission(store: Store) -> None:
    async def body() -> list[WriteResult]:
        w = writer(store, batch_max_delay_s=3600, batch_max_points=1000)
        await w.start()
        tasks = [asyncio.create_task(w.submit(request(setups(i, 10 + 60 * i)))) for i in (1, 2, 3)]
        await asyncio.sleep(0)  # let them queue; the writer waits for a full batch
        assert w.queue_points == 3
        await w.close()
        return list(await asyncio.gather(*tasks))

    assert asyncio.run(body()) == [WriteResult(1, 0)] * 3
    inf = float("inf")
    assert counts(store) == {(minute(n), "success", inf): 1.0 for n in (1, 2, 3)}


def test_spans_rejections_and_gauges_are_written_with_the_points(store: Store) -> None:
    gauge = DataPoint(
        "samu.component.up", "gauge", SAMU, (("component", "hub"),), 0, T0 + 10 * S, "none", 1.0
    )
    span = Span(
        SAMU,
        b"t" * 16,
        b"s" * 8,
        "samu.call.setup",
        T0,
        T0 + S // 2,
        "ok",
        (("outcome", "success"),),
    )
    rejections = (
        Rejection("pii_phone_number", 2, SAMU, "samu.call.setups", "caller"),
        Rejection("pii_phone_number", 1, SAMU, "samu.call.setups", "caller"),
        Rejection("unknown_samu", 4, "fr.health.samu999"),
    )
    decoded = Decoded(points=(gauge,), spans=(span,), rejections=rejections)
    assert asyncio.run(submit_all(store, decoded)) == [WriteResult(1, 0)]
    assert store.query("SELECT min, max, n FROM {db}.minute_gauges") == [(1.0, 1.0, 1)]
    assert store.query("SELECT name, duration_s, outcome FROM {db}.spans") == [
        ("samu.call.setup", 0.5, "success")
    ]
    rows = store.query(
        "SELECT minute, reason, samu_id, attribute, count FROM {db}.ingest_rejections "
        "ORDER BY reason"
    )
    at = minute(5).replace(tzinfo=None)  # a raw query returns naive UTC
    assert rows == [
        (at, "pii_phone_number", SAMU, "caller", 3),
        (at, "unknown_samu", "fr.health.samu999", "", 4),
    ]


def test_a_queue_behind_by_more_than_its_age_limit_answers_overloaded_at_once(
    store: Store,
) -> None:
    faulty = FaultyStore(store)
    faulty.gate.clear()  # the store is slow: the first batch stays in flight
    clock = FakeClock(BASE + timedelta(minutes=5))

    async def body() -> None:
        w = BatchWriter(faulty, None, clock, batch_max_delay_s=0, max_queue_age_s=1.0)
        await w.start()
        first = asyncio.create_task(w.submit(request(setups(1, 10))))
        await asyncio.sleep(0)
        clock.advance(timedelta(milliseconds=500))
        second = asyncio.create_task(w.submit(request(setups(2, 70))))  # 0.5 s behind: taken
        await asyncio.sleep(0)
        clock.advance(timedelta(milliseconds=600))  # the first export has waited 1.1 s
        assert w.queue_age_s() > 1.0
        with pytest.raises(Overloaded, match="behind"):
            await w.submit(request(setups(3, 130)))
        with pytest.raises(Overloaded, match="behind"):
            w.check_backlog()  # what the receivers ask before decoding a body
        faulty.gate.set()
        assert [await first, await second] == [WriteResult(1, 0), WriteResult(1, 0)]
        assert w.queue_age_s() == 0.0
        w.check_backlog()  # caught up: no error
        assert await w.submit(request(setups(3, 130))) == WriteResult(1, 0)
        await w.close()
        with pytest.raises(Overloaded, match="not running"):
            w.check_backlog()

    asyncio.run(body())
