"""The insert journal: the batch being written to `points`, kept on disk until it is complete.

One `INSERT INTO points` fans out to several materialized views, and ClickHouse commits each
target on its own: a process killed in the middle (or a store that fails half-way) leaves some
rollups written and others not. The writer therefore gives every batch a unique
deduplication token and writes the batch here first; a batch that did not complete is inserted
again with the same token (at the next batch, or at the next start), and every table that
already holds it drops the repeat while the others take it (ADR 0002, docs/reliability.md).

The file is replaced atomically (write, then rename) and holds one batch: the writer never
starts a batch before the previous one is complete.
"""

from __future__ import annotations

import contextlib
import logging
import marshal
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

_FORMAT = "vigie-insert-journal/2"
_FORMAT_1 = "vigie-insert-journal/1"  # before the columns were kept: rows of the first 16 columns


@dataclass(frozen=True)
class JournalEntry:
    """One batch of `points` rows and the deduplication token it was (or is being) written with;
    `columns` names the rows' columns (empty: a batch journaled before they were recorded)."""

    token: str
    rows: list[tuple[Any, ...]]
    columns: tuple[str, ...] = ()


class InsertJournal:
    """The batch in flight, in one file (`marshal`: plain tuples, dicts, numbers, strings)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def write(self, entry: JournalEntry) -> None:
        """Keep `entry` on disk (replacing the previous one) before it is inserted."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        rows = [tuple(row) for row in entry.rows]
        data = marshal.dumps((_FORMAT, entry.token, list(entry.columns), rows))
        tmp = self.path.with_name(self.path.name + ".tmp")
        with open(tmp, "wb") as fh:
            fh.write(data)
        os.replace(tmp, self.path)

    def read(self) -> JournalEntry | None:
        """The batch left by a process that stopped during its insert, or None.

        A file that cannot be read is set aside (renamed `.unreadable`) with an error in the log:
        its batch was never acknowledged, so its senders send it again."""
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return None
        try:
            fmt, token, *rest = marshal.loads(data)
            columns: list[str] = rest[0] if fmt == _FORMAT and len(rest) == 2 else []
            rows = rest[-1] if rest else None
            if fmt not in (_FORMAT, _FORMAT_1) or not isinstance(token, str):
                raise ValueError(f"not a {_FORMAT} file")
            if not isinstance(rows, list) or not isinstance(columns, list):
                raise ValueError(f"not a {_FORMAT} file")
        except (ValueError, EOFError, TypeError) as exc:
            aside = self.path.with_name(self.path.name + ".unreadable")
            os.replace(self.path, aside)
            log.error(
                "the insert journal %s is unreadable (%s); set aside as %s", self.path, exc, aside
            )
            return None
        return JournalEntry(token, rows, tuple(columns))

    def clear(self) -> None:
        """Forget the batch: it is complete in every table."""
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path)
