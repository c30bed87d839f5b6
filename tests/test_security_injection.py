"""Injection: SQL text never carries outside values; hostile strings are kept verbatim or refused.

Two halves. The source half reads the code: ruff's S608 runs on it, every `# noqa: S608` and
every SQL text built by f-string, `%`, `.format` or `+` interpolates only reviewed, internal
names (REVIEWED). The behavioural half sends hostile SAMU ids, label values and matchers through
the OTLP receiver, the Alertmanager API and the REST query parameters into a real store.
"""

from __future__ import annotations

import ast
import asyncio
import re
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi import FastAPI
from prometheus_client import CollectorRegistry
from starlette.testclient import TestClient

from alerts.am_api import create_am_router
from alerts.config import load_config
from alerts.notify import RecordingSink
from alerts.service import AlertingService
from collector.export import ExportService
from collector.http import create_otlp_router
from collector.limits import Limits
from collector.model import Decoded, WriteResult
from collector.redaction import redact
from collector.selfmetrics import SelfMetrics
from collector.writer import BatchWriter
from store.audit import AuditLog
from store.client import Store
from store.clock import Clock, SystemClock
from store.counts import CountsReader
from store.registry import load_registry
from tests.fixtures.otlp.sdk import metrics_request, resource, setups, to_json
from vigie.api.core import create_core_router
from vigie.api.deps import ApiContext

ROOT = Path(__file__).resolve().parent.parent
PARIS = "fr.health.samu075"
SQL_WORDS = re.compile(r"\b(SELECT|INSERT|ALTER|DELETE|UPDATE|DROP|CREATE|WHERE|FROM|OPTIMIZE)\b")

# Interpolations into SQL text that were read and found internal: (file, expression) → why.
REVIEWED: dict[tuple[str, str], str] = {
    **{
        ("store/schema.py", e): "DDL from the schema as code; db is validate_database()'d"
        for e in (
            "db",
            "on_cluster",
            "local",
            "table.columns.strip()",
            "table.name",
            "cluster.name",
            "table.shard_key",
            "view.name",
            "view.target",
            "suffix",
            "select",
            "setting",  # one of two constant setting names
            "window.blocks",  # an int of the schema (DedupWindow)
            "clauses",  # ALTER clauses of the schema (AlterTable)
        )
    },
    **{
        ("slo/ledger_sql.py", e): "fragments made by _Params from the SLO specs' columns: every "
        "metric, outcome, bound and time is a bound placeholder; `slot`, `bit`, `part` are "
        "constant expressions of an internal integer"
        for e in (
            "_metrics(layout, p)",
            "_range('hour', start, end, p)",
            "_range('minute', start, end, p)",
            "_samu_filter(samus, p)",
            "_sums(layout, p)",
            "bit",
            "column_condition(good, f's{k}g_', p)",
            "column_condition(valid, f's{k}v_', p)",
            "inner",
            "metric",
            "only",
            "p.add(f's{k}_metric', source.sli.metric, 'String')",
            "part",
            "pass_sql",
            "slot",
            "where",
        )
    },
    ("bench/limits.py", "name"): "benchmark tooling: a database name of its own making",
    ("alerts/notifiers/attempts.py", "_SELECT"): "a constant SELECT prefix",
    ("alerts/oncall/eventlog.py", "_SELECT"): "a constant SELECT prefix",
    ("slo/reader.py", "' OR '.join"): "range placeholders {a0:DateTime} built from an index",
    **{
        ("store/backup.py", e): "table names from system.tables quoted by _ident; paths checked "
        "by _sql_path's safe-path pattern (BACKUP/RESTORE cannot bind parameters)"
        for e in (
            "_ident(name)",
            "final",
            "store.database",
            "path",
            "_sql_path(source / 'clickhouse')",
        )
    },
    **{
        ("store/backup_s3.py", e): "S3() arguments from S3Config/S3Target, whose endpoint, "
        "bucket, prefix and credentials are checked against quote-free patterns (store/s3.py); "
        "database names from settings or a manifest checked by validate_database"
        for e in (
            "config.sql(target)",
            "source",
            "database",
            "check.database",
            "store.database",
            "manifest.database",
        )
    },
    **{
        ("bench/storage_measure.py", e): "the benchmark's own table names and their DDL "
        "read from system.tables (no outside value)"
        for e in ("copy", "key", "spec", "table")
    },
    # A FINDING, not a review: see test_a_backup_manifest_cannot_name_a_hostile_database.
    ("store/backup.py", "manifest.database"): "read from the backup's manifest file",
    **{
        ("store/retention.py", e): "TTL clauses from typed retention settings, table names "
        "from system.tables, the cluster name from settings"
        for e in ("action", "name", "on_cluster")
    },
}
NOQA_REVIEWED = {
    "bench/storage_measure.py",
    "slo/reader.py",
    "slo/ledger_sql.py",
    "store/backup.py",
}


def _sources() -> Iterator[Path]:
    for path in sorted(ROOT.glob("[a-z]*/**/*.py")):
        rel = path.relative_to(ROOT)
        if rel.parts[0] not in (".venv", "tests") and "site-packages" not in rel.parts:
            yield path


def _names(node: ast.AST) -> list[str]:
    """The outside-looking expressions of a string-building node (constants excluded)."""
    if isinstance(node, ast.JoinedStr):
        return [ast.unparse(v.value) for v in node.values if isinstance(v, ast.FormattedValue)]
    if isinstance(node, ast.BinOp):
        return [n for side in (node.left, node.right) for n in _names(side)]
    if isinstance(node, ast.Constant):
        return []
    return [ast.unparse(node.func) if isinstance(node, ast.Call) else ast.unparse(node)]


def _text(node: ast.AST) -> str:
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value for v in node.values if isinstance(v, ast.Constant))
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.BinOp):
        return _text(node.left) + _text(node.right)
    return ""


def sql_interpolations() -> set[tuple[str, str]]:
    """(file, expression) of every value formatted into a string that reads as SQL."""
    found: set[tuple[str, str]] = set()
    for path in _sources():
        rel = str(path.relative_to(ROOT))
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.JoinedStr) and SQL_WORDS.search(_text(node)):
                found.update((rel, n) for n in _names(node))
            elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Mod):
                if SQL_WORDS.search(_text(node)):
                    found.update((rel, n) for n in _names(node) if "SELECT" not in n)
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                target = node.func.value
                if node.func.attr == "format" and SQL_WORDS.search(_text(target)):
                    found.add((rel, ".format()"))
    return found


def test_ruff_checks_sql_built_from_strings_on_all_source_but_tests() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["ruff"]["lint"]
    assert "S608" in config["select"] or "S" in config["select"]
    assert "S608" not in config.get("ignore", [])
    ignored = {k for k, v in config.get("per-file-ignores", {}).items() if "S608" in v}
    assert ignored <= {"tests/*"}


def test_every_noqa_s608_is_in_a_reviewed_file() -> None:
    hits = {
        str(p.relative_to(ROOT)) for p in _sources() if re.search(r"noqa:\s*S608", p.read_text())
    }
    assert hits <= NOQA_REVIEWED, "review the new `# noqa: S608` and add it here"


def test_sql_text_interpolates_only_reviewed_internal_names() -> None:
    unreviewed = sorted(sql_interpolations() - set(REVIEWED))
    assert unreviewed == [], "an outside value may reach SQL text: bind it as a parameter"


HOSTILE = [
    "'; DROP TABLE {db}.points; --",
    "{db}",
    "{samu:String}",
    "%(samu)s",
    "back\\slash\\'",
    '"double" `back` $$heredoc$$',
    "\u202eright-to-left é 🚑 \u0000 nul",
    "x" * 300,
]


@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
def test_a_bound_value_that_looks_like_sql_or_a_placeholder_is_kept_verbatim(
    store: Store, value: str
) -> None:
    assert store.query("SELECT {v:String}", {"v": value}) == [(value,)]
    AuditLog(store, SystemClock()).record(value, value, value, value, {"v": value})
    rows = store.query(
        "SELECT actor, target, source FROM {db}.audit_log WHERE action = {a:String}", {"a": value}
    )
    assert rows == [(value, value, value)]


class LazyWriter:
    """The real BatchWriter, started on the serving loop at the first request."""

    def __init__(self, store: Store) -> None:
        self.writer = BatchWriter(store, None, SystemClock())
        self.started = False
        self._lock = asyncio.Lock()

    async def submit(self, decoded: Decoded) -> WriteResult:
        async with self._lock:
            if not self.started:
                await self.writer.start()
                self.started = True
        return await self.writer.submit(decoded)


@dataclass
class Platform:
    """OTLP receiver (real writer), Alertmanager API (with redaction) and core REST, one app."""

    store: Store
    client: TestClient
    alerting: AlertingService

    def tables(self) -> dict[str, int]:
        rows = self.store.query(
            "SELECT name, total_rows FROM system.tables WHERE database = {d:String} "
            "AND engine NOT LIKE '%View'",
            {"d": self.store.database},
        )
        return {str(n): int(c or 0) for n, c in rows}


@contextmanager
def platform_app(store: Store, clock: Clock) -> Iterator[Platform]:
    registry = load_registry()
    audit = AuditLog(store, clock)
    alerting = AlertingService(
        store,
        load_config(ROOT / "tests/data/alerting/pipeline.yml"),
        RecordingSink(),
        clock,
        audit=audit,
        regions={s.id: s.region for s in registry},
        watchdog_interval=None,
    )
    ctx = ApiContext(store, registry, clock, audit, CountsReader(store), CollectorRegistry())
    app = FastAPI()
    metrics = SelfMetrics(CollectorRegistry())
    known = frozenset(registry.ids())
    writer = LazyWriter(store)
    app.include_router(create_otlp_router(ExportService(writer, known, Limits(), metrics, clock)))
    app.include_router(create_am_router(alerting, clock, redact))
    app.include_router(create_core_router(ctx))
    with TestClient(app) as client:  # one event loop for every request (the writer lives on it)
        yield Platform(store, client, alerting)
        if writer.started:
            client.portal.call(writer.writer.close)


def test_hostile_strings_through_every_entry_point_are_refused_or_kept_verbatim(
    store: Store,
) -> None:
    with platform_app(store, SystemClock()) as rig:
        _hostile_run(rig)


def _hostile_run(rig: Platform) -> None:
    store = rig.store
    before = rig.tables()
    c = rig.client
    for value in HOSTILE:
        for res in (resource(value), resource(PARIS, service_name=value)):
            body = metrics_request(setups({"success": 1}, component="telephony"), res)
            answer = c.post(
                "/v1/metrics", content=to_json(body), headers={"Content-Type": "application/json"}
            )
            assert answer.status_code == 200, answer.text
        alert = {
            "labels": {"alertname": "Hostile", "samu": PARIS, "note": value},
            "annotations": {"summary": value},
        }
        assert c.post("/api/v2/alerts", json=[alert]).status_code == 200
        silence = {
            "matchers": [{"name": "note", "value": value, "isRegex": False, "isEqual": True}],
            "startsAt": "2026-01-01T00:00:00Z",
            "endsAt": "2099-01-01T00:00:00Z",
            "createdBy": value,
            "comment": value,
        }
        assert c.post("/api/v2/silences", json=silence).status_code == 200
        for path, params in [
            ("/api/v2/alerts", {"filter": f'note="{value}"'}),
            ("/api/v2/alerts", {"filter": value}),
            ("/api/v2/silences", {"filter": value}),
            ("/api/v1/samu", {"region": value}),
            (f"/api/v1/samu/{quote(value, safe='')}", {}),
            (
                f"/api/v1/samu/{PARIS}/counts",
                {"from": "2026-01-01T00:00:00Z", "to": "2026-01-02T00:00:00Z", "metric": value},
            ),
            ("/api/v1/audit", {"action": value, "actor": value, "since": "2026-01-01T00:00:00Z"}),
            ("/api/v1/ingest/status", {"minutes": value}),
        ]:
            answer = c.get(path, params=params)
            assert answer.status_code in (200, 400, 404, 422), (path, value, answer.status_code)
    after = rig.tables()
    assert set(after) == set(before), "no table was dropped or created"
    labels = [a["labels"]["note"] for a in c.get("/api/v2/alerts").json()]
    assert sorted(labels) == sorted(HOSTILE), "label values are kept verbatim"
    comments = {s["comment"] for s in c.get("/api/v2/silences").json()}
    assert comments == set(HOSTILE)
    refused = dict(
        store.query(
            "SELECT reason, sum(count) FROM {db}.ingest_rejections "
            "WHERE reason IN ('unknown_samu', 'attribute_too_long') GROUP BY reason"
        )
    )
    long = [v for v in HOSTILE if len(v) > Limits().max_attribute_length]
    assert refused == {
        "unknown_samu": len(HOSTILE) - len(long),  # a hostile samu.id is never a SAMU
        "attribute_too_long": 2 * len(long),  # as samu.id and as service.name
    }
    written = store.query("SELECT DISTINCT samu_id FROM {db}.points")
    assert written == [(PARIS,)]


def test_the_store_formats_only_the_database_name_into_sql_text(store: Store) -> None:
    assert store.sql("SELECT * FROM {db}.points WHERE a = {a:String}") == (
        f"SELECT * FROM {store.database}.points WHERE a = {{a:String}}"
    )
    with pytest.raises(Exception, match="invalid database name"):
        store.with_database("x; DROP DATABASE y")
    stamp = datetime(2026, 1, 1, tzinfo=UTC)
    assert store.query("SELECT {t:DateTime64(3, 'UTC')}", {"t": stamp})[0][0].year == 2026


def test_a_backup_manifest_cannot_name_a_hostile_database() -> None:
    from store.backup import Manifest

    hostile = {
        "format": "native",
        "database": "x FROM File('/etc'); DROP DATABASE vigie; --",
        "created_at": "",
        "engine_version": "",
        "migrations": {},
        "tables": [],
    }
    with pytest.raises(Exception, match="database"):
        Manifest.from_json(hostile)
