"""Table definitions of the core schema (ingest, rollups, audit), used by the migrations."""

from __future__ import annotations

from store.schema import AlterTable, Retained, Table, View

SAMU_SHARD = "cityHash64(samu_id)"

# Raw data points as received, one row per OTLP data point after cumulative→delta conversion,
# plus correction rows for late data (migration 4 below adds `correction` and `cumulative_sum`
# and makes `bucket_counts` signed).
POINTS = Table(
    name="points",
    columns="""
    ts DateTime64(3, 'UTC') CODEC(DoubleDelta, ZSTD(1)),
    received_at DateTime64(3, 'UTC') CODEC(DoubleDelta, ZSTD(1)),
    samu_id LowCardinality(String),
    metric LowCardinality(String),
    component LowCardinality(String),
    outcome LowCardinality(String),
    attributes Map(LowCardinality(String), String) CODEC(ZSTD(1)),
    series_key UInt64,
    start_ts DateTime64(3, 'UTC') CODEC(DoubleDelta, ZSTD(1)),
    kind Enum8('sum' = 1, 'gauge' = 2, 'histogram' = 3),
    value Float64 CODEC(Gorilla, ZSTD(1)),
    cumulative Float64 CODEC(Gorilla, ZSTD(1)),
    hist_sum Float64 CODEC(Gorilla, ZSTD(1)),
    bounds Array(Float64) CODEC(ZSTD(1)),
    bucket_counts Array(UInt64) CODEC(ZSTD(1)),
    cumulative_buckets Array(UInt64) CODEC(ZSTD(1))
    """,
    engine="MergeTree",
    partition_by="toDate(ts)",
    order_by="samu_id, metric, ts",
    ttl="toDateTime(ts) + INTERVAL 35 DAY",
    shard_key=SAMU_SHARD,
    retention=Retained("raw", "ts"),
)

# Per-minute exact counts per SAMU: counter increments (le = inf) and, for histograms, the
# cumulative count at each bucket bound (le = bound) plus the total (le = inf).
MINUTE_COUNTS = Table(
    name="minute_counts",
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
    partition_by="toYYYYMM(minute)",
    order_by="samu_id, metric, minute, component, outcome, le",
    ttl="minute + INTERVAL 800 DAY",
    shard_key=SAMU_SHARD,
    retention=Retained("rollup", "minute"),
)

MINUTE_COUNTS_SUM_MV = View(
    name="minute_counts_sum_mv",
    source="points",
    target="minute_counts",
    select="""
    SELECT toStartOfMinute(ts) AS minute, samu_id, metric, component, outcome,
           inf AS le, value
    FROM {source} WHERE kind = 'sum'
    """,
)

MINUTE_COUNTS_HIST_MV = View(
    name="minute_counts_hist_mv",
    source="points",
    target="minute_counts",
    select="""
    SELECT toStartOfMinute(ts) AS minute, samu_id, metric, component, outcome,
           bucket.1 AS le, toFloat64(bucket.2) AS value
    FROM {source}
    ARRAY JOIN arrayZip(arrayPushBack(bounds, inf), arrayCumSum(bucket_counts)) AS bucket
    WHERE kind = 'histogram' AND length(bucket_counts) = length(bounds) + 1
    """,
)

# One view for counters and histograms (replaces the two above from migration 3 on): each
# view of `points` is a part written per insert, and the SLO rollups cascade from each.
MINUTE_COUNTS_MV = View(
    name="minute_counts_mv",
    source="points",
    target="minute_counts",
    select="""
    SELECT toStartOfMinute(ts) AS minute, samu_id, metric, component, outcome,
           bucket_le AS le, bucket_value AS value
    FROM {source}
    ARRAY JOIN if(kind = 'sum', [inf], arrayPushBack(bounds, inf)) AS bucket_le,
               if(kind = 'sum', [value], arrayMap(n -> toFloat64(n), arrayCumSum(bucket_counts)))
               AS bucket_value
    WHERE kind = 'sum' OR (kind = 'histogram' AND length(bucket_counts) = length(bounds) + 1)
    """,
)

# Per-minute gauge summaries (component health, network latency).
MINUTE_GAUGES = Table(
    name="minute_gauges",
    columns="""
    minute DateTime('UTC') CODEC(DoubleDelta, ZSTD(1)),
    samu_id LowCardinality(String),
    metric LowCardinality(String),
    component LowCardinality(String),
    min SimpleAggregateFunction(min, Float64),
    max SimpleAggregateFunction(max, Float64),
    sum SimpleAggregateFunction(sum, Float64),
    n SimpleAggregateFunction(sum, UInt64)
    """,
    engine="AggregatingMergeTree",
    partition_by="toYYYYMM(minute)",
    order_by="samu_id, metric, minute, component",
    ttl="minute + INTERVAL 800 DAY",
    shard_key=SAMU_SHARD,
    retention=Retained("rollup", "minute"),
)

MINUTE_GAUGES_MV = View(
    name="minute_gauges_mv",
    source="points",
    target="minute_gauges",
    select="""
    SELECT toStartOfMinute(ts) AS minute, samu_id, metric, component,
           min(value) AS min, max(value) AS max, sum(value) AS sum, count() AS n
    FROM {source} WHERE kind = 'gauge'
    GROUP BY minute, samu_id, metric, component
    """,
)

# Per-minute arrival: how many points a SAMU sent for that minute and their worst lag (O1).
MINUTE_INGEST = Table(
    name="minute_ingest",
    columns="""
    minute DateTime('UTC') CODEC(DoubleDelta, ZSTD(1)),
    samu_id LowCardinality(String),
    points SimpleAggregateFunction(sum, UInt64),
    max_lag_s SimpleAggregateFunction(max, Float64)
    """,
    engine="AggregatingMergeTree",
    partition_by="toYYYYMM(minute)",
    order_by="samu_id, minute",
    ttl="minute + INTERVAL 800 DAY",
    shard_key=SAMU_SHARD,
    retention=Retained("rollup", "minute"),
)

MINUTE_INGEST_MV = View(
    name="minute_ingest_mv",
    source="points",
    target="minute_ingest",
    select="""
    SELECT toStartOfMinute(ts) AS minute, samu_id, count() AS points,
           max(greatest(0, dateDiff('millisecond', ts, received_at)) / 1000.0) AS max_lag_s
    FROM {source} GROUP BY minute, samu_id
    """,
)

# The last state of each series, so that cumulative→delta and duplicate detection survive a
# restart. Written by the same insert as the points (through a view), so the two never diverge.
SERIES_LAST = Table(
    name="series_last",
    columns="""
    series_key UInt64,
    last_ts DateTime64(3, 'UTC'),
    start_ts DateTime64(3, 'UTC'),
    cumulative Float64,
    cumulative_buckets Array(UInt64),
    bounds Array(Float64),
    received_at DateTime64(3, 'UTC')
    """,
    engine="ReplacingMergeTree(last_ts)",
    order_by="series_key",
    ttl="toDateTime(received_at) + INTERVAL 35 DAY",
    shard_key="series_key",
    retention=Retained("raw", "received_at"),
)

SERIES_LAST_MV = View(
    name="series_last_mv",
    source="points",
    target="series_last",
    select="""
    SELECT series_key, ts AS last_ts, start_ts, cumulative, cumulative_buckets, bounds,
           received_at
    FROM {source}
    """,
)

# Migration 4: late data. `correction` marks a row that changes the delta of the stored point at
# its time (a late cumulative point became that point's predecessor): bucket deltas become
# signed; `cumulative_sum` keeps a histogram's sum as sent, so sum deltas can be recomputed.
POINTS_LATE_COLUMNS = AlterTable(
    "points",
    (
        "ADD COLUMN IF NOT EXISTS correction Bool DEFAULT false",
        "ADD COLUMN IF NOT EXISTS cumulative_sum Float64 DEFAULT nan",
        "MODIFY COLUMN bucket_counts Array(Int64) CODEC(ZSTD(1))",
    ),
)

SERIES_LAST_SUM_COLUMN = AlterTable(
    "series_last", ("ADD COLUMN IF NOT EXISTS cumulative_sum Float64 DEFAULT nan",)
)

# The points received per minute and the last state of each series skip correction rows.
MINUTE_INGEST_RECEIVED_MV = View(
    name="minute_ingest_received_mv",
    source="points",
    target="minute_ingest",
    select="""
    SELECT toStartOfMinute(ts) AS minute, samu_id, count() AS points,
           max(greatest(0, dateDiff('millisecond', ts, received_at)) / 1000.0) AS max_lag_s
    FROM {source} WHERE NOT correction GROUP BY minute, samu_id
    """,
)

SERIES_LAST_RECEIVED_MV = View(
    name="series_last_received_mv",
    source="points",
    target="series_last",
    select="""
    SELECT series_key, ts AS last_ts, start_ts, cumulative, cumulative_buckets, bounds,
           received_at, cumulative_sum
    FROM {source} WHERE NOT correction
    """,
)

# Spans as received (a gateway may report one span per call setup).
SPANS = Table(
    name="spans",
    columns="""
    ts DateTime64(6, 'UTC') CODEC(DoubleDelta, ZSTD(1)),
    received_at DateTime64(3, 'UTC') CODEC(DoubleDelta, ZSTD(1)),
    samu_id LowCardinality(String),
    trace_id FixedString(16),
    span_id FixedString(8),
    name LowCardinality(String),
    duration_s Float64,
    status LowCardinality(String),
    outcome LowCardinality(String),
    component LowCardinality(String),
    attributes Map(LowCardinality(String), String) CODEC(ZSTD(1))
    """,
    engine="ReplacingMergeTree",
    partition_by="toDate(ts)",
    order_by="samu_id, name, ts, trace_id, span_id",
    ttl="toDateTime(ts) + INTERVAL 35 DAY",
    shard_key=SAMU_SHARD,
    retention=Retained("raw", "ts"),
)

# What the collector refused, per minute and reason (unknown SAMU ids, privacy guard, …).
INGEST_REJECTIONS = Table(
    name="ingest_rejections",
    columns="""
    minute DateTime('UTC'),
    reason LowCardinality(String),
    samu_id String,
    metric LowCardinality(String),
    attribute LowCardinality(String),
    count UInt64
    """,
    engine="SummingMergeTree(count)",
    partition_by="toYYYYMM(minute)",
    order_by="reason, samu_id, metric, attribute, minute",
    ttl="minute + INTERVAL 400 DAY",
    retention=Retained("operations", "minute"),
)

# Who did what, when, from where: every action people take, appended, kept 12 months.
AUDIT_LOG = Table(
    name="audit_log",
    columns="""
    at DateTime64(3, 'UTC'),
    id UUID,
    actor LowCardinality(String),
    source String,
    action LowCardinality(String),
    target String,
    details String
    """,
    engine="MergeTree",
    partition_by="toYYYYMM(at)",
    order_by="at, action, id",
    ttl="toDateTime(at) + INTERVAL 12 MONTH",
    retention=Retained("audit", "at"),
)
