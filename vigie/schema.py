"""Every package's migrations, composed: the one list `vigie migrate` and `vigie up` apply."""

from __future__ import annotations

import importlib

from store.migrations import MIGRATIONS, Migration, check_versions

# Packages that own tables list them in `<package>.tables.MIGRATIONS` (their own version range).
_PACKAGE_TABLES = ("alerts.tables", "slo.tables", "reports.tables", "dashboards.tables")


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
