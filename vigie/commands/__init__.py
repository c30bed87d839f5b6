"""The CLI's commands: one module per area, each imported only when one of its commands runs.

`COMMANDS` names every top-level command, the module and attribute that define it, and its
one-line help, so that `vigie --help` lists them without importing any (a test keeps the help
equal to the command's own).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Entry:
    module: str
    attribute: str
    summary: str


def _in(module: str) -> str:
    return f"vigie.commands.{module}"


COMMANDS: dict[str, Entry] = {
    "agents": Entry(
        _in("agents_cmds"),
        "agents",
        "Agent tokens: each SAMU agent sends `Authorization: Bearer vga_…` bound to its SAMU.",
    ),
    "alerts": Entry(
        _in("alerts_cmds"),
        "alerts_group",
        "Alert routing with Alertmanager's configuration and semantics.",
    ),
    "backup": Entry(
        _in("ops_cmds"),
        "backup_cmd",
        "Back up the store: through the running instance if any, else directly; to a directory"
        " or to S3 (`--to s3://bucket/prefix`, see `vigie backup list|prune|drill`).",
    ),
    "collector": Entry(
        _in("up_cmds"),
        "collector_role",
        "Run only the OTLP receivers (HTTP, gRPC) and the write path; for a server DSN.",
    ),
    "config-reference": Entry(
        _in("ingest_cmds"),
        "config_reference",
        "Print the configuration table (every VIGIE_* setting), or write it into README.md.",
    ),
    "engine": Entry(
        _in("up_cmds"),
        "engine_role",
        "Run the SLO engine, alerting, on-call and reports with their APIs; for a server DSN.",
    ),
    "ingest": Entry(_in("ingest_cmds"), "ingest", "What the collector received."),
    "metrics-reference": Entry(
        _in("ingest_cmds"),
        "reference",
        "Print the metric reference table (docs/metrics.md).",
    ),
    "migrate": Entry(
        _in("store_cmds"),
        "migrate_cmd",
        "Apply pending schema migrations (also done on every start).",
    ),
    "migration": Entry(
        _in("migration_cmds"),
        "migration",
        "Migration waves: SAMU moved onto another platform in planned nights, compared.",
    ),
    "report": Entry(
        _in("report_cmds"),
        "report_group",
        "Produce the monthly availability report (PDF, CSV, JSON, signed manifest).",
    ),
    "restore": Entry(
        _in("ops_cmds"),
        "restore_cmd",
        "Restore a backup into the store; the instance must be stopped.",
    ),
    "samu": Entry(
        _in("samu_cmds"),
        "samu",
        "The SAMU registry: every SAMU Vigie 15 knows, with its backup for entraide.",
    ),
    "simulate": Entry(
        _in("simulate_cmds"),
        "simulate",
        "Run simulated SAMU agents (real OTel SDK) against a collector; `backfill` writes history.",
    ),
    "slo": Entry(_in("slo_cmds"), "slo_group", "SLO specs, status and backtests."),
    "ui": Entry(
        _in("up_cmds"),
        "ui_role",
        "Run only the REST API and the UI; for a server DSN.",
    ),
    "up": Entry(
        _in("up_cmds"),
        "up",
        "Run the whole platform in one process on the embedded store (Ctrl-C stops it cleanly).",
    ),
    "users": Entry(
        _in("users_cmds"),
        "users",
        "People and access: accounts, roles, SAMU scope and API tokens.",
    ),
}
