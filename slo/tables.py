"""The slo package's tables (versions 200–219): rollups that keep a tick cheap, and snapshots.

Why rollups: a 30-day window over `minute_counts` is ~43 M rows for 100 SAMU (measured ~800 ms
for one scan), so the engine reads whole hours from `slo_hour_counts`, the minutes at a
window's edges from `slo_minute_counts` (sorted by time first, so a one-hour edge reads one
hour of rows for every SAMU; kept as long as its source so that history replays), and judged
one-minute slices of closed hours from `slo_slice_hours`, which the engine itself writes (a
slice can only be judged once its minute is complete, so no insert trigger can do it). Both
count rollups are filled by materialized views on `minute_counts`; the migration backfills them
once from existing history.
"""

from __future__ import annotations

from store.migrations import Migration
from store.schema import DedupWindow, Retained, Table, View

SLO_HOUR_COUNTS = Table(
    name="slo_hour_counts",
    columns="""
    hour DateTime('UTC') CODEC(DoubleDelta, ZSTD(1)),
    samu_id LowCardinality(String),
    metric LowCardinality(String),
    component LowCardinality(String),
    outcome LowCardinality(String),
    le Float64,
    value Float64 CODEC(Gorilla, ZSTD(1))
    """,
    engine="SummingMergeTree(value)",
    partition_by="toYYYYMM(hour)",
    order_by="hour, samu_id, metric, component, outcome, le",
    ttl="hour + INTERVAL 800 DAY",
    shard_key="cityHash64(samu_id)",
    retention=Retained("rollup", "hour"),
)

SLO_HOUR_COUNTS_MV = View(
    name="slo_hour_counts_mv",
    source="minute_counts",
    target="slo_hour_counts",
    select="""
    SELECT toStartOfHour(minute) AS hour, samu_id, metric, component, outcome, le, value
    FROM {source}
    """,
)

SLO_MINUTE_COUNTS = Table(
    name="slo_minute_counts",
    columns="""
    minute DateTime('UTC') CODEC(DoubleDelta, ZSTD(1)),
    samu_id LowCardinality(String),
    metric LowCardinality(String),
    component LowCardinality(String),
    outcome LowCardinality(String),
    le Float64,
    value Float64 CODEC(Gorilla, ZSTD(1))
    """,
    engine="SummingMergeTree(value)",
    partition_by="toYYYYMMDD(minute)",
    order_by="minute, samu_id, metric, component, outcome, le",
    ttl="minute + INTERVAL 800 DAY",
    shard_key="cityHash64(samu_id)",
    retention=Retained("rollup", "minute"),
)

SLO_MINUTE_COUNTS_MV = View(
    name="slo_minute_counts_mv",
    source="minute_counts",
    target="slo_minute_counts",
    select="SELECT minute, samu_id, metric, component, outcome, le, value FROM {source}",
)

SLO_MINUTE_INGEST = Table(
    name="slo_minute_ingest",
    columns="""
    minute DateTime('UTC') CODEC(DoubleDelta, ZSTD(1)),
    samu_id LowCardinality(String),
    points SimpleAggregateFunction(sum, UInt64),
    max_lag_s SimpleAggregateFunction(max, Float64)
    """,
    engine="AggregatingMergeTree",
    partition_by="toYYYYMMDD(minute)",
    order_by="minute, samu_id",
    ttl="minute + INTERVAL 800 DAY",
    shard_key="cityHash64(samu_id)",
    retention=Retained("rollup", "minute"),
)

SLO_MINUTE_INGEST_MV = View(
    name="slo_minute_ingest_mv",
    source="minute_ingest",
    target="slo_minute_ingest",
    select="SELECT minute, samu_id, points, max_lag_s FROM {source}",
)

# Judged one-minute slices per closed hour, per slice SLI (`sli` = its stable key).
SLO_SLICE_HOURS = Table(
    name="slo_slice_hours",
    columns="""
    hour DateTime('UTC'),
    sli LowCardinality(String),
    samu_id LowCardinality(String),
    good UInt32,
    bad UInt32,
    data UInt32
    """,
    engine="ReplacingMergeTree",
    partition_by="toYYYYMM(hour)",
    order_by="sli, hour, samu_id",
    ttl="hour + INTERVAL 800 DAY",
    shard_key="cityHash64(samu_id)",
    retention=Retained("rollup", "hour"),
)

# One row per tick per SLO × SAMU (samu_id is `national` or `region:<name>` for composites).
SLO_SNAPSHOTS = Table(
    name="slo_snapshots",
    columns="""
    time DateTime64(3, 'UTC') CODEC(DoubleDelta, ZSTD(1)),
    slo LowCardinality(String),
    samu_id LowCardinality(String),
    objective Float64,
    sli Nullable(Float64),
    good Float64,
    valid Float64,
    budget_remaining Nullable(Float64),
    burns Map(LowCardinality(String), Float64),
    state LowCardinality(String)
    """,
    engine="MergeTree",
    partition_by="toYYYYMMDD(time)",
    order_by="slo, samu_id, time",
    ttl="toDateTime(time) + INTERVAL 400 DAY",
    shard_key="cityHash64(samu_id)",
    retention=Retained("operations", "time"),
)

# Which SAMU-minutes changed, and when (the store's clock): the engine re-reads exactly those
# after each tick, so late data corrects the minutes it belongs to. Written by views of
# `minute_counts` and `minute_ingest` (every insert path ends there, the collector's and direct
# ones alike); kept two days (the engine re-reads its whole horizon at start).
SLO_CHANGES = Table(
    name="slo_changes",
    columns="""
    inserted DateTime64(3, 'UTC'),
    samu_id LowCardinality(String),
    minute DateTime('UTC')
    """,
    engine="MergeTree",
    partition_by="toYYYYMMDD(inserted)",
    order_by="inserted",
    ttl="toDateTime(inserted) + INTERVAL 2 DAY",
    shard_key="cityHash64(samu_id)",
)

SLO_CHANGES_COUNTS_MV = View(
    name="slo_changes_counts_mv",
    source="minute_counts",
    target="slo_changes",
    select="SELECT now64(3, 'UTC') AS inserted, samu_id, minute FROM {source} "
    "GROUP BY samu_id, minute",
)

SLO_CHANGES_INGEST_MV = View(
    name="slo_changes_ingest_mv",
    source="minute_ingest",
    target="slo_changes",
    select="SELECT now64(3, 'UTC') AS inserted, samu_id, minute FROM {source} "
    "GROUP BY samu_id, minute",
)

# Backfills run before their view exists and only into an empty table, so re-running an
# interrupted migration never counts a row twice (migrations run before ingest starts).
_BACKFILL_HOURS = """
INSERT INTO {db}.slo_hour_counts
SELECT toStartOfHour(minute), samu_id, metric, component, outcome, le, sum(value)
FROM {db}.minute_counts
WHERE (SELECT count() FROM {db}.slo_hour_counts) = 0
GROUP BY toStartOfHour(minute), samu_id, metric, component, outcome, le
"""
_BACKFILL_MINUTES = """
INSERT INTO {db}.slo_minute_counts
SELECT minute, samu_id, metric, component, outcome, le, sum(value)
FROM {db}.minute_counts
WHERE (SELECT count() FROM {db}.slo_minute_counts) = 0
GROUP BY minute, samu_id, metric, component, outcome, le
"""
_BACKFILL_INGEST = """
INSERT INTO {db}.slo_minute_ingest
SELECT minute, samu_id, sum(points), max(max_lag_s)
FROM {db}.minute_ingest
WHERE (SELECT count() FROM {db}.slo_minute_ingest) = 0
GROUP BY minute, samu_id
"""

MIGRATIONS: list[Migration] = [
    Migration(
        200,
        "slo_rollups",
        (
            SLO_HOUR_COUNTS,
            SLO_MINUTE_COUNTS,
            SLO_MINUTE_INGEST,
            _BACKFILL_HOURS,
            _BACKFILL_MINUTES,
            _BACKFILL_INGEST,
            SLO_HOUR_COUNTS_MV,
            SLO_MINUTE_COUNTS_MV,
            SLO_MINUTE_INGEST_MV,
            SLO_SLICE_HOURS,
        ),
    ),
    Migration(201, "slo_snapshots", (SLO_SNAPSHOTS,)),
    # The rollups are written by views of `points`' views: a batch repeated with its token
    # (collector/journal.py) must land once here too.
    Migration(
        202,
        "slo_rollup_dedup_windows",
        tuple(
            DedupWindow(t) for t in ("slo_hour_counts", "slo_minute_counts", "slo_minute_ingest")
        ),
    ),
    Migration(
        203,
        "slo_changes",
        (SLO_CHANGES, DedupWindow("slo_changes"), SLO_CHANGES_COUNTS_MV, SLO_CHANGES_INGEST_MV),
    ),
]
