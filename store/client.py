"""One ClickHouse access layer on clickhouse-connect: embedded chdb by default, a server by DSN."""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import threading
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from store.errors import StoreError, StoreLocked, StoreUnavailable

_DB_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")
# Server error codes that mean "try again later" rather than "your SQL is wrong".
_TRANSIENT_CODES = ("Code: 159", "Code: 202", "Code: 209", "Code: 210", "Code: 241", "Code: 242")


@dataclass(frozen=True)
class Dsn:
    """A parsed store address: `chdb:///path` (embedded) or `http(s)://user:pass@host:port`."""

    raw: str

    @property
    def embedded(self) -> bool:
        return self.raw.startswith("chdb://")

    @property
    def path(self) -> Path:
        if not self.embedded:
            raise StoreError(f"{self.redacted} is not an embedded DSN")
        return Path(self.raw.removeprefix("chdb://"))

    @property
    def redacted(self) -> str:
        """The DSN with any password replaced, safe for logs."""
        return re.sub(r"(//[^:/@]+:)[^@]*@", r"\1***@", self.raw)


def embedded_dsn(data_dir: Path) -> str:
    """The default DSN for a data directory."""
    return f"chdb://{data_dir.resolve() / 'clickhouse'}"


def check_not_locked(path: Path) -> None:
    """Raise StoreLocked if another process holds the embedded engine at `path`."""
    status = path / "status"
    if not status.exists():
        return
    with open(status, "a+") as fh:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise StoreLocked(
                f"the data directory {path.parent} is in use by another Vigie process; "
                "stop it, or run this command against it with --url"
            ) from exc
        fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def validate_database(name: str) -> str:
    """Database names end up in SQL text, so they are held to a strict identifier pattern."""
    if not _DB_NAME.match(name):
        raise StoreError(f"invalid database name {name!r}: letters, digits and _ only")
    return name


class Store:
    """A handle on one database; thread-safe (one client per thread). SQL uses `{db}` for it."""

    def __init__(self, dsn: str, database: str) -> None:
        self.dsn = Dsn(dsn)
        self.database = validate_database(database)
        self._local = threading.local()
        self._clients: list[Any] = []
        self._lock = threading.Lock()
        if self.dsn.embedded:
            self.dsn.path.mkdir(parents=True, exist_ok=True)
            check_not_locked(self.dsn.path)
        self._client()  # fail now, not at the first query

    def _client(self) -> Any:
        client = getattr(self._local, "client", None)
        if client is None:
            client = self._connect()
            self._local.client = client
            with self._lock:
                self._clients.append(client)
        return client

    def _connect(self) -> Any:
        # Imported here, not at the top: the CLI imports this module for its types and DSNs, and
        # `vigie --help` must not pay for the ClickHouse driver (issue 15.6).
        import clickhouse_connect
        from clickhouse_connect.driver.exceptions import ClickHouseError

        try:
            if self.dsn.embedded:
                # BACKUP/RESTORE to files needs this at engine start (store/backup.py).
                return clickhouse_connect.get_client(
                    interface="chdb",
                    path=str(self.dsn.path),
                    chdb_options={"backups.allowed_path": "/"},
                )
            return clickhouse_connect.get_client(dsn=self.dsn.raw, connect_timeout=5)
        except ClickHouseError as exc:
            if self.dsn.embedded and "EmbeddedServer" in str(exc):
                check_not_locked(self.dsn.path)
                raise StoreLocked(
                    f"cannot open the embedded store at {self.dsn.path}: one process per data "
                    "directory and one data directory per process"
                ) from exc
            raise StoreUnavailable(self._unreachable(exc)) from exc
        except OSError as exc:
            raise StoreUnavailable(self._unreachable(exc)) from exc

    def _unreachable(self, exc: Exception) -> str:
        return f"cannot reach ClickHouse at {self.dsn.redacted}: {exc}"

    def sql(self, text: str) -> str:
        return text.replace("{db}", self.database)

    @contextmanager
    def _translate(self) -> Iterator[None]:
        from clickhouse_connect.driver.exceptions import ClickHouseError

        try:
            yield
        except ClickHouseError as exc:
            message = str(exc)
            if any(code in message for code in _TRANSIENT_CODES) or "connect" in message.lower():
                raise StoreUnavailable(message) from exc
            raise StoreError(message) from exc
        except OSError as exc:
            raise StoreUnavailable(str(exc)) from exc

    def command(self, text: str, parameters: dict[str, Any] | None = None) -> Any:
        """Run a statement that returns no rows (DDL, ALTER, INSERT … SELECT)."""
        with self._translate():
            return self._client().command(self.sql(text), parameters=parameters)

    def query(self, text: str, parameters: dict[str, Any] | None = None) -> list[tuple[Any, ...]]:
        """Rows of a SELECT; values are bound server-side, never formatted into the text."""
        with self._translate():
            result = self._client().query(self.sql(text), parameters=parameters)
            return [tuple(row) for row in result.result_rows]

    def query_columns(
        self, text: str, parameters: dict[str, Any] | None, width: int
    ) -> list[Sequence[Any]]:
        """A SELECT of `width` columns as one sequence per column (no tuple per row), for large
        numeric reads; an empty result is `width` empty sequences."""
        with self._translate():
            result = self._client().query(self.sql(text), parameters=parameters)
            columns = list(result.result_columns)
            return columns if columns else [[] for _ in range(width)]

    def query_df(self, text: str, parameters: dict[str, Any] | None = None) -> Any:
        """A SELECT as a pandas DataFrame."""
        with self._translate():
            return self._client().query_df(self.sql(text), parameters=parameters)

    def insert(
        self,
        table: str,
        rows: Sequence[Sequence[Any]],
        columns: Sequence[str],
        *,
        settings: dict[str, Any] | None = None,
    ) -> None:
        """Insert rows into `table` of this database in one block (with these query settings).

        Tables with a deduplication window drop a block equal to a recent one; an insert is
        deduplicated only when the caller repeats its `insert_deduplication_token` (the
        collector's journal), never because two inserts carry equal rows."""
        if not rows:
            return
        settings = {"insert_deduplication_token": uuid.uuid4().hex, **(settings or {})}
        with self._translate():
            self._client().insert(
                table,
                list(rows),
                column_names=list(columns),
                database=self.database,
                settings=settings,
            )

    def with_database(self, database: str) -> Store:
        """Another handle on the same engine, for a different database (tests, tooling)."""
        other = Store.__new__(Store)
        other.dsn = self.dsn
        other.database = validate_database(database)
        other._local = self._local
        other._clients = self._clients
        other._lock = self._lock
        return other

    def ping(self) -> bool:
        try:
            self.query("SELECT 1")
        except StoreError:
            return False
        return True

    def close(self) -> None:
        with self._lock:
            clients, self._clients[:] = list(self._clients), []
        for client in clients:
            with contextlib.suppress(Exception):  # closing is best effort
                client.close()
        self._local.__dict__.clear()


def open_store(dsn: str, database: str = "vigie") -> Store:
    """Open (and for a server, reach) the store; errors are StoreLocked or StoreUnavailable."""
    os.environ.setdefault("CHDB_NO_TELEMETRY", "1")
    return Store(dsn, database)
