from __future__ import annotations

import os
from pathlib import Path

from store.client import Store
from store.migrations import cluster_ddl, migrate, status
from store.schema import ClusterConfig
from vigie.schema import all_migrations

GOLDEN = Path(__file__).parent / "golden" / "cluster_ddl.sql"


def test_migrations_apply_once_and_are_recorded(blank_store: Store) -> None:
    everything = all_migrations()
    first = migrate(blank_store, migrations=everything)
    assert [m.version for m in first] == [m.version for m in everything]
    assert migrate(blank_store, migrations=everything) == []
    assert all(applied for _, _, applied in status(blank_store, everything))


def test_migrations_survive_a_half_applied_run(blank_store: Store) -> None:
    everything = all_migrations()
    migrate(blank_store, migrations=everything)
    blank_store.command("TRUNCATE TABLE {db}.schema_migrations")
    again = migrate(blank_store, migrations=everything)
    assert [m.version for m in again] == [m.version for m in everything]


def test_rollups_count_counters_and_histogram_buckets_exactly(store: Store) -> None:
    rows = [
        [
            "2026-10-01 10:00:05",
            "fr.health.samu075",
            "samu.call.setups",
            "",
            "success",
            "sum",
            3.0,
            [],
            [],
        ],
        [
            "2026-10-01 10:00:15",
            "fr.health.samu075",
            "samu.call.setups",
            "",
            "success",
            "sum",
            2.0,
            [],
            [],
        ],
        [
            "2026-10-01 10:00:15",
            "fr.health.samu075",
            "samu.call.setup.duration",
            "",
            "",
            "histogram",
            4.0,
            [0.5, 1.0],
            [1, 2, 1],
        ],
    ]
    from datetime import UTC, datetime

    data = [
        [datetime.fromisoformat(r[0]).replace(tzinfo=UTC), datetime.now(UTC), *r[1:]] for r in rows
    ]
    cols = [
        "ts",
        "received_at",
        "samu_id",
        "metric",
        "component",
        "outcome",
        "kind",
        "value",
        "bounds",
        "bucket_counts",
    ]
    store.insert("points", data, cols)
    got = store.query(
        "SELECT metric, outcome, le, sum(value) FROM {db}.minute_counts "
        "GROUP BY metric, outcome, le ORDER BY metric, le"
    )
    assert got == [
        ("samu.call.setup.duration", "", 0.5, 1.0),
        ("samu.call.setup.duration", "", 1.0, 3.0),
        ("samu.call.setup.duration", "", float("inf"), 4.0),
        ("samu.call.setups", "success", float("inf"), 5.0),
    ]


def test_cluster_ddl_matches_the_golden_file() -> None:
    ddl = (
        ";\n\n".join(cluster_ddl("vigie", ClusterConfig("vigie_cluster"), all_migrations())) + ";\n"
    )
    if os.environ.get("VIGIE_UPDATE_GOLDEN") == "1":
        GOLDEN.write_text(ddl)
    assert ddl == GOLDEN.read_text()
    assert "ReplicatedSummingMergeTree" in ddl and "Distributed(vigie_cluster" in ddl
