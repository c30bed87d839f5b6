"""Reading the per-minute rollups back: exact counts per SAMU, metric, outcome and minute."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from store.client import Store
from store.clock import utc
from store.intake import AgentIntake, agents


@dataclass(frozen=True)
class CountRow:
    minute: datetime
    samu_id: str
    metric: str
    component: str
    outcome: str
    le: float
    value: float


@dataclass(frozen=True)
class IngestRow:
    samu_id: str
    points: int
    last_minute: datetime | None
    max_lag_s: float


@dataclass(frozen=True)
class RejectionRow:
    reason: str
    samu_id: str
    metric: str
    attribute: str
    count: int


class CountsReader:
    """Exact totals from `minute_counts` and arrival facts from `minute_ingest`."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def totals(
        self,
        start: datetime,
        end: datetime,
        samu_id: str | None = None,
        metric: str | None = None,
    ) -> dict[tuple[str, str, str, float], float]:
        """Σ value per (samu, metric, outcome, le) over [start, end)."""
        params = _params(start, end, samu_id, metric)
        rows = self._store.query(
            _TOTALS_SQL,
            params,
        )
        return {(r[0], r[1], r[2], float(r[3])): float(r[4]) for r in rows}

    def per_minute(
        self,
        start: datetime,
        end: datetime,
        samu_id: str | None = None,
        metric: str | None = None,
        limit: int = 100_000,
    ) -> list[CountRow]:
        params = _params(start, end, samu_id, metric)
        params["limit"] = limit
        rows = self._store.query(
            _PER_MINUTE_SQL,
            params,
        )
        return [CountRow(utc(r[0]), r[1], r[2], r[3], r[4], float(r[5]), float(r[6])) for r in rows]

    def ingest(self, since: datetime) -> list[IngestRow]:
        """Points received per SAMU since `since`, the last minute with data and the worst lag."""
        rows = self._store.query(
            "SELECT samu_id, sum(points), max(minute), max(max_lag_s) FROM {db}.minute_ingest "
            "WHERE minute >= {since:DateTime('UTC')} GROUP BY samu_id ORDER BY samu_id",
            {"since": since},
        )
        return [IngestRow(r[0], int(r[1]), utc(r[2]) if r[2] else None, float(r[3])) for r in rows]

    def agents(self, since: datetime) -> list[AgentIntake]:
        """Per agent and SAMU: points accepted, refused by reason, the latest refusal."""
        return agents(self._store, since)

    def received_between(self, start: datetime, end: datetime) -> bool:
        """True when any point was received for a minute in [start, end)."""
        rows = self._store.query(
            "SELECT count() FROM {db}.minute_ingest "
            "WHERE minute >= {start:DateTime('UTC')} AND minute < {end:DateTime('UTC')}",
            {"start": start, "end": end},
        )
        return bool(rows and rows[0][0])

    def rejections(self, since: datetime) -> list[RejectionRow]:
        rows = self._store.query(
            "SELECT reason, samu_id, metric, attribute, sum(count) FROM {db}.ingest_rejections "
            "WHERE minute >= {since:DateTime('UTC')} GROUP BY reason, samu_id, metric, attribute "
            "ORDER BY sum(count) DESC LIMIT 1000",
            {"since": since},
        )
        return [RejectionRow(r[0], r[1], r[2], r[3], int(r[4])) for r in rows]


# Optional filters are bound as '' (any); the text of a query never changes with the input.
_TOTALS_SQL = """
SELECT samu_id, metric, outcome, le, sum(value) FROM {db}.minute_counts
WHERE minute >= {start:DateTime('UTC')} AND minute < {end:DateTime('UTC')}
  AND ({samu:String} = '' OR samu_id = {samu:String})
  AND ({metric:String} = '' OR metric = {metric:String})
GROUP BY samu_id, metric, outcome, le
"""

_PER_MINUTE_SQL = """
SELECT minute, samu_id, metric, component, outcome, le, sum(value) FROM {db}.minute_counts
WHERE minute >= {start:DateTime('UTC')} AND minute < {end:DateTime('UTC')}
  AND ({samu:String} = '' OR samu_id = {samu:String})
  AND ({metric:String} = '' OR metric = {metric:String})
GROUP BY minute, samu_id, metric, component, outcome, le
ORDER BY minute, samu_id, metric, component, outcome, le LIMIT {limit:UInt32}
"""


def _params(
    start: datetime, end: datetime, samu_id: str | None, metric: str | None
) -> dict[str, Any]:
    return {"start": start, "end": end, "samu": samu_id or "", "metric": metric or ""}
