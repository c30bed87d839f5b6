"""The session fixture of the waves tests: the shared simulated wave (`tests.wave_data`), stored
once. Loaded with `pytest_plugins = ("tests.wave_fixtures",)`."""

from __future__ import annotations

import os
from collections.abc import Iterator
from itertools import count

import pytest

from store.client import Store
from store.migrations import migrate
from store.registry import load_registry
from tests.wave_data import END, SAMU, SCENARIOS, START, simulate_into
from vigie.schema import all_migrations

_names = count()


@pytest.fixture(scope="session")
def wave_store(engine: Store) -> Iterator[Store]:
    store = engine.with_database(f"wave{os.getpid()}_{next(_names)}")
    migrate(store, migrations=all_migrations())
    registry = load_registry()
    simulate_into(store, [registry.require(s) for s in SAMU], START, END, SCENARIOS, seed=11)
    yield store
    store.command(f"DROP DATABASE IF EXISTS {store.database} SYNC")
