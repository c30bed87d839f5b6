"""Data retention as data: how long each class of tables is kept, validated, applied as TTLs.

Each table declares its own retention where it is defined (`Table(..., retention=Retained(kind,
column))`, store/schema.py): the class it belongs to and the time column its TTL counts from.
This module knows the classes (one setting each, with the shortest retention that keeps the
reports and the late-data policy true) and reads the declarations of whatever tables the
migrations create, never naming another package's table. At start the platform calls
`apply_retention`: a TTL is changed (`ALTER TABLE … MODIFY TTL`) only where it differs from the
table's current one, so a restart with the same settings does nothing. Days = 0 means "keep
forever" (the TTL is removed): the default for alert and on-call events and sessions, whose
owners chose no TTL (incidents feed the monthly reports; a wrong wall clock must never drop live
sessions).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from typing import Any

from store.client import Store
from store.errors import StoreError
from store.migrations import Migration
from store.schema import Retained, RetentionKind, Table


class RetentionError(StoreError):
    """A retention setting is invalid (too short for a report or for the late-data policy)."""


@dataclass(frozen=True)
class RetentionClass:
    """Tables kept for the same time, set by one setting (env VIGIE_RETENTION_<KIND>_DAYS)."""

    kind: RetentionKind
    minimum_days: int  # a shorter, non-zero retention is refused
    why_minimum: str

    @property
    def setting(self) -> str:
        """The Settings field (and, upper-cased with VIGIE_, the environment variable)."""
        return f"retention_{self.kind}_days"


CLASSES: tuple[RetentionClass, ...] = (
    RetentionClass("raw", 1, "raw data must outlive the late-data policy (max_point_age_days)"),
    RetentionClass(
        "rollup", 400, "the monthly report compares a month with the same month a year before"
    ),
    RetentionClass("audit", 183, "audit logs are kept 6 to 12 months"),
    RetentionClass(
        "notification", 31, "the alert-delivery SLO (O2) is reported per calendar month"
    ),
    RetentionClass("operations", 31, "operational history is reviewed per calendar month"),
    RetentionClass(
        "event", 400, "incidents feed the monthly report and its year-over-year comparison"
    ),
    RetentionClass("session", 1, "sessions are dropped that many days after they expire"),
)
_BY_KIND = {c.kind: c for c in CLASSES}


def retained_tables(migrations: Iterable[Migration]) -> dict[str, Retained]:
    """The retention each table of the migrations declares, by table name (the last wins)."""
    found: dict[str, Retained] = {}
    for migration in migrations:
        for item in migration.items:
            if isinstance(item, Table) and item.retention is not None:
                found[item.name] = item.retention
    return found


@dataclass(frozen=True)
class Retention:
    """Days each class is kept (0 = forever); the defaults are the schema's own TTLs."""

    retention_raw_days: int = 35
    retention_rollup_days: int = 800
    retention_audit_days: int = 366
    retention_notification_days: int = 366
    retention_operations_days: int = 400
    retention_event_days: int = 0
    retention_session_days: int = 0
    max_point_age_days: int = 35  # the collector's late-data policy, for validation

    @classmethod
    def from_settings(cls, settings: Any) -> Retention:
        """Read the fields a settings object has; the others keep their defaults."""
        names = [f.name for f in fields(cls)]
        found = {n: int(getattr(settings, n)) for n in names if hasattr(settings, n)}
        return cls(**found)

    def days(self, kind: RetentionKind) -> int:
        return int(getattr(self, _BY_KIND[kind].setting))


def validate(retention: Retention) -> list[str]:
    """The problems with these settings, each naming its environment variable; empty if none."""
    problems: list[str] = []
    for cls_ in CLASSES:
        days = retention.days(cls_.kind)
        env = f"VIGIE_{cls_.setting.upper()}"
        if days < 0:
            problems.append(f"{env}={days}: must be 0 (keep forever) or a number of days")
        elif 0 < days < cls_.minimum_days:
            problems.append(f"{env}={days}: at least {cls_.minimum_days} ({cls_.why_minimum})")
    raw = retention.retention_raw_days
    if 0 < raw < retention.max_point_age_days:
        # Rollups are derived at insert, so a late point still counts; its raw row must not be
        # older than the raw retention, or it would be deleted as it arrives.
        problems.append(
            f"VIGIE_RETENTION_RAW_DAYS={raw}: at least VIGIE_MAX_POINT_AGE_DAYS="
            f"{retention.max_point_age_days}, or late points would be deleted as they arrive"
        )
    return problems


def ttl_expression(column: str, days: int) -> str | None:
    """The TTL for `days` on `column` (as ClickHouse prints it back), None for no TTL."""
    if days == 0:
        return None
    return f"toDateTime({column}) + toIntervalDay({days})"


_LAZY = "SETTINGS materialize_ttl_after_modify = 0"
_TTL = re.compile(r"\sTTL\s+(.*?)(?:\s+SETTINGS\s|$)", re.S)


def current_ttl(engine_full: str) -> str | None:
    """The TTL clause of a table's `engine_full`, normalised to compare with `ttl_expression`."""
    found = _TTL.search(engine_full)
    if not found:
        return None
    text = found.group(1).strip()
    # ClickHouse prints `toDateTime(x)` for DateTime64 columns but leaves a DateTime bare.
    return text if text.startswith("toDateTime(") else re.sub(r"^(\w+)", r"toDateTime(\1)", text)


def plan(
    retention: Retention,
    engines: Mapping[str, str],
    tables: Mapping[str, Retained],
    cluster: str | None = None,
) -> list[str]:
    """The ALTER statements that bring the tables (name → engine_full) to these settings."""
    problems = validate(retention)
    if problems:
        raise RetentionError("invalid retention settings: " + "; ".join(problems))
    out: list[str] = []
    on_cluster = f" ON CLUSTER {cluster}" if cluster else ""
    for table, retained in sorted(tables.items()):
        name = f"{table}_local" if cluster else table
        if name not in engines:
            continue  # a package that is not installed
        want = ttl_expression(retained.column, retention.days(retained.kind))
        have = current_ttl(engines[name])
        if want == have:
            continue
        action = f"MODIFY TTL {want} {_LAZY}" if want else "REMOVE TTL"
        out.append(f"ALTER TABLE {{db}}.{name}{on_cluster} {action}")
    return out


def apply_retention(
    store: Store, settings: Any, migrations: Iterable[Migration], cluster: str | None = None
) -> list[str]:
    """Bring the TTL of every table the migrations declare a retention for to the settings;
    returns the ALTERs done (empty when in line).

    Existing parts take the new TTL at their next merge (materialize_ttl_after_modify = 0), so a
    start never rewrites months of data; `ALTER TABLE … MATERIALIZE TTL` forces it."""
    rows = store.query(
        "SELECT name, engine_full FROM system.tables WHERE database = {db:String}",
        {"db": store.database},
    )
    engines = {str(n): str(e) for n, e in rows}
    tables = retained_tables(migrations)
    statements = plan(Retention.from_settings(settings), engines, tables, cluster)
    for statement in statements:
        store.command(statement)
    return [s.replace("{db}", store.database) for s in statements]
