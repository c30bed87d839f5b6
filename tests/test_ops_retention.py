"""Retention settings: validated, turned into TTL changes only where they differ, idempotent."""

from __future__ import annotations

from dataclasses import replace

import pytest

from store.client import Store
from store.retention import (
    CLASSES,
    Retention,
    RetentionError,
    apply_retention,
    current_ttl,
    plan,
    validate,
)


@pytest.mark.parametrize(
    ("engine_full", "expected"),
    [
        (
            "MergeTree ORDER BY x TTL minute + toIntervalDay(800) "
            "SETTINGS index_granularity = 8192",
            "toDateTime(minute) + toIntervalDay(800)",
        ),
        (
            "MergeTree ORDER BY x TTL toDateTime(ts) + toIntervalDay(35) SETTINGS a = 1",
            "toDateTime(ts) + toIntervalDay(35)",
        ),
        ("MergeTree ORDER BY x SETTINGS index_granularity = 8192", None),
    ],
    ids=["a DateTime column", "a DateTime64 column", "no TTL"],
)
def test_the_current_ttl_is_read_from_engine_full(engine_full: str, expected: str | None) -> None:
    assert current_ttl(engine_full) == expected


@pytest.mark.parametrize(
    ("change", "variable"),
    [
        ({"retention_rollup_days": 365}, "VIGIE_RETENTION_ROLLUP_DAYS"),
        ({"retention_raw_days": 30}, "VIGIE_RETENTION_RAW_DAYS"),
        ({"retention_audit_days": 90}, "VIGIE_RETENTION_AUDIT_DAYS"),
        ({"retention_event_days": 30}, "VIGIE_RETENTION_EVENT_DAYS"),
        ({"retention_session_days": -1}, "VIGIE_RETENTION_SESSION_DAYS"),
    ],
    ids=[
        "rollups shorter than the year-over-year report",
        "raw data shorter than the late-data policy",
        "an audit log shorter than six months",
        "incidents shorter than a year and a month",
        "a negative number of days",
    ],
)
def test_invalid_settings_are_refused_naming_their_variable(
    change: dict[str, int], variable: str
) -> None:
    retention = replace(Retention(), **change)
    problems = validate(retention)
    assert len(problems) == 1 and problems[0].startswith(variable)
    with pytest.raises(RetentionError, match=variable):
        plan(retention, {})


def test_the_defaults_match_the_schema_except_twelve_months_which_become_366_days(
    store: Store,
) -> None:
    done = apply_retention(store, Retention())
    assert [s.split()[2] for s in done] == [
        f"{store.database}.audit_log",
        f"{store.database}.notification_attempts",
    ]
    assert apply_retention(store, Retention()) == []  # idempotent


def test_settings_change_only_their_tables_and_zero_removes_the_ttl(store: Store) -> None:
    apply_retention(store, Retention())
    done = apply_retention(store, Retention(retention_rollup_days=500, retention_audit_days=0))
    rollups = dict(next(c for c in CLASSES if c.setting == "retention_rollup_days").tables)
    assert sorted(s.split()[2].split(".")[1] for s in done) == sorted([*rollups, "audit_log"])
    assert any(s.endswith("audit_log REMOVE TTL") for s in done)
    engine = store.query(
        "SELECT engine_full FROM system.tables WHERE database = {db:String} AND name = 'points'",
        {"db": store.database},
    )[0][0]
    assert current_ttl(engine) == "toDateTime(ts) + toIntervalDay(35)"


def test_settings_objects_are_read_field_by_field() -> None:
    class Partial:
        retention_rollup_days = 900
        max_point_age_days = 10

    got = Retention.from_settings(Partial())
    assert (got.retention_rollup_days, got.max_point_age_days, got.retention_raw_days) == (
        900,
        10,
        35,
    )


def test_the_cluster_form_alters_the_local_tables_on_the_cluster() -> None:
    engines = {"audit_log_local": "MergeTree ORDER BY at TTL toDateTime(at) + toIntervalMonth(12)"}
    assert plan(Retention(max_point_age_days=7), engines, cluster="vigie") == [
        "ALTER TABLE {db}.audit_log_local ON CLUSTER vigie MODIFY TTL toDateTime(at) + "
        "toIntervalDay(366) SETTINGS materialize_ttl_after_modify = 0"
    ]
