CREATE DATABASE IF NOT EXISTS vigie ON CLUSTER vigie_cluster;

CREATE TABLE IF NOT EXISTS vigie.schema_migrations_local ON CLUSTER vigie_cluster
(
version UInt32,
    name String,
    checksum String,
    applied_at DateTime64(3, 'UTC')
)
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/schema_migrations_local', '{replica}', applied_at)
ORDER BY (version);

CREATE TABLE IF NOT EXISTS vigie.schema_migrations ON CLUSTER vigie_cluster AS vigie.schema_migrations_local
ENGINE = Distributed(vigie_cluster, vigie, schema_migrations_local, rand());

CREATE TABLE IF NOT EXISTS vigie.points_local ON CLUSTER vigie_cluster
(
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
)
ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/{database}/points_local', '{replica}')
PARTITION BY toDate(ts)
ORDER BY (samu_id, metric, ts)
TTL toDateTime(ts) + INTERVAL 35 DAY;

CREATE TABLE IF NOT EXISTS vigie.points ON CLUSTER vigie_cluster AS vigie.points_local
ENGINE = Distributed(vigie_cluster, vigie, points_local, cityHash64(samu_id));

CREATE TABLE IF NOT EXISTS vigie.minute_counts_local ON CLUSTER vigie_cluster
(
minute DateTime('UTC') CODEC(DoubleDelta, ZSTD(1)),
    samu_id LowCardinality(String),
    metric LowCardinality(String),
    component LowCardinality(String),
    outcome LowCardinality(String),
    le Float64,
    value Float64 CODEC(Gorilla, ZSTD(1))
)
ENGINE = ReplicatedSummingMergeTree('/clickhouse/tables/{shard}/{database}/minute_counts_local', '{replica}', value)
PARTITION BY toYYYYMM(minute)
ORDER BY (samu_id, metric, minute, component, outcome, le)
TTL minute + INTERVAL 800 DAY;

CREATE TABLE IF NOT EXISTS vigie.minute_counts ON CLUSTER vigie_cluster AS vigie.minute_counts_local
ENGINE = Distributed(vigie_cluster, vigie, minute_counts_local, cityHash64(samu_id));

CREATE MATERIALIZED VIEW IF NOT EXISTS vigie.minute_counts_sum_mv ON CLUSTER vigie_cluster
TO vigie.minute_counts_local
AS SELECT toStartOfMinute(ts) AS minute, samu_id, metric, component, outcome,
           inf AS le, value
    FROM vigie.points_local WHERE kind = 'sum';

CREATE MATERIALIZED VIEW IF NOT EXISTS vigie.minute_counts_hist_mv ON CLUSTER vigie_cluster
TO vigie.minute_counts_local
AS SELECT toStartOfMinute(ts) AS minute, samu_id, metric, component, outcome,
           bucket.1 AS le, toFloat64(bucket.2) AS value
    FROM vigie.points_local
    ARRAY JOIN arrayZip(arrayPushBack(bounds, inf), arrayCumSum(bucket_counts)) AS bucket
    WHERE kind = 'histogram' AND length(bucket_counts) = length(bounds) + 1;

CREATE TABLE IF NOT EXISTS vigie.minute_gauges_local ON CLUSTER vigie_cluster
(
minute DateTime('UTC') CODEC(DoubleDelta, ZSTD(1)),
    samu_id LowCardinality(String),
    metric LowCardinality(String),
    component LowCardinality(String),
    min SimpleAggregateFunction(min, Float64),
    max SimpleAggregateFunction(max, Float64),
    sum SimpleAggregateFunction(sum, Float64),
    n SimpleAggregateFunction(sum, UInt64)
)
ENGINE = ReplicatedAggregatingMergeTree('/clickhouse/tables/{shard}/{database}/minute_gauges_local', '{replica}')
PARTITION BY toYYYYMM(minute)
ORDER BY (samu_id, metric, minute, component)
TTL minute + INTERVAL 800 DAY;

CREATE TABLE IF NOT EXISTS vigie.minute_gauges ON CLUSTER vigie_cluster AS vigie.minute_gauges_local
ENGINE = Distributed(vigie_cluster, vigie, minute_gauges_local, cityHash64(samu_id));

CREATE MATERIALIZED VIEW IF NOT EXISTS vigie.minute_gauges_mv ON CLUSTER vigie_cluster
TO vigie.minute_gauges_local
AS SELECT toStartOfMinute(ts) AS minute, samu_id, metric, component,
           min(value) AS min, max(value) AS max, sum(value) AS sum, count() AS n
    FROM vigie.points_local WHERE kind = 'gauge'
    GROUP BY minute, samu_id, metric, component;

CREATE TABLE IF NOT EXISTS vigie.minute_ingest_local ON CLUSTER vigie_cluster
(
minute DateTime('UTC') CODEC(DoubleDelta, ZSTD(1)),
    samu_id LowCardinality(String),
    points SimpleAggregateFunction(sum, UInt64),
    max_lag_s SimpleAggregateFunction(max, Float64)
)
ENGINE = ReplicatedAggregatingMergeTree('/clickhouse/tables/{shard}/{database}/minute_ingest_local', '{replica}')
PARTITION BY toYYYYMM(minute)
ORDER BY (samu_id, minute)
TTL minute + INTERVAL 800 DAY;

CREATE TABLE IF NOT EXISTS vigie.minute_ingest ON CLUSTER vigie_cluster AS vigie.minute_ingest_local
ENGINE = Distributed(vigie_cluster, vigie, minute_ingest_local, cityHash64(samu_id));

CREATE MATERIALIZED VIEW IF NOT EXISTS vigie.minute_ingest_mv ON CLUSTER vigie_cluster
TO vigie.minute_ingest_local
AS SELECT toStartOfMinute(ts) AS minute, samu_id, count() AS points,
           max(greatest(0, dateDiff('millisecond', ts, received_at)) / 1000.0) AS max_lag_s
    FROM vigie.points_local GROUP BY minute, samu_id;

CREATE TABLE IF NOT EXISTS vigie.series_last_local ON CLUSTER vigie_cluster
(
series_key UInt64,
    last_ts DateTime64(3, 'UTC'),
    start_ts DateTime64(3, 'UTC'),
    cumulative Float64,
    cumulative_buckets Array(UInt64),
    bounds Array(Float64),
    received_at DateTime64(3, 'UTC')
)
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/series_last_local', '{replica}', last_ts)
ORDER BY (series_key)
TTL toDateTime(received_at) + INTERVAL 35 DAY;

CREATE TABLE IF NOT EXISTS vigie.series_last ON CLUSTER vigie_cluster AS vigie.series_last_local
ENGINE = Distributed(vigie_cluster, vigie, series_last_local, series_key);

CREATE MATERIALIZED VIEW IF NOT EXISTS vigie.series_last_mv ON CLUSTER vigie_cluster
TO vigie.series_last_local
AS SELECT series_key, ts AS last_ts, start_ts, cumulative, cumulative_buckets, bounds,
           received_at
    FROM vigie.points_local;

CREATE TABLE IF NOT EXISTS vigie.spans_local ON CLUSTER vigie_cluster
(
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
)
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/spans_local', '{replica}')
PARTITION BY toDate(ts)
ORDER BY (samu_id, name, ts, trace_id, span_id)
TTL toDateTime(ts) + INTERVAL 35 DAY;

CREATE TABLE IF NOT EXISTS vigie.spans ON CLUSTER vigie_cluster AS vigie.spans_local
ENGINE = Distributed(vigie_cluster, vigie, spans_local, cityHash64(samu_id));

CREATE TABLE IF NOT EXISTS vigie.ingest_rejections_local ON CLUSTER vigie_cluster
(
minute DateTime('UTC'),
    reason LowCardinality(String),
    samu_id String,
    metric LowCardinality(String),
    attribute LowCardinality(String),
    count UInt64
)
ENGINE = ReplicatedSummingMergeTree('/clickhouse/tables/{shard}/{database}/ingest_rejections_local', '{replica}', count)
PARTITION BY toYYYYMM(minute)
ORDER BY (reason, samu_id, metric, attribute, minute)
TTL minute + INTERVAL 400 DAY;

CREATE TABLE IF NOT EXISTS vigie.ingest_rejections ON CLUSTER vigie_cluster AS vigie.ingest_rejections_local
ENGINE = Distributed(vigie_cluster, vigie, ingest_rejections_local, rand());

CREATE TABLE IF NOT EXISTS vigie.audit_log_local ON CLUSTER vigie_cluster
(
at DateTime64(3, 'UTC'),
    id UUID,
    actor LowCardinality(String),
    source String,
    action LowCardinality(String),
    target String,
    details String
)
ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/{database}/audit_log_local', '{replica}')
PARTITION BY toYYYYMM(at)
ORDER BY (at, action, id)
TTL toDateTime(at) + INTERVAL 12 MONTH;

CREATE TABLE IF NOT EXISTS vigie.audit_log ON CLUSTER vigie_cluster AS vigie.audit_log_local
ENGINE = Distributed(vigie_cluster, vigie, audit_log_local, rand());
