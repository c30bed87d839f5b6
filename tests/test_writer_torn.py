"""A torn insert — `points` and some of its views written, others not — is completed, never
counted twice: in the same run (the next batch writes it again first) and after a crash (the
next start writes the journal's batch again), each table keeping exactly one copy.

The tear is real: a materialized view added to `points` for the test fails while a switch
table is empty, so ClickHouse commits some targets of the insert and not the others, as when
the process dies or the connection drops half-way (tests/test_reliability_crash.py does it
with `kill -9`, where it lands only sometimes).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from collector.journal import InsertJournal, JournalEntry
from collector.model import WriteResult
from collector.writer import BatchWriter
from store.client import Store
from store.clock import FakeClock
from store.errors import StoreError, StoreUnavailable
from tests.test_writer import BASE, SAMU, counts, durations, minute, request, setups

INF = float("inf")
BASE_NS = int(BASE.timestamp()) * 1_000_000_000
DURATION = "samu.call.setup.duration"


class DroppingStore:
    """The real store, where an insert that fails is reported as a dropped connection (the
    transient failure after which a client cannot know what landed)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def insert(
        self,
        table: str,
        rows: Sequence[Sequence[Any]],
        columns: Sequence[str],
        *,
        settings: dict[str, Any] | None = None,
    ) -> None:
        try:
            self.store.insert(table, rows, columns, settings=settings)
        except StoreError as exc:
            raise StoreUnavailable(
                f"injected: connection dropped during the insert ({exc})"
            ) from exc

    def query(self, text: str, parameters: dict[str, Any] | None = None) -> list[tuple[Any, ...]]:
        return self.store.query(text, parameters)


class RecordingJournal(InsertJournal):
    """The real journal, remembering the last batch it was given."""

    last: JournalEntry | None = None

    def write(self, entry: JournalEntry) -> None:
        self.last = entry
        super().write(entry)


def arm_tear(store: Store) -> None:
    """From now on an insert into `points` fails in one of its views until `disarm_tear`."""
    store.command("CREATE TABLE IF NOT EXISTS {db}.tear_switch (on UInt8) ENGINE = Memory")
    store.command("CREATE TABLE IF NOT EXISTS {db}.tear_sink (x UInt8) ENGINE = Null")
    store.command(
        "CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.tear_mv TO {db}.tear_sink AS "
        "SELECT throwIf((SELECT count() FROM {db}.tear_switch) = 0, 'torn on purpose') AS x "
        "FROM {db}.points"
    )


def disarm_tear(store: Store) -> None:
    store.command("INSERT INTO {db}.tear_switch VALUES (1)")


def writer(store: Store | DroppingStore, journal: InsertJournal | None) -> BatchWriter:
    clock = FakeClock(BASE)
    return BatchWriter(store, None, clock, batch_max_delay_s=0, journal=journal)


FIRST = request(setups(5, 10), durations((1, 1, 0, 0, 0, 0, 0, 0, 0), 10))
SECOND = request(setups(12, 70), durations((2, 3, 1, 0, 0, 0, 0, 0, 0), 70))
THIRD = request(setups(20, 130))
EXACT_SETUPS = {
    (minute(0), "success", INF): 5.0,
    (minute(1), "success", INF): 7.0,
}


def histogram_totals(store: Store) -> dict[Any, float]:
    return {k: v for k, v in counts(store, DURATION).items() if k[2] == INF}


def rollups_agree(store: Store) -> bool:
    """The SLO rollups (views of `minute_counts`) hold what `minute_counts` holds."""
    sums = [
        store.query(
            f"SELECT sum(value) FROM {{db}}.{table} WHERE samu_id = {{s:String}}", {"s": SAMU}
        )
        for table in ("minute_counts", "slo_minute_counts", "slo_hour_counts")
    ]
    return sums[0] == sums[1] == sums[2]


def is_torn(store: Store) -> bool:
    """The second export is in some rollups of the insert and not in others."""
    setups_in = counts(store).get((minute(1), "success", INF)) == 7.0
    histogram_in = (minute(1), "", INF) in histogram_totals(store)
    points = store.query("SELECT count() FROM {db}.points")[0][0]
    return len({setups_in, histogram_in, points == 4}) == 2


def test_a_torn_insert_is_completed_before_the_next_batch_and_its_retry_is_a_duplicate(
    store: Store, tmp_path: Path
) -> None:
    async def body() -> list[WriteResult]:
        w = writer(DroppingStore(store), InsertJournal(tmp_path / "journal"))
        await w.start()
        results = [await w.submit(FIRST)]
        arm_tear(store)
        with pytest.raises(StoreUnavailable):
            await w.submit(SECOND)
        assert is_torn(store), "the injected failure did not tear the insert"
        disarm_tear(store)
        results.append(await w.submit(SECOND))  # the sender's retry
        results.append(await w.submit(THIRD))
        await w.close()
        return results

    results = asyncio.run(body())
    assert results == [WriteResult(2, 0), WriteResult(0, 2), WriteResult(1, 0)]
    assert counts(store) == {**EXACT_SETUPS, (minute(2), "success", INF): 8.0}
    assert histogram_totals(store) == {(minute(0), "", INF): 2.0, (minute(1), "", INF): 4.0}
    assert rollups_agree(store)
    assert store.query("SELECT count() FROM {db}.points")[0][0] == 5
    assert not (tmp_path / "journal").exists()


def test_a_batch_torn_by_a_crash_is_completed_at_the_next_start_from_the_journal(
    store: Store, tmp_path: Path
) -> None:
    journal = InsertJournal(tmp_path / "journal")

    async def crashed_run() -> None:
        w = writer(DroppingStore(store), journal)
        await w.start()
        await w.submit(FIRST)
        arm_tear(store)
        with pytest.raises(StoreUnavailable):
            await w.submit(SECOND)
        # The process dies here: no close, nothing more written; the journal stays.

    async def next_run() -> list[WriteResult]:
        w = writer(store, journal)
        await w.start()
        results = [await w.submit(SECOND), await w.submit(THIRD)]
        await w.close()
        return results

    asyncio.run(crashed_run())
    assert is_torn(store), "the injected failure did not tear the insert"
    assert journal.path.exists()
    disarm_tear(store)
    assert asyncio.run(next_run()) == [WriteResult(0, 2), WriteResult(1, 0)]
    assert counts(store) == {**EXACT_SETUPS, (minute(2), "success", INF): 8.0}
    assert histogram_totals(store) == {(minute(0), "", INF): 2.0, (minute(1), "", INF): 4.0}
    assert rollups_agree(store)
    assert not journal.path.exists()


def test_a_journal_left_after_a_complete_insert_is_written_again_without_effect(
    store: Store, tmp_path: Path
) -> None:
    journal = RecordingJournal(tmp_path / "journal")

    async def run(*requests: Any) -> None:
        w = writer(store, journal)
        await w.start()
        for r in requests:
            await w.submit(r)
        await w.close()

    asyncio.run(run(FIRST, SECOND))
    assert journal.last is not None
    InsertJournal(journal.path).write(journal.last)  # killed after the insert, before clearing
    asyncio.run(run())
    assert counts(store) == EXACT_SETUPS
    assert histogram_totals(store) == {(minute(0), "", INF): 2.0, (minute(1), "", INF): 4.0}
    assert rollups_agree(store)
    assert not journal.path.exists()


def first_export_after_start(store: Store, journal: InsertJournal) -> WriteResult:
    """Start a writer on `journal` (completing what it holds), submit FIRST, stop."""

    async def run() -> WriteResult:
        w = writer(store, journal)
        await w.start()
        result = await w.submit(FIRST)
        await w.close()
        return result

    return asyncio.run(run())


UNUSABLE = [
    ("a file that is not a journal", b"not marshal data"),
    ("a journal cut short", b"\xdb\x03\x00\x00\x00"),
]


@pytest.mark.parametrize(("name", "content"), UNUSABLE, ids=[u[0] for u in UNUSABLE])
def test_an_unreadable_journal_is_set_aside_and_the_writer_starts(
    store: Store, tmp_path: Path, name: str, content: bytes
) -> None:
    path = tmp_path / "journal"
    path.write_bytes(content)

    assert first_export_after_start(store, InsertJournal(path)) == WriteResult(2, 0)
    assert not path.exists()
    assert path.with_name("journal.unreadable").read_bytes() == content


def test_a_journal_batch_the_store_refuses_for_good_is_dropped_and_the_writer_starts(
    store: Store, tmp_path: Path
) -> None:
    journal = InsertJournal(tmp_path / "journal")
    journal.write(JournalEntry("vigie-points-bad", [("not", "a", "points", "row")]))

    assert first_export_after_start(store, journal) == WriteResult(2, 0)
    assert not journal.path.exists()
    assert counts(store) == {(minute(0), "success", INF): 5.0}


def test_every_table_written_by_the_views_of_points_keeps_a_deduplication_window(
    store: Store,
) -> None:
    rows = store.query(
        "SELECT name, create_table_query FROM system.tables WHERE database = {d:String}",
        {"d": store.database},
    )
    ddl = dict(rows)
    targets: dict[str, list[str]] = {}
    for text in ddl.values():
        if text.startswith("CREATE MATERIALIZED VIEW"):
            source = text.split(" FROM ", 1)[1].split()[0].split(".")[-1]
            target = text.split(" TO ", 1)[1].split()[0].split(".")[-1]
            targets.setdefault(source, []).append(target)
    reached, todo = set(), ["points"]
    while todo:
        table = todo.pop()
        reached.add(table)
        todo.extend(t for t in targets.get(table, []) if t not in reached)
    assert {"minute_counts", "slo_hour_counts", "series_last"} <= reached
    missing = sorted(t for t in reached if "non_replicated_deduplication_window" not in ddl[t])
    assert missing == []


def test_two_inserts_of_equal_rows_both_land_unless_they_repeat_a_token(store: Store) -> None:
    row = [BASE.replace(tzinfo=None, second=0), SAMU, "samu.call.setups", "telephony", "ok", INF, 1]
    columns = ["minute", "samu_id", "metric", "component", "outcome", "le", "value"]
    store.insert("minute_counts", [row], columns)
    store.insert("minute_counts", [row], columns)
    token = {"insert_deduplication_token": "one-batch"}
    store.insert("minute_counts", [row], columns, settings=token)
    store.insert("minute_counts", [row], columns, settings=token)
    assert store.query("SELECT sum(value) FROM {db}.minute_counts")[0][0] == 3


def test_a_journal_of_the_first_format_is_completed_with_the_columns_of_its_time(
    store: Store, tmp_path: Path
) -> None:
    import marshal

    from collector.tracker import DeltaTracker

    rows = DeltaTracker().convert([FIRST.points], [BASE_NS]).rows
    legacy = [tuple(row)[:16] for row in rows]  # before `correction` and `cumulative_sum`
    path = tmp_path / "journal"
    path.write_bytes(marshal.dumps(("vigie-insert-journal/1", "vigie-points-old", legacy)))

    # The journal's batch is the same export: its points are stored, the export's are repeats.
    assert first_export_after_start(store, InsertJournal(path)) == WriteResult(0, 2)
    assert counts(store) == {(minute(0), "success", INF): 5.0}
    assert not path.exists()
