"""Shared test fixtures: one embedded store per test process, one database per test."""

from __future__ import annotations

import itertools
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from store.client import Store, open_store
from store.migrations import migrate
from vigie.schema import all_migrations

_counter = itertools.count()


@pytest.fixture(scope="session")
def engine_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("chdb")
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session")
def engine(engine_dir: Path) -> Iterator[Store]:
    """The process's one embedded ClickHouse engine (chdb allows one directory per process)."""
    store = open_store(f"chdb://{engine_dir / 'clickhouse'}", "default")
    yield store


@pytest.fixture
def blank_store(engine: Store) -> Iterator[Store]:
    """A fresh, empty database on the shared engine (no migrations applied)."""
    name = f"t{os.getpid()}_{next(_counter)}"
    store = engine.with_database(name)
    yield store
    store.command(f"DROP DATABASE IF EXISTS {name} SYNC")


@pytest.fixture
def store(blank_store: Store) -> Store:
    """A fresh database with every migration applied."""
    migrate(blank_store, migrations=all_migrations())
    return blank_store


def require_peer(name: str) -> None:
    """Skip when an external program is missing, unless VIGIE_REQUIRE_PEERS=1 (then fail)."""
    if shutil.which(name):
        return
    if os.environ.get("VIGIE_REQUIRE_PEERS") == "1":
        pytest.fail(f"required peer {name!r} is not installed (VIGIE_REQUIRE_PEERS=1)")
    pytest.skip(f"{name} is not installed")
