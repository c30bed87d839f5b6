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

ALTER TABLE vigie.points_local ON CLUSTER vigie_cluster MODIFY SETTING replicated_deduplication_window = 1000;

ALTER TABLE vigie.minute_counts_local ON CLUSTER vigie_cluster MODIFY SETTING replicated_deduplication_window = 1000;

ALTER TABLE vigie.minute_gauges_local ON CLUSTER vigie_cluster MODIFY SETTING replicated_deduplication_window = 1000;

ALTER TABLE vigie.minute_ingest_local ON CLUSTER vigie_cluster MODIFY SETTING replicated_deduplication_window = 1000;

ALTER TABLE vigie.series_last_local ON CLUSTER vigie_cluster MODIFY SETTING replicated_deduplication_window = 1000;

DROP VIEW IF EXISTS vigie.minute_counts_sum_mv ON CLUSTER vigie_cluster;

DROP VIEW IF EXISTS vigie.minute_counts_hist_mv ON CLUSTER vigie_cluster;

CREATE MATERIALIZED VIEW IF NOT EXISTS vigie.minute_counts_mv ON CLUSTER vigie_cluster
TO vigie.minute_counts_local
AS SELECT toStartOfMinute(ts) AS minute, samu_id, metric, component, outcome,
           bucket_le AS le, bucket_value AS value
    FROM vigie.points_local
    ARRAY JOIN if(kind = 'sum', [inf], arrayPushBack(bounds, inf)) AS bucket_le,
               if(kind = 'sum', [value], arrayMap(n -> toFloat64(n), arrayCumSum(bucket_counts)))
               AS bucket_value
    WHERE kind = 'sum' OR (kind = 'histogram' AND length(bucket_counts) = length(bounds) + 1);

ALTER TABLE vigie.points_local ON CLUSTER vigie_cluster
ADD COLUMN IF NOT EXISTS correction Bool DEFAULT false,
ADD COLUMN IF NOT EXISTS cumulative_sum Float64 DEFAULT nan,
MODIFY COLUMN bucket_counts Array(Int64) CODEC(ZSTD(1));

ALTER TABLE vigie.points ON CLUSTER vigie_cluster
ADD COLUMN IF NOT EXISTS correction Bool DEFAULT false,
ADD COLUMN IF NOT EXISTS cumulative_sum Float64 DEFAULT nan,
MODIFY COLUMN bucket_counts Array(Int64) CODEC(ZSTD(1));

ALTER TABLE vigie.series_last_local ON CLUSTER vigie_cluster
ADD COLUMN IF NOT EXISTS cumulative_sum Float64 DEFAULT nan;

ALTER TABLE vigie.series_last ON CLUSTER vigie_cluster
ADD COLUMN IF NOT EXISTS cumulative_sum Float64 DEFAULT nan;

DROP VIEW IF EXISTS vigie.minute_ingest_mv ON CLUSTER vigie_cluster;

DROP VIEW IF EXISTS vigie.series_last_mv ON CLUSTER vigie_cluster;

CREATE MATERIALIZED VIEW IF NOT EXISTS vigie.minute_ingest_received_mv ON CLUSTER vigie_cluster
TO vigie.minute_ingest_local
AS SELECT toStartOfMinute(ts) AS minute, samu_id, count() AS points,
           max(greatest(0, dateDiff('millisecond', ts, received_at)) / 1000.0) AS max_lag_s
    FROM vigie.points_local WHERE NOT correction GROUP BY minute, samu_id;

CREATE MATERIALIZED VIEW IF NOT EXISTS vigie.series_last_received_mv ON CLUSTER vigie_cluster
TO vigie.series_last_local
AS SELECT series_key, ts AS last_ts, start_ts, cumulative, cumulative_buckets, bounds,
           received_at, cumulative_sum
    FROM vigie.points_local WHERE NOT correction;

CREATE TABLE IF NOT EXISTS vigie.collector_minutes_local ON CLUSTER vigie_cluster
(
minute DateTime('UTC') CODEC(DoubleDelta, ZSTD(1)),
    instance LowCardinality(String),
    requests SimpleAggregateFunction(sum, UInt64),
    points_accepted SimpleAggregateFunction(sum, UInt64),
    points_rejected SimpleAggregateFunction(sum, UInt64),
    shed_503 SimpleAggregateFunction(sum, UInt64),
    max_queue_age_s SimpleAggregateFunction(max, Float64)
)
ENGINE = ReplicatedAggregatingMergeTree('/clickhouse/tables/{shard}/{database}/collector_minutes_local', '{replica}')
PARTITION BY toYYYYMM(minute)
ORDER BY (minute, instance)
TTL minute + INTERVAL 800 DAY;

CREATE TABLE IF NOT EXISTS vigie.collector_minutes ON CLUSTER vigie_cluster AS vigie.collector_minutes_local
ENGINE = Distributed(vigie_cluster, vigie, collector_minutes_local, rand());

CREATE TABLE IF NOT EXISTS vigie.ingest_agents_local ON CLUSTER vigie_cluster
(
minute DateTime('UTC') CODEC(DoubleDelta, ZSTD(1)),
    agent String,
    samu_id String,
    reason LowCardinality(String),
    metric LowCardinality(String),
    attribute LowCardinality(String),
    points SimpleAggregateFunction(sum, UInt64),
    last_at SimpleAggregateFunction(max, DateTime64(3, 'UTC')),
    message SimpleAggregateFunction(anyLast, String)
)
ENGINE = ReplicatedAggregatingMergeTree('/clickhouse/tables/{shard}/{database}/ingest_agents_local', '{replica}')
PARTITION BY toYYYYMM(minute)
ORDER BY (minute, agent, samu_id, reason, metric, attribute)
TTL minute + INTERVAL 400 DAY;

CREATE TABLE IF NOT EXISTS vigie.ingest_agents ON CLUSTER vigie_cluster AS vigie.ingest_agents_local
ENGINE = Distributed(vigie_cluster, vigie, ingest_agents_local, rand());

CREATE MATERIALIZED VIEW IF NOT EXISTS vigie.ingest_rejections_from_agents_mv ON CLUSTER vigie_cluster
TO vigie.ingest_rejections_local
AS SELECT minute, reason, samu_id, metric, attribute, points AS count
    FROM vigie.ingest_agents_local WHERE reason != '';

CREATE TABLE IF NOT EXISTS vigie.agent_tokens_local ON CLUSTER vigie_cluster
(
id String,
    version UInt64,
    at DateTime64(6, 'UTC'),
    changed_by String,
    change LowCardinality(String),
    label String,
    samu_ids Array(String),
    digest String,
    revoked Bool
)
ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/{database}/agent_tokens_local', '{replica}')
ORDER BY (id, version);

CREATE TABLE IF NOT EXISTS vigie.agent_tokens ON CLUSTER vigie_cluster AS vigie.agent_tokens_local
ENGINE = Distributed(vigie_cluster, vigie, agent_tokens_local, cityHash64(id));

CREATE TABLE IF NOT EXISTS vigie.alert_state_local ON CLUSTER vigie_cluster
(
fingerprint UInt64,
    labels Map(String, String),
    annotations Map(String, String),
    starts_at DateTime64(6, 'UTC'),
    ends_at DateTime64(6, 'UTC'),
    updated_at DateTime64(6, 'UTC'),
    generator_url String,
    timeout Bool,
    version UInt64
)
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/alert_state_local', '{replica}', version)
ORDER BY (fingerprint);

CREATE TABLE IF NOT EXISTS vigie.alert_state ON CLUSTER vigie_cluster AS vigie.alert_state_local
ENGINE = Distributed(vigie_cluster, vigie, alert_state_local, fingerprint);

CREATE TABLE IF NOT EXISTS vigie.alert_events_local ON CLUSTER vigie_cluster
(
at DateTime64(6, 'UTC'),
    kind LowCardinality(String),
    actor LowCardinality(String),
    target String,
    fingerprint String,
    alertname LowCardinality(String),
    samu LowCardinality(String),
    receiver LowCardinality(String),
    labels Map(String, String),
    details String
)
ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/{database}/alert_events_local', '{replica}')
PARTITION BY toYYYYMM(at)
ORDER BY (at, kind);

CREATE TABLE IF NOT EXISTS vigie.alert_events ON CLUSTER vigie_cluster AS vigie.alert_events_local
ENGINE = Distributed(vigie_cluster, vigie, alert_events_local, rand());

CREATE TABLE IF NOT EXISTS vigie.silences_local ON CLUSTER vigie_cluster
(
id String,
    matchers String,
    starts_at DateTime64(6, 'UTC'),
    ends_at DateTime64(6, 'UTC'),
    created_by String,
    comment String,
    expire_on_resolve Bool,
    seen_firing Bool,
    updated_at DateTime64(6, 'UTC'),
    version UInt64
)
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/silences_local', '{replica}', version)
ORDER BY (id);

CREATE TABLE IF NOT EXISTS vigie.silences ON CLUSTER vigie_cluster AS vigie.silences_local
ENGINE = Distributed(vigie_cluster, vigie, silences_local, cityHash64(id));

CREATE TABLE IF NOT EXISTS vigie.notification_log_local ON CLUSTER vigie_cluster
(
group_key String,
    receiver String,
    at DateTime64(6, 'UTC'),
    firing Array(UInt64),
    resolved Array(UInt64),
    version UInt64
)
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/notification_log_local', '{replica}', version)
ORDER BY (group_key, receiver);

CREATE TABLE IF NOT EXISTS vigie.notification_log ON CLUSTER vigie_cluster AS vigie.notification_log_local
ENGINE = Distributed(vigie_cluster, vigie, notification_log_local, cityHash64(group_key));

CREATE TABLE IF NOT EXISTS vigie.maintenance_windows_local ON CLUSTER vigie_cluster
(
id String,
    title String,
    starts_at DateTime64(6, 'UTC'),
    duration_s Float64,
    approved_by String,
    created_by String,
    samu_ids Array(String),
    regions Array(String),
    rrule String,
    timezone String,
    reason String,
    cancelled Bool,
    labels Map(String, String),
    updated_at DateTime64(6, 'UTC'),
    version UInt64
)
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/maintenance_windows_local', '{replica}', version)
ORDER BY (id);

CREATE TABLE IF NOT EXISTS vigie.maintenance_windows ON CLUSTER vigie_cluster AS vigie.maintenance_windows_local
ENGINE = Distributed(vigie_cluster, vigie, maintenance_windows_local, cityHash64(id));

CREATE TABLE IF NOT EXISTS vigie.oncall_events_local ON CLUSTER vigie_cluster
(
at DateTime64(3, 'UTC'),
    incident_id String,
    seq UInt32,
    kind LowCardinality(String),
    actor String,
    source String,
    step Int16,
    loop Int16,
    epoch UInt16,
    person String,
    contact String,
    ok UInt8,
    detail String CODEC(ZSTD(1))
)
ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/{database}/oncall_events_local', '{replica}')
PARTITION BY toYYYYMM(at)
ORDER BY (incident_id, seq);

CREATE TABLE IF NOT EXISTS vigie.oncall_events ON CLUSTER vigie_cluster AS vigie.oncall_events_local
ENGINE = Distributed(vigie_cluster, vigie, oncall_events_local, cityHash64(incident_id));

CREATE TABLE IF NOT EXISTS vigie.oncall_heartbeats_local ON CLUSTER vigie_cluster
(
at DateTime64(3, 'UTC'),
    monitor String,
    kind LowCardinality(String),
    source String
)
ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/{database}/oncall_heartbeats_local', '{replica}')
PARTITION BY toYYYYMM(at)
ORDER BY (monitor, at)
TTL toDateTime(at) + INTERVAL 400 DAY;

CREATE TABLE IF NOT EXISTS vigie.oncall_heartbeats ON CLUSTER vigie_cluster AS vigie.oncall_heartbeats_local
ENGINE = Distributed(vigie_cluster, vigie, oncall_heartbeats_local, cityHash64(monitor));

CREATE TABLE IF NOT EXISTS vigie.notification_attempts_local ON CLUSTER vigie_cluster
(
at DateTime64(3, 'UTC'),
    id UUID,
    receiver LowCardinality(String),
    integration LowCardinality(String),
    group_key String,
    status LowCardinality(String),
    notification_at DateTime64(3, 'UTC'),
    alerts UInt32,
    samu_ids Array(LowCardinality(String)),
    attempt UInt16,
    ok Bool,
    retryable Bool,
    final Bool,
    detail String,
    duration_s Float64
)
ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/{database}/notification_attempts_local', '{replica}')
PARTITION BY toYYYYMM(at)
ORDER BY (at, receiver, integration)
TTL toDateTime(at) + INTERVAL 12 MONTH;

CREATE TABLE IF NOT EXISTS vigie.notification_attempts ON CLUSTER vigie_cluster AS vigie.notification_attempts_local
ENGINE = Distributed(vigie_cluster, vigie, notification_attempts_local, rand());

CREATE TABLE IF NOT EXISTS vigie.slo_hour_counts_local ON CLUSTER vigie_cluster
(
hour DateTime('UTC') CODEC(DoubleDelta, ZSTD(1)),
    samu_id LowCardinality(String),
    metric LowCardinality(String),
    component LowCardinality(String),
    outcome LowCardinality(String),
    le Float64,
    value Float64 CODEC(Gorilla, ZSTD(1))
)
ENGINE = ReplicatedSummingMergeTree('/clickhouse/tables/{shard}/{database}/slo_hour_counts_local', '{replica}', value)
PARTITION BY toYYYYMM(hour)
ORDER BY (hour, samu_id, metric, component, outcome, le)
TTL hour + INTERVAL 800 DAY;

CREATE TABLE IF NOT EXISTS vigie.slo_hour_counts ON CLUSTER vigie_cluster AS vigie.slo_hour_counts_local
ENGINE = Distributed(vigie_cluster, vigie, slo_hour_counts_local, cityHash64(samu_id));

CREATE TABLE IF NOT EXISTS vigie.slo_minute_counts_local ON CLUSTER vigie_cluster
(
minute DateTime('UTC') CODEC(DoubleDelta, ZSTD(1)),
    samu_id LowCardinality(String),
    metric LowCardinality(String),
    component LowCardinality(String),
    outcome LowCardinality(String),
    le Float64,
    value Float64 CODEC(Gorilla, ZSTD(1))
)
ENGINE = ReplicatedSummingMergeTree('/clickhouse/tables/{shard}/{database}/slo_minute_counts_local', '{replica}', value)
PARTITION BY toYYYYMMDD(minute)
ORDER BY (minute, samu_id, metric, component, outcome, le)
TTL minute + INTERVAL 800 DAY;

CREATE TABLE IF NOT EXISTS vigie.slo_minute_counts ON CLUSTER vigie_cluster AS vigie.slo_minute_counts_local
ENGINE = Distributed(vigie_cluster, vigie, slo_minute_counts_local, cityHash64(samu_id));

CREATE TABLE IF NOT EXISTS vigie.slo_minute_ingest_local ON CLUSTER vigie_cluster
(
minute DateTime('UTC') CODEC(DoubleDelta, ZSTD(1)),
    samu_id LowCardinality(String),
    points SimpleAggregateFunction(sum, UInt64),
    max_lag_s SimpleAggregateFunction(max, Float64)
)
ENGINE = ReplicatedAggregatingMergeTree('/clickhouse/tables/{shard}/{database}/slo_minute_ingest_local', '{replica}')
PARTITION BY toYYYYMMDD(minute)
ORDER BY (minute, samu_id)
TTL minute + INTERVAL 800 DAY;

CREATE TABLE IF NOT EXISTS vigie.slo_minute_ingest ON CLUSTER vigie_cluster AS vigie.slo_minute_ingest_local
ENGINE = Distributed(vigie_cluster, vigie, slo_minute_ingest_local, cityHash64(samu_id));


INSERT INTO vigie.slo_hour_counts
SELECT toStartOfHour(minute), samu_id, metric, component, outcome, le, sum(value)
FROM vigie.minute_counts
WHERE (SELECT count() FROM vigie.slo_hour_counts) = 0
GROUP BY toStartOfHour(minute), samu_id, metric, component, outcome, le
;


INSERT INTO vigie.slo_minute_counts
SELECT minute, samu_id, metric, component, outcome, le, sum(value)
FROM vigie.minute_counts
WHERE (SELECT count() FROM vigie.slo_minute_counts) = 0
GROUP BY minute, samu_id, metric, component, outcome, le
;


INSERT INTO vigie.slo_minute_ingest
SELECT minute, samu_id, sum(points), max(max_lag_s)
FROM vigie.minute_ingest
WHERE (SELECT count() FROM vigie.slo_minute_ingest) = 0
GROUP BY minute, samu_id
;

CREATE MATERIALIZED VIEW IF NOT EXISTS vigie.slo_hour_counts_mv ON CLUSTER vigie_cluster
TO vigie.slo_hour_counts_local
AS SELECT toStartOfHour(minute) AS hour, samu_id, metric, component, outcome, le, value
    FROM vigie.minute_counts_local;

CREATE MATERIALIZED VIEW IF NOT EXISTS vigie.slo_minute_counts_mv ON CLUSTER vigie_cluster
TO vigie.slo_minute_counts_local
AS SELECT minute, samu_id, metric, component, outcome, le, value FROM vigie.minute_counts_local;

CREATE MATERIALIZED VIEW IF NOT EXISTS vigie.slo_minute_ingest_mv ON CLUSTER vigie_cluster
TO vigie.slo_minute_ingest_local
AS SELECT minute, samu_id, points, max_lag_s FROM vigie.minute_ingest_local;

CREATE TABLE IF NOT EXISTS vigie.slo_slice_hours_local ON CLUSTER vigie_cluster
(
hour DateTime('UTC'),
    sli LowCardinality(String),
    samu_id LowCardinality(String),
    good UInt32,
    bad UInt32,
    data UInt32
)
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/slo_slice_hours_local', '{replica}')
PARTITION BY toYYYYMM(hour)
ORDER BY (sli, hour, samu_id)
TTL hour + INTERVAL 800 DAY;

CREATE TABLE IF NOT EXISTS vigie.slo_slice_hours ON CLUSTER vigie_cluster AS vigie.slo_slice_hours_local
ENGINE = Distributed(vigie_cluster, vigie, slo_slice_hours_local, cityHash64(samu_id));

CREATE TABLE IF NOT EXISTS vigie.slo_snapshots_local ON CLUSTER vigie_cluster
(
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
)
ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/{database}/slo_snapshots_local', '{replica}')
PARTITION BY toYYYYMMDD(time)
ORDER BY (slo, samu_id, time)
TTL toDateTime(time) + INTERVAL 400 DAY;

CREATE TABLE IF NOT EXISTS vigie.slo_snapshots ON CLUSTER vigie_cluster AS vigie.slo_snapshots_local
ENGINE = Distributed(vigie_cluster, vigie, slo_snapshots_local, cityHash64(samu_id));

ALTER TABLE vigie.slo_hour_counts_local ON CLUSTER vigie_cluster MODIFY SETTING replicated_deduplication_window = 1000;

ALTER TABLE vigie.slo_minute_counts_local ON CLUSTER vigie_cluster MODIFY SETTING replicated_deduplication_window = 1000;

ALTER TABLE vigie.slo_minute_ingest_local ON CLUSTER vigie_cluster MODIFY SETTING replicated_deduplication_window = 1000;

CREATE TABLE IF NOT EXISTS vigie.slo_changes_local ON CLUSTER vigie_cluster
(
inserted DateTime64(3, 'UTC'),
    samu_id LowCardinality(String),
    minute DateTime('UTC')
)
ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/{database}/slo_changes_local', '{replica}')
PARTITION BY toYYYYMMDD(inserted)
ORDER BY (inserted)
TTL toDateTime(inserted) + INTERVAL 2 DAY;

CREATE TABLE IF NOT EXISTS vigie.slo_changes ON CLUSTER vigie_cluster AS vigie.slo_changes_local
ENGINE = Distributed(vigie_cluster, vigie, slo_changes_local, cityHash64(samu_id));

ALTER TABLE vigie.slo_changes_local ON CLUSTER vigie_cluster MODIFY SETTING replicated_deduplication_window = 1000;

CREATE MATERIALIZED VIEW IF NOT EXISTS vigie.slo_changes_counts_mv ON CLUSTER vigie_cluster
TO vigie.slo_changes_local
AS SELECT now64(3, 'UTC') AS inserted, samu_id, minute FROM vigie.minute_counts_local GROUP BY samu_id, minute;

CREATE MATERIALIZED VIEW IF NOT EXISTS vigie.slo_changes_ingest_mv ON CLUSTER vigie_cluster
TO vigie.slo_changes_local
AS SELECT now64(3, 'UTC') AS inserted, samu_id, minute FROM vigie.minute_ingest_local GROUP BY samu_id, minute;

CREATE TABLE IF NOT EXISTS vigie.report_archive_local ON CLUSTER vigie_cluster
(
month String,
    version UInt32,
    lang LowCardinality(String),
    digest String,
    issued_at DateTime64(3, 'UTC'),
    actor String,
    reason String,
    manifest_name String,
    manifest String,
    names Array(String),
    contents Array(String)
)
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/report_archive_local', '{replica}', issued_at)
ORDER BY (month, version, lang);

CREATE TABLE IF NOT EXISTS vigie.report_archive ON CLUSTER vigie_cluster AS vigie.report_archive_local
ENGINE = Distributed(vigie_cluster, vigie, report_archive_local, rand());

CREATE TABLE IF NOT EXISTS vigie.people_local ON CLUSTER vigie_cluster
(
id String,
    version UInt64,
    at DateTime64(6, 'UTC'),
    changed_by String,
    change LowCardinality(String),
    name String,
    display_name String,
    email String,
    roles Array(LowCardinality(String)),
    all_samu Bool,
    samu_scope Array(String),
    disabled Bool,
    source LowCardinality(String),
    issuer String,
    subject String,
    password_hash String
)
ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/{database}/people_local', '{replica}')
ORDER BY (id, version);

CREATE TABLE IF NOT EXISTS vigie.people ON CLUSTER vigie_cluster AS vigie.people_local
ENGINE = Distributed(vigie_cluster, vigie, people_local, cityHash64(id));

CREATE TABLE IF NOT EXISTS vigie.api_tokens_local ON CLUSTER vigie_cluster
(
id String,
    version UInt64,
    at DateTime64(6, 'UTC'),
    changed_by String,
    person_id String,
    label String,
    digest String,
    expires_at Nullable(DateTime64(6, 'UTC')),
    revoked Bool
)
ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/{database}/api_tokens_local', '{replica}')
ORDER BY (id, version);

CREATE TABLE IF NOT EXISTS vigie.api_tokens ON CLUSTER vigie_cluster AS vigie.api_tokens_local
ENGINE = Distributed(vigie_cluster, vigie, api_tokens_local, cityHash64(id));

CREATE TABLE IF NOT EXISTS vigie.sessions_local ON CLUSTER vigie_cluster
(
digest String,
    version UInt64,
    person_id String,
    created_at DateTime64(6, 'UTC'),
    last_seen DateTime64(6, 'UTC'),
    expires_at DateTime64(6, 'UTC'),
    csrf String,
    source String,
    revoked Bool
)
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/sessions_local', '{replica}', version)
ORDER BY (digest);

CREATE TABLE IF NOT EXISTS vigie.sessions ON CLUSTER vigie_cluster AS vigie.sessions_local
ENGINE = Distributed(vigie_cluster, vigie, sessions_local, cityHash64(digest));

CREATE TABLE IF NOT EXISTS vigie.migration_wave_events_local ON CLUSTER vigie_cluster
(
at DateTime64(3, 'UTC'),
    wave_id String,
    kind LowCardinality(String),
    actor String,
    source String,
    plan String,
    maintenance_id String
)
ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/{database}/migration_wave_events_local', '{replica}')
PARTITION BY toYYYYMM(at)
ORDER BY (wave_id, at);

CREATE TABLE IF NOT EXISTS vigie.migration_wave_events ON CLUSTER vigie_cluster AS vigie.migration_wave_events_local
ENGINE = Distributed(vigie_cluster, vigie, migration_wave_events_local, cityHash64(wave_id));
