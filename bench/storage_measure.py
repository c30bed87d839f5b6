"""The measuring process of bench/storage.py: bytes per row of every table of a stopped store,
with the schema's codecs and, for the largest tables, with ClickHouse's default codec (LZ4).

`python -m bench.storage_measure DATA_DIR` prints JSON. Parts are merged first (OPTIMIZE …
FINAL), as they are in a store that has run for a while.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from store.client import Store, embedded_dsn, open_store

COMPARED = ("points", "minute_counts", "minute_gauges")  # the bulk of the bytes


def _parts(store: Store, table: str) -> tuple[int, int, int]:
    rows = store.query(
        "SELECT sum(rows), sum(data_compressed_bytes), sum(data_uncompressed_bytes) "
        "FROM system.parts WHERE database = {db:String} AND table = {t:String} AND active",
        {"db": store.database, "t": table},
    )
    return int(rows[0][0] or 0), int(rows[0][1] or 0), int(rows[0][2] or 0)


def _without_codecs(store: Store, table: str) -> tuple[int, int, int]:
    """The same rows in a copy of the table whose columns have no CODEC (default LZ4)."""
    columns = store.query(
        "SELECT name, type FROM system.columns WHERE database = {db:String} AND table = "
        "{t:String} ORDER BY position",
        {"db": store.database, "t": table},
    )
    key = store.query(
        "SELECT sorting_key FROM system.tables WHERE database = {db:String} AND name = {t:String}",
        {"db": store.database, "t": table},
    )[0][0]
    copy = f"{table}_lz4"
    spec = ", ".join(f"`{name}` {kind}" for name, kind in columns)
    store.command(f"CREATE TABLE {{db}}.{copy} ({spec}) ENGINE = MergeTree ORDER BY ({key})")
    store.command(f"INSERT INTO {{db}}.{copy} SELECT * FROM {{db}}.{table}")  # noqa: S608
    store.command(f"OPTIMIZE TABLE {{db}}.{copy} FINAL")
    try:
        return _parts(store, copy)
    finally:
        store.command(f"DROP TABLE {{db}}.{copy}")


def measure(data_dir: Path) -> dict[str, Any]:
    store = open_store(embedded_dsn(data_dir), "vigie")
    tables = [
        str(name)
        for (name,) in store.query(
            "SELECT name FROM system.tables WHERE database = {db:String} "
            "AND engine LIKE '%MergeTree' ORDER BY name",
            {"db": store.database},
        )
    ]
    found: dict[str, Any] = {}
    for table in tables:
        store.command(f"OPTIMIZE TABLE {{db}}.{table} FINAL")
        rows, compressed, raw = _parts(store, table)
        if rows:
            found[table] = {"rows": rows, "compressed": compressed, "uncompressed": raw}
    for table in COMPARED:
        if table in found:
            rows, compressed, raw = _without_codecs(store, table)
            found[table]["lz4_compressed"] = compressed
    # One minute_ingest row per SAMU-minute that sent data.
    samu_minutes = store.query("SELECT count() FROM {db}.minute_ingest FINAL")[0][0]
    # The engine writes one snapshot per SAMU × SLO at every tick.
    ticks = store.query("SELECT uniqExact(time) FROM {db}.slo_snapshots")[0][0]
    store.close()
    return {"tables": found, "samu_minutes": int(samu_minutes), "ticks": int(ticks)}


if __name__ == "__main__":
    print(json.dumps(measure(Path(sys.argv[1]))))
