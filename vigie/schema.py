"""Every package's migrations, composed: the one list `vigie migrate` and `vigie up` apply."""

from __future__ import annotations

import importlib

from store.migrations import MIGRATIONS, Migration, check_versions

# Packages that own tables list them in `<package>.tables.MIGRATIONS` (their own version range).
_PACKAGE_TABLES = (
    "collector.tables",  # 20–39: agent tokens
    "alerts.tables",  # 100–119: alert state, silences, notification log, maintenance
    "alerts.oncall.tables",  # 120–139: schedules, escalations, acks, incidents, heartbeats
    "alerts.notifiers.tables",  # 140–159: delivery attempts
    "slo.tables",  # 200–299: evaluation snapshots
    "reports.tables",  # 300–399
    "people.tables",  # 400–499: accounts, API tokens, sessions
    "waves.tables",  # 500–519: migration waves (plans and their history)
)


def all_migrations() -> list[Migration]:
    found: list[Migration] = list(MIGRATIONS)
    for name in _PACKAGE_TABLES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name is None or not name.startswith(exc.name):
                raise
            continue
        found.extend(module.MIGRATIONS)
    return check_versions(found)
