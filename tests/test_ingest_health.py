"""The collector's heartbeat (`collector_minutes`) and its reader, on the real engine."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from prometheus_client import CollectorRegistry

from collector.errors import Overloaded
from collector.export import ExportCall, ExportService, Status
from collector.health import HealthRecorder
from collector.limits import Limits
from collector.selfmetrics import SelfMetrics
from store.client import Store
from store.clock import FakeClock
from store.errors import StoreUnavailable
from store.ingest_health import DOWN, MinuteHealth, minutes
from tests.fixtures.otlp.peers import RecordingSink
from tests.fixtures.otlp.sdk import KNOWN_SAMU, metrics_request, resource, setups

T0 = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(hours=2)
MIN = timedelta(minutes=1)


class FlakyStore:
    """The real store whose inserts fail while `down`."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.down = False

    def insert(
        self,
        table: str,
        rows: Sequence[Sequence[Any]],
        columns: Sequence[str],
        *,
        settings: dict[str, Any] | None = None,
    ) -> None:
        if self.down:
            raise StoreUnavailable("injected: the store is down")
        self.store.insert(table, rows, columns, settings=settings)


def test_every_minute_the_collector_ticked_through_has_a_row_even_without_requests(
    store: Store,
) -> None:
    clock = FakeClock(T0 + timedelta(seconds=5))
    recorder = HealthRecorder(store, clock, instance="rx-1")

    async def run() -> None:
        recorder.request(accepted=19)
        recorder.request(accepted=10, rejected=2)
        for _ in range(3 * 60):  # three minutes, a tick a second
            clock.advance(timedelta(seconds=1))
            await recorder.tick()
        clock.advance(timedelta(minutes=4))  # the process froze: minutes 3–6 never ticked
        await recorder.tick()
        recorder.shed()
        clock.advance(timedelta(seconds=20))
        await recorder.close()  # stops inside minute 7

    asyncio.run(run())
    got = minutes(store, T0, T0 + 9 * MIN)
    assert list(got) == [T0 + n * MIN for n in range(9)]
    assert got[T0] == MinuteHealth(True, 1, 2, 29, 2, 0, 0.0)
    up = [n for n in range(9) if got[T0 + n * MIN].up]
    assert up == [0, 1, 2, 3, 7]  # up in the first seconds of 3; 4–6 frozen; 8 after the stop
    assert got[T0 + 4 * MIN] == DOWN
    assert got[T0 + 7 * MIN].shed_503 == 1 and got[T0 + 7 * MIN].shedding


def test_the_reader_sums_instances_and_parts_of_a_minute(store: Store) -> None:
    clock = FakeClock(T0)

    async def run() -> None:
        for name, accepted, age in (("rx-1", 5, 0.5), ("rx-2", 7, 2.5), ("rx-1", 1, 0.0)):
            recorder = HealthRecorder(store, clock, lambda a=age: a, name)  # rx-1 restarted
            recorder.request(accepted=accepted)
            await recorder.close()

    asyncio.run(run())
    (minute,) = minutes(store, T0, T0 + timedelta(seconds=1)).values()
    assert minute == MinuteHealth(True, 2, 3, 13, 0, 0, 2.5)


def test_minutes_are_aware_utc_and_the_range_is_half_open(store: Store) -> None:
    naive = T0.replace(tzinfo=None)
    assert list(minutes(store, naive, naive + 2 * MIN)) == [T0, T0 + MIN]
    assert list(minutes(store, T0 + timedelta(seconds=10), T0 + MIN)) == [T0]
    assert minutes(store, T0, T0) == {}


def test_rows_the_store_refuses_are_written_with_the_next_ones(store: Store) -> None:
    flaky = FlakyStore(store)
    clock = FakeClock(T0)
    recorder = HealthRecorder(flaky, clock, instance="rx-1")

    async def run() -> None:
        flaky.down = True
        clock.advance(MIN)
        await recorder.tick()  # minute 0 kept
        clock.advance(MIN)
        flaky.down = False
        await recorder.tick()  # minutes 0 and 1

    asyncio.run(run())
    got = minutes(store, T0, T0 + 2 * MIN)
    assert [m.up for m in got.values()] == [True, True]


def test_the_export_service_counts_requests_points_and_shed_exports(store: Store) -> None:
    clock = FakeClock(datetime.now(UTC))  # the SDK stamps its points with the wall clock
    recorder = HealthRecorder(store, clock, instance="rx-1")
    sink = RecordingSink()
    service = ExportService(
        sink, KNOWN_SAMU, Limits(), SelfMetrics(CollectorRegistry()), clock, health=recorder
    )
    good = metrics_request(setups({"success": 3, "failed": 1})).SerializeToString()
    bad = metrics_request(setups({"success": 1}), res=resource("fr.health.samu999"))

    async def export(body: bytes) -> Status:
        async def read() -> bytes:
            return body

        return (await service.export(ExportCall("http", "metrics", read))).status

    async def run() -> list[Status]:
        answers = [await export(good), await export(bad.SerializeToString())]
        answers.append(await export(b"\x07not protobuf"))
        sink.failure = Overloaded("queue full")
        answers.append(await export(good))
        await recorder.close()
        return answers

    assert asyncio.run(run()) == [Status.OK, Status.OK, Status.INVALID, Status.UNAVAILABLE]
    (minute,) = minutes(store, clock.now(), clock.now() + timedelta(seconds=1)).values()
    assert (minute.requests, minute.points_accepted, minute.points_rejected) == (4, 2, 1)
    assert minute.shed_503 == 1


def test_a_backlogged_writer_sheds_an_export_before_its_body_is_read_or_decoded() -> None:
    sink = RecordingSink()
    behind = Overloaded("write queue behind (oldest export waiting 3.0 s)")
    backlog: list[Exception] = [behind]

    def check() -> None:
        if backlog:
            raise backlog[0]

    service = ExportService(
        sink,
        KNOWN_SAMU,
        Limits(retry_after_s=7),
        SelfMetrics(CollectorRegistry()),
        FakeClock(datetime.now(UTC)),
        backlog=check,
    )
    body = metrics_request(setups({"success": 2})).SerializeToString()
    reads: list[int] = []

    async def read() -> bytes:
        reads.append(1)
        return body

    async def run() -> list[Any]:
        shed = await service.export(ExportCall("http", "metrics", read))
        backlog.clear()  # the writer caught up
        taken = await service.export(ExportCall("http", "metrics", read))
        return [shed, taken]

    shed, taken = asyncio.run(run())
    assert (shed.status, shed.retry_after_s) == (Status.UNAVAILABLE, 7)
    assert reads == [1] and len(sink.received) == 1  # only the second export was read
    assert taken.status == Status.OK
