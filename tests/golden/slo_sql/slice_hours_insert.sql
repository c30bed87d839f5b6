INSERT INTO {db}.slo_slice_hours (hour, sli, samu_id, good, bad, data)
SELECT toStartOfHour(slice) AS hour, {key:String}, samu_id, countIf(n >= {m0_min_points:UInt64} AND lag < {m0_max_lag:Float64}),
  countIf((n > 0) AND NOT (n >= {m0_min_points:UInt64} AND lag < {m0_max_lag:Float64})), countIf(n > 0)
FROM (
  SELECT samu_id, minute AS slice, sum(points) AS n, max(max_lag_s) AS lag
  FROM {db}.slo_minute_ingest
  WHERE minute >= {start:DateTime('UTC')} AND minute < {end:DateTime('UTC')}
  GROUP BY samu_id, slice
)
GROUP BY hour, samu_id
UNION ALL
SELECT toStartOfHour(toDateTime({start:DateTime('UTC')}, 'UTC') + number * 3600), {key:String}, '', 0, 0, 0
FROM numbers(toUInt64(dateDiff('hour', {start:DateTime('UTC')}, {end:DateTime('UTC')})))

INSERT INTO {db}.slo_slice_hours (hour, sli, samu_id, good, bad, data)
SELECT toStartOfHour(slice) AS hour, {key:String}, samu_id, countIf(n > 0 AND g >= {m4_target:Float64} * n),
  countIf((n > 0) AND NOT (n > 0 AND g >= {m4_target:Float64} * n)), countIf(n > 0)
FROM (
  SELECT samu_id, minute AS slice, sumIf(value, metric = {m4_metric:String} AND le = inf AND outcome IN {m4_good_in:Array(String)}) AS g, sumIf(value, metric = {m4_metric:String} AND le = inf AND outcome IN {m4_valid_in:Array(String)}) AS n
  FROM {db}.slo_minute_counts
  WHERE metric = {m4_metric:String} AND minute >= {start:DateTime('UTC')} AND minute < {end:DateTime('UTC')}
  GROUP BY samu_id, slice
)
GROUP BY hour, samu_id
UNION ALL
SELECT toStartOfHour(toDateTime({start:DateTime('UTC')}, 'UTC') + number * 3600), {key:String}, '', 0, 0, 0
FROM numbers(toUInt64(dateDiff('hour', {start:DateTime('UTC')}, {end:DateTime('UTC')})))
