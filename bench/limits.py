"""The limits of one core, measured on the same bodies as the end-to-end run.

`python -m bench.limits PLAN_FILE DATA_DIR` (pinned to the receiver's core, after the receiver
stopped): checks what the end-to-end run stored, then measures protobuf decode + validation
alone, cumulative→delta conversion alone, the raw ClickHouse insert of the converted rows, and
the writer (convert + insert + commit, submit → durable) alone. Prints JSON on stdout.
"""

from __future__ import annotations

import asyncio
import json
import pickle
import sys
import time
from pathlib import Path
from typing import Any

from bench.workload import Body
from collector.decode import decode_metrics
from collector.limits import Limits
from collector.model import Decoded
from collector.rows import POINT_COLUMNS, PointRow
from collector.tracker import DeltaTracker
from collector.writer import BatchWriter
from store.client import Store, embedded_dsn, open_store
from store.migrations import migrate
from store.registry import load_registry
from vigie.settings import Settings


def stored(store: Store) -> dict[str, float]:
    """Points and call setups (sum of deltas) in the end-to-end database."""
    ((points, setups),) = store.query(
        "SELECT countIf(NOT correction), sumIf(value, metric = 'samu.call.setups') FROM {db}.points"
    )
    return {"points": int(points), "setups": float(setups)}


def decode_all(bodies: list[Body]) -> tuple[list[Decoded], float]:
    """Decode and validate every body as the receiver does; the seconds it took."""
    registry, limits, now_ns = load_registry(), Limits(), time.time_ns()
    started = time.perf_counter()
    decoded = [decode_metrics(b.data, "protobuf", registry, now_ns, limits) for b in bodies]
    return decoded, time.perf_counter() - started


def convert_all(decoded: list[Decoded]) -> tuple[list[PointRow], float]:
    """Cumulative→delta conversion of every request in order; the seconds it took."""
    tracker, rows, now_ns = DeltaTracker(), [], time.time_ns()
    started = time.perf_counter()
    for request in decoded:
        conversion = tracker.convert([request.points], [now_ns])
        tracker.commit(conversion.new_state)
        rows.extend(conversion.rows)
    return rows, time.perf_counter() - started


def insert_all(store: Store, rows: list[PointRow], batch: int) -> float:
    """Insert pre-built rows into `points` in batches of `batch`; the seconds it took."""
    started = time.perf_counter()
    for i in range(0, len(rows), batch):
        store.insert("points", rows[i : i + batch], POINT_COLUMNS)
    return time.perf_counter() - started


async def write_all(store: Store, decoded: list[Decoded], settings: Settings) -> float:
    """Submit every request to a BatchWriter at once; the seconds until all are durable."""
    writer = BatchWriter(
        store,
        None,
        None,
        max_queue_points=10**9,
        batch_max_points=settings.batch_max_points,
        batch_max_delay_s=settings.batch_max_delay_ms / 1000,
    )
    await writer.start()
    started = time.perf_counter()
    await asyncio.gather(*(writer.submit(d) for d in decoded))
    elapsed = time.perf_counter() - started
    await writer.close()
    return elapsed


def fresh(engine: Store, name: str) -> Store:
    """A new, migrated database on the engine."""
    engine.command(f"DROP DATABASE IF EXISTS {name} SYNC")
    store = engine.with_database(name)
    migrate(store)
    return store


def measure(plan: dict[str, Any], data_dir: Path) -> dict[str, Any]:
    """Every figure of this module, as JSON-ready values."""
    settings = Settings()
    engine = open_store(embedded_dsn(data_dir), settings.database)
    result: dict[str, Any] = {"stored": stored(engine)}
    bodies: list[Body] = [b for stream in plan["streams"] for b in stream][: plan["limit_bodies"]]
    points = sum(b.points for b in bodies)
    decoded, seconds = decode_all(bodies)
    result["decode"] = {"points": points, "seconds": seconds}
    rows, seconds = convert_all(decoded)
    result["convert"] = {"points": points, "seconds": seconds}
    insert_store = fresh(engine, "bench_insert")
    seconds = insert_all(insert_store, rows, settings.batch_max_points)
    result["insert"] = {"rows": len(rows), "seconds": seconds}
    writer_store = fresh(engine, "bench_writer")
    seconds = asyncio.run(write_all(writer_store, decoded, settings))
    result["writer"] = {"points": points, "seconds": seconds}
    ((written,),) = writer_store.query("SELECT count() FROM {db}.points")
    result["writer"]["stored"] = int(written)
    engine.close()
    return result


def main() -> None:
    """Entry point of the limits process."""
    with open(sys.argv[1], "rb") as fh:
        plan = pickle.load(fh)
    json.dump(measure(plan, Path(sys.argv[2])), sys.stdout)


if __name__ == "__main__":
    main()
