"""Session fixtures of the report tests: the simulated month, stored once, and its report.

Loaded by the report test modules with `pytest_plugins = ("tests.report_fixtures",)`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from itertools import count

import pytest

from collector.simulator.scenarios import Scenario
from reports.model import MonthReport
from store.client import Store
from store.migrations import migrate
from store.registry import load_registry
from tests.report_data import (
    GAP,
    MAINT_AT,
    OUTAGE_AT,
    PERIOD,
    SIMULATED,
    SimulatedMonth,
    offset,
    report_of,
    simulate,
    store_month,
)
from vigie.schema import all_migrations

_names = count()


@pytest.fixture(scope="session")
def simulated() -> SimulatedMonth:
    registry = load_registry()
    scenarios = [
        Scenario("outage", ("fr.health.samu005",), offset(OUTAGE_AT), 2700),
        Scenario("trunk", ("fr.health.samu02A",), 9 * 86400.0, 7200, (("fraction", 0.5),)),
        Scenario("maintenance", ("fr.health.samu004",), offset(MAINT_AT), 7200),
    ]
    samus = [registry.require(i) for i in SIMULATED]
    return simulate(samus, PERIOD.start, PERIOD.end, scenarios, gaps=[GAP])


@pytest.fixture(scope="session")
def month_store(engine: Store, simulated: SimulatedMonth) -> Iterator[Store]:
    store = engine.with_database(f"rep{os.getpid()}_{next(_names)}")
    migrate(store, migrations=all_migrations())
    store_month(store, simulated)
    yield store
    store.command(f"DROP DATABASE IF EXISTS {store.database} SYNC")


@pytest.fixture(scope="session")
def report(month_store: Store) -> MonthReport:
    return report_of(month_store)
