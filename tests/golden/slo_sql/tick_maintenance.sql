SELECT 'minutes' AS part, samu_id, component, multiIf(minute < {minutes_b1:DateTime('UTC')}, 0, minute < {minutes_b2:DateTime('UTC')}, 1, minute < {minutes_b3:DateTime('UTC')}, 2, minute < {minutes_b4:DateTime('UTC')}, 3, minute < {minutes_b5:DateTime('UTC')}, 4, minute < {minutes_b6:DateTime('UTC')}, 5, minute < {minutes_b7:DateTime('UTC')}, 6, minute < {minutes_b8:DateTime('UTC')}, 7, minute < {minutes_b9:DateTime('UTC')}, 8, minute < {minutes_b10:DateTime('UTC')}, 9, minute < {minutes_b11:DateTime('UTC')}, 10, minute < {minutes_b12:DateTime('UTC')}, 11, minute < {minutes_b13:DateTime('UTC')}, 12, minute < {minutes_b14:DateTime('UTC')}, 13, minute < {minutes_b15:DateTime('UTC')}, 14, minute < {minutes_b16:DateTime('UTC')}, 15, minute < {minutes_b17:DateTime('UTC')}, 16, minute < {minutes_b18:DateTime('UTC')}, 17, minute < {minutes_b19:DateTime('UTC')}, 18, minute < {minutes_b20:DateTime('UTC')}, 19, minute < {minutes_b21:DateTime('UTC')}, 20, minute < {minutes_b22:DateTime('UTC')}, 21, minute < {minutes_b23:DateTime('UTC')}, 22, minute < {minutes_b24:DateTime('UTC')}, 23, minute < {minutes_b25:DateTime('UTC')}, 24, minute < {minutes_b26:DateTime('UTC')}, 25, minute < {minutes_b27:DateTime('UTC')}, 26, minute < {minutes_b28:DateTime('UTC')}, 27, minute < {minutes_b29:DateTime('UTC')}, 28, minute < {minutes_b30:DateTime('UTC')}, 29, minute < {minutes_b31:DateTime('UTC')}, 30, minute < {minutes_b32:DateTime('UTC')}, 31, minute < {minutes_b33:DateTime('UTC')}, 32, minute < {minutes_b34:DateTime('UTC')}, 33, minute < {minutes_b35:DateTime('UTC')}, 34, minute < {minutes_b36:DateTime('UTC')}, 35, minute < {minutes_b37:DateTime('UTC')}, 36, minute < {minutes_b38:DateTime('UTC')}, 37, minute < {minutes_b39:DateTime('UTC')}, 38, minute < {minutes_b40:DateTime('UTC')}, 39, minute < {minutes_b41:DateTime('UTC')}, 40, minute < {minutes_b42:DateTime('UTC')}, 41, minute < {minutes_b43:DateTime('UTC')}, 42, minute < {minutes_b44:DateTime('UTC')}, 43, minute < {minutes_b45:DateTime('UTC')}, 44, minute < {minutes_b46:DateTime('UTC')}, 45, minute < {minutes_b47:DateTime('UTC')}, 46, minute < {minutes_b48:DateTime('UTC')}, 47, minute < {minutes_b49:DateTime('UTC')}, 48, minute < {minutes_b50:DateTime('UTC')}, 49, minute < {minutes_b51:DateTime('UTC')}, 50, minute < {minutes_b52:DateTime('UTC')}, 51, 52) AS seg, [
    sumIf(value, metric = {m1_metric:String} AND le = inf AND outcome IN {m1_good_in:Array(String)}),
    sumIf(value, metric = {m1_metric:String} AND le = inf AND outcome IN {m1_valid_in:Array(String)}),
    sumIf(value, metric = {m2_metric:String} AND le = {m2_le:Float64}),
    sumIf(value, metric = {m2_metric:String} AND le = inf),
    sumIf(value, metric = {m3_metric:String} AND le = {m3_le:Float64}),
    sumIf(value, metric = {m3_metric:String} AND le = inf)
  ] AS v
FROM {db}.slo_minute_counts
WHERE metric IN {count_metrics:Array(String)} AND (
    minute >= {minutes_r0a:DateTime('UTC')} AND minute < {minutes_r0b:DateTime('UTC')} OR
    minute >= {minutes_r1a:DateTime('UTC')} AND minute < {minutes_r1b:DateTime('UTC')} OR
    minute >= {minutes_r2a:DateTime('UTC')} AND minute < {minutes_r2b:DateTime('UTC')} OR
    minute >= {minutes_r3a:DateTime('UTC')} AND minute < {minutes_r3b:DateTime('UTC')} OR
    minute >= {minutes_r4a:DateTime('UTC')} AND minute < {minutes_r4b:DateTime('UTC')} OR
    minute >= {minutes_r5a:DateTime('UTC')} AND minute < {minutes_r5b:DateTime('UTC')} OR
    minute >= {minutes_r6a:DateTime('UTC')} AND minute < {minutes_r6b:DateTime('UTC')} OR
    minute >= {minutes_r7a:DateTime('UTC')} AND minute < {minutes_r7b:DateTime('UTC')} OR
    minute >= {minutes_r8a:DateTime('UTC')} AND minute < {minutes_r8b:DateTime('UTC')} OR
    minute >= {minutes_r9a:DateTime('UTC')} AND minute < {minutes_r9b:DateTime('UTC')} OR
    minute >= {minutes_r10a:DateTime('UTC')} AND minute < {minutes_r10b:DateTime('UTC')} OR
    minute >= {minutes_r11a:DateTime('UTC')} AND minute < {minutes_r11b:DateTime('UTC')} OR
    minute >= {minutes_r12a:DateTime('UTC')} AND minute < {minutes_r12b:DateTime('UTC')} OR
    minute >= {minutes_r13a:DateTime('UTC')} AND minute < {minutes_r13b:DateTime('UTC')} OR
    minute >= {minutes_r14a:DateTime('UTC')} AND minute < {minutes_r14b:DateTime('UTC')} OR
    minute >= {minutes_r15a:DateTime('UTC')} AND minute < {minutes_r15b:DateTime('UTC')} OR
    minute >= {minutes_r16a:DateTime('UTC')} AND minute < {minutes_r16b:DateTime('UTC')} OR
    minute >= {minutes_r17a:DateTime('UTC')} AND minute < {minutes_r17b:DateTime('UTC')} OR
    minute >= {minutes_r18a:DateTime('UTC')} AND minute < {minutes_r18b:DateTime('UTC')} OR
    minute >= {minutes_r19a:DateTime('UTC')} AND minute < {minutes_r19b:DateTime('UTC')} OR
    minute >= {minutes_r20a:DateTime('UTC')} AND minute < {minutes_r20b:DateTime('UTC')} OR
    minute >= {minutes_r21a:DateTime('UTC')} AND minute < {minutes_r21b:DateTime('UTC')} OR
    minute >= {minutes_r22a:DateTime('UTC')} AND minute < {minutes_r22b:DateTime('UTC')} OR
    minute >= {minutes_r23a:DateTime('UTC')} AND minute < {minutes_r23b:DateTime('UTC')} OR
    minute >= {minutes_r24a:DateTime('UTC')} AND minute < {minutes_r24b:DateTime('UTC')} OR
    minute >= {minutes_r25a:DateTime('UTC')} AND minute < {minutes_r25b:DateTime('UTC')} OR
    minute >= {minutes_r26a:DateTime('UTC')} AND minute < {minutes_r26b:DateTime('UTC')}
  ) AND arrayExists((s, a, b) -> (s = '' OR s = samu_id) AND minute >= a AND minute < b, {mw_samu:Array(String)}, {mw_from:Array(DateTime('UTC'))}, {mw_to:Array(DateTime('UTC'))})
GROUP BY samu_id, component, seg
UNION ALL
SELECT 'slices:m0' AS part, samu_id, '' AS component, multiIf(slice < {m0_s_b1:DateTime('UTC')}, 0, slice < {m0_s_b2:DateTime('UTC')}, 1, slice < {m0_s_b3:DateTime('UTC')}, 2, slice < {m0_s_b4:DateTime('UTC')}, 3, slice < {m0_s_b5:DateTime('UTC')}, 4, slice < {m0_s_b6:DateTime('UTC')}, 5, slice < {m0_s_b7:DateTime('UTC')}, 6, slice < {m0_s_b8:DateTime('UTC')}, 7, slice < {m0_s_b9:DateTime('UTC')}, 8, slice < {m0_s_b10:DateTime('UTC')}, 9, slice < {m0_s_b11:DateTime('UTC')}, 10, slice < {m0_s_b12:DateTime('UTC')}, 11, slice < {m0_s_b13:DateTime('UTC')}, 12, slice < {m0_s_b14:DateTime('UTC')}, 13, slice < {m0_s_b15:DateTime('UTC')}, 14, slice < {m0_s_b16:DateTime('UTC')}, 15, slice < {m0_s_b17:DateTime('UTC')}, 16, slice < {m0_s_b18:DateTime('UTC')}, 17, slice < {m0_s_b19:DateTime('UTC')}, 18, slice < {m0_s_b20:DateTime('UTC')}, 19, slice < {m0_s_b21:DateTime('UTC')}, 20, slice < {m0_s_b22:DateTime('UTC')}, 21, slice < {m0_s_b23:DateTime('UTC')}, 22, slice < {m0_s_b24:DateTime('UTC')}, 23, slice < {m0_s_b25:DateTime('UTC')}, 24, slice < {m0_s_b26:DateTime('UTC')}, 25, slice < {m0_s_b27:DateTime('UTC')}, 26, slice < {m0_s_b28:DateTime('UTC')}, 27, slice < {m0_s_b29:DateTime('UTC')}, 28, slice < {m0_s_b30:DateTime('UTC')}, 29, 30) AS seg, [toFloat64(countIf(n >= {m0_min_points:UInt64} AND lag < {m0_max_lag:Float64})), toFloat64(countIf(n > 0))] AS v
FROM (
  SELECT samu_id, minute AS slice, sum(points) AS n, max(max_lag_s) AS lag
  FROM {db}.slo_minute_ingest
  WHERE (minute >= {m0_s_r0a:DateTime('UTC')} AND minute < {m0_s_r0b:DateTime('UTC')} OR
    minute >= {m0_s_r1a:DateTime('UTC')} AND minute < {m0_s_r1b:DateTime('UTC')} OR
    minute >= {m0_s_r2a:DateTime('UTC')} AND minute < {m0_s_r2b:DateTime('UTC')} OR
    minute >= {m0_s_r3a:DateTime('UTC')} AND minute < {m0_s_r3b:DateTime('UTC')} OR
    minute >= {m0_s_r4a:DateTime('UTC')} AND minute < {m0_s_r4b:DateTime('UTC')} OR
    minute >= {m0_s_r5a:DateTime('UTC')} AND minute < {m0_s_r5b:DateTime('UTC')} OR
    minute >= {m0_s_r6a:DateTime('UTC')} AND minute < {m0_s_r6b:DateTime('UTC')} OR
    minute >= {m0_s_r7a:DateTime('UTC')} AND minute < {m0_s_r7b:DateTime('UTC')} OR
    minute >= {m0_s_r8a:DateTime('UTC')} AND minute < {m0_s_r8b:DateTime('UTC')} OR
    minute >= {m0_s_r9a:DateTime('UTC')} AND minute < {m0_s_r9b:DateTime('UTC')} OR
    minute >= {m0_s_r10a:DateTime('UTC')} AND minute < {m0_s_r10b:DateTime('UTC')} OR
    minute >= {m0_s_r11a:DateTime('UTC')} AND minute < {m0_s_r11b:DateTime('UTC')} OR
    minute >= {m0_s_r12a:DateTime('UTC')} AND minute < {m0_s_r12b:DateTime('UTC')} OR
    minute >= {m0_s_r13a:DateTime('UTC')} AND minute < {m0_s_r13b:DateTime('UTC')} OR
    minute >= {m0_s_r14a:DateTime('UTC')} AND minute < {m0_s_r14b:DateTime('UTC')} OR
    minute >= {m0_s_r15a:DateTime('UTC')} AND minute < {m0_s_r15b:DateTime('UTC')}) AND arrayExists((s, a, b) -> (s = '' OR s = samu_id) AND minute >= a AND minute < b, {mw_samu:Array(String)}, {mw_from:Array(DateTime('UTC'))}, {mw_to:Array(DateTime('UTC'))})
  GROUP BY samu_id, slice
)
GROUP BY samu_id, seg
UNION ALL
SELECT 'slices:m4' AS part, samu_id, '' AS component, multiIf(slice < {m4_s_b1:DateTime('UTC')}, 0, slice < {m4_s_b2:DateTime('UTC')}, 1, slice < {m4_s_b3:DateTime('UTC')}, 2, slice < {m4_s_b4:DateTime('UTC')}, 3, slice < {m4_s_b5:DateTime('UTC')}, 4, slice < {m4_s_b6:DateTime('UTC')}, 5, slice < {m4_s_b7:DateTime('UTC')}, 6, slice < {m4_s_b8:DateTime('UTC')}, 7, slice < {m4_s_b9:DateTime('UTC')}, 8, slice < {m4_s_b10:DateTime('UTC')}, 9, slice < {m4_s_b11:DateTime('UTC')}, 10, slice < {m4_s_b12:DateTime('UTC')}, 11, slice < {m4_s_b13:DateTime('UTC')}, 12, slice < {m4_s_b14:DateTime('UTC')}, 13, slice < {m4_s_b15:DateTime('UTC')}, 14, slice < {m4_s_b16:DateTime('UTC')}, 15, slice < {m4_s_b17:DateTime('UTC')}, 16, slice < {m4_s_b18:DateTime('UTC')}, 17, slice < {m4_s_b19:DateTime('UTC')}, 18, slice < {m4_s_b20:DateTime('UTC')}, 19, slice < {m4_s_b21:DateTime('UTC')}, 20, slice < {m4_s_b22:DateTime('UTC')}, 21, slice < {m4_s_b23:DateTime('UTC')}, 22, slice < {m4_s_b24:DateTime('UTC')}, 23, slice < {m4_s_b25:DateTime('UTC')}, 24, slice < {m4_s_b26:DateTime('UTC')}, 25, slice < {m4_s_b27:DateTime('UTC')}, 26, slice < {m4_s_b28:DateTime('UTC')}, 27, slice < {m4_s_b29:DateTime('UTC')}, 28, slice < {m4_s_b30:DateTime('UTC')}, 29, slice < {m4_s_b31:DateTime('UTC')}, 30, slice < {m4_s_b32:DateTime('UTC')}, 31, slice < {m4_s_b33:DateTime('UTC')}, 32, slice < {m4_s_b34:DateTime('UTC')}, 33, 34) AS seg, [toFloat64(countIf(n > 0 AND g >= {m4_target:Float64} * n)), toFloat64(countIf(n > 0))] AS v
FROM (
  SELECT samu_id, minute AS slice, sumIf(value, metric = {m4_metric:String} AND le = inf AND outcome IN {m4_good_in:Array(String)}) AS g, sumIf(value, metric = {m4_metric:String} AND le = inf AND outcome IN {m4_valid_in:Array(String)}) AS n
  FROM {db}.slo_minute_counts
  WHERE (metric = {m4_metric:String} AND (
    minute >= {m4_s_r0a:DateTime('UTC')} AND minute < {m4_s_r0b:DateTime('UTC')} OR
    minute >= {m4_s_r1a:DateTime('UTC')} AND minute < {m4_s_r1b:DateTime('UTC')} OR
    minute >= {m4_s_r2a:DateTime('UTC')} AND minute < {m4_s_r2b:DateTime('UTC')} OR
    minute >= {m4_s_r3a:DateTime('UTC')} AND minute < {m4_s_r3b:DateTime('UTC')} OR
    minute >= {m4_s_r4a:DateTime('UTC')} AND minute < {m4_s_r4b:DateTime('UTC')} OR
    minute >= {m4_s_r5a:DateTime('UTC')} AND minute < {m4_s_r5b:DateTime('UTC')} OR
    minute >= {m4_s_r6a:DateTime('UTC')} AND minute < {m4_s_r6b:DateTime('UTC')} OR
    minute >= {m4_s_r7a:DateTime('UTC')} AND minute < {m4_s_r7b:DateTime('UTC')} OR
    minute >= {m4_s_r8a:DateTime('UTC')} AND minute < {m4_s_r8b:DateTime('UTC')} OR
    minute >= {m4_s_r9a:DateTime('UTC')} AND minute < {m4_s_r9b:DateTime('UTC')} OR
    minute >= {m4_s_r10a:DateTime('UTC')} AND minute < {m4_s_r10b:DateTime('UTC')} OR
    minute >= {m4_s_r11a:DateTime('UTC')} AND minute < {m4_s_r11b:DateTime('UTC')} OR
    minute >= {m4_s_r12a:DateTime('UTC')} AND minute < {m4_s_r12b:DateTime('UTC')} OR
    minute >= {m4_s_r13a:DateTime('UTC')} AND minute < {m4_s_r13b:DateTime('UTC')} OR
    minute >= {m4_s_r14a:DateTime('UTC')} AND minute < {m4_s_r14b:DateTime('UTC')} OR
    minute >= {m4_s_r15a:DateTime('UTC')} AND minute < {m4_s_r15b:DateTime('UTC')} OR
    minute >= {m4_s_r16a:DateTime('UTC')} AND minute < {m4_s_r16b:DateTime('UTC')} OR
    minute >= {m4_s_r17a:DateTime('UTC')} AND minute < {m4_s_r17b:DateTime('UTC')}
  )) AND arrayExists((s, a, b) -> (s = '' OR s = samu_id) AND minute >= a AND minute < b, {mw_samu:Array(String)}, {mw_from:Array(DateTime('UTC'))}, {mw_to:Array(DateTime('UTC'))})
  GROUP BY samu_id, slice
)
GROUP BY samu_id, seg
