"""Retention settings: validated, turned into TTL changes only where they differ, idempotent."""

from __future__ import annotations

import ast
import re
from dataclasses import fields, replace
from pathlib import Path
from typing import get_args

import pytest

from store.client import Store
from store.migrations import Migration
from store.retention import (
    CLASSES,
    Retention,
    RetentionError,
    apply_retention,
    current_ttl,
    plan,
    retained_tables,
    validate,
)
from store.schema import Retained, RetentionKind, Table
from vigie.schema import all_migrations

MIGRATIONS = all_migrations()
ROOT = Path(__file__).resolve().parent.parent


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
        plan(retention, {}, {})


def test_the_defaults_match_the_schema_except_twelve_months_which_become_366_days(
    store: Store,
) -> None:
    done = apply_retention(store, Retention(), MIGRATIONS)
    assert [s.split()[2] for s in done] == [
        f"{store.database}.audit_log",
        f"{store.database}.notification_attempts",
    ]
    assert apply_retention(store, Retention(), MIGRATIONS) == []  # idempotent


def test_settings_change_only_their_tables_and_zero_removes_the_ttl(store: Store) -> None:
    apply_retention(store, Retention(), MIGRATIONS)
    changed = Retention(retention_rollup_days=500, retention_audit_days=0)
    done = apply_retention(store, changed, MIGRATIONS)
    rollups = [t for t, r in retained_tables(MIGRATIONS).items() if r.kind == "rollup"]
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
    tables = {"audit_log": Retained("audit", "at")}
    assert plan(Retention(max_point_age_days=7), engines, tables, cluster="vigie") == [
        "ALTER TABLE {db}.audit_log_local ON CLUSTER vigie MODIFY TTL toDateTime(at) + "
        "toIntervalDay(366) SETTINGS materialize_ttl_after_modify = 0"
    ]


def _tables() -> list[Table]:
    return [item for m in MIGRATIONS for item in m.items if isinstance(item, Table)]


# Tables whose fixed TTL is part of how they work, not a data-keeping choice (no setting).
FIXED_TTL = {"slo_changes": "the engine's change marks: it re-reads its horizon at start"}


def test_every_table_created_with_a_ttl_declares_its_retention_on_one_of_its_columns() -> None:
    for table in _tables():
        if table.ttl is not None and table.name not in FIXED_TTL:
            assert table.retention is not None, f"{table.name} has a TTL but no retention class"
        if table.retention is not None:
            columns = {line.split()[0] for line in table.columns.strip().splitlines()}
            assert table.retention.column in columns, table.name


def test_each_retention_class_defaults_to_the_ttl_its_tables_are_created_with() -> None:
    days = {"DAY": 1, "MONTH": 366 / 12}  # twelve months are kept as 366 days
    for table in _tables():
        if table.ttl is None or table.retention is None:
            continue
        found = re.search(r"\+ INTERVAL (\d+) (DAY|MONTH)$", table.ttl)
        assert found, table.ttl
        created = round(int(found.group(1)) * days[found.group(2)])
        assert Retention().days(table.retention.kind) == created, table.name


def test_every_retention_kind_has_its_class_and_its_setting() -> None:
    assert sorted(c.kind for c in CLASSES) == sorted(get_args(RetentionKind))
    names = {f.name for f in fields(Retention)}
    assert all(c.setting in names for c in CLASSES)


def test_the_retention_module_names_no_table_in_its_code() -> None:
    tree = ast.parse((ROOT / "store" / "retention.py").read_text())
    strings = {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant)}
    assert strings & set(retained_tables(MIGRATIONS)) == set()


def test_a_table_declared_twice_keeps_its_last_declaration() -> None:
    first = Table("t", "at DateTime", "MergeTree", "at", retention=Retained("audit", "at"))
    later = Table("t", "at DateTime", "MergeTree", "at", retention=Retained("event", "at"))
    found = retained_tables([Migration(1, "a", (first,)), Migration(2, "b", (later,))])
    assert found == {"t": Retained("event", "at")}


def test_the_operations_guide_lists_each_class_with_the_tables_that_declare_it() -> None:
    doc = (ROOT / "docs" / "operations.md").read_text()
    listed: dict[str, set[str]] = {}
    for line in doc.splitlines():
        row = re.match(r"\| `VIGIE_RETENTION_(\w+)_DAYS` \|[^|]*\|([^|]*)\|", line)
        if row:
            listed[row.group(1).lower()] = set(re.findall(r"`(\w+)`", row.group(2)))
    declared: dict[str, set[str]] = {c.kind: set() for c in CLASSES}
    for table, retained in retained_tables(MIGRATIONS).items():
        declared[retained.kind].add(table)
    assert listed == declared
