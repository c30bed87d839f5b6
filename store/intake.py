"""What each agent sent, per minute and SAMU: points accepted, refused by reason, and why.

The collector writes `ingest_agents` with every batch (collector/writer.py): one row per minute,
agent, SAMU and outcome — `reason` '' for the points accepted, else the refusal reason with the
metric and attribute it concerns and a message that names them (never a value). The agent is
the agent token's id when agent authentication is on, else `instance:<service.instance.id>`
of the sender's resource. A view copies the refusals into `ingest_rejections` (per SAMU and
reason, without the agent), which older readers keep using.

`vigie ingest status`, `/api/v1/ingest/status` and the UI's collector page read it with
`agents(store, since)`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from store.clock import utc
from store.schema import Retained, Table, View

INGEST_AGENTS = Table(
    name="ingest_agents",
    columns="""
    minute DateTime('UTC') CODEC(DoubleDelta, ZSTD(1)),
    agent String,
    samu_id String,
    reason LowCardinality(String),
    metric LowCardinality(String),
    attribute LowCardinality(String),
    points SimpleAggregateFunction(sum, UInt64),
    last_at SimpleAggregateFunction(max, DateTime64(3, 'UTC')),
    message SimpleAggregateFunction(anyLast, String)
    """,
    engine="AggregatingMergeTree",
    partition_by="toYYYYMM(minute)",
    order_by="minute, agent, samu_id, reason, metric, attribute",
    ttl="minute + INTERVAL 400 DAY",
    retention=Retained("operations", "minute"),
)

INGEST_REJECTIONS_MV = View(
    name="ingest_rejections_from_agents_mv",
    source="ingest_agents",
    target="ingest_rejections",
    select="""
    SELECT minute, reason, samu_id, metric, attribute, points AS count
    FROM {source} WHERE reason != ''
    """,
)

COLUMNS: tuple[str, ...] = (
    "minute",
    "agent",
    "samu_id",
    "reason",
    "metric",
    "attribute",
    "points",
    "last_at",
    "message",
)


@dataclass(frozen=True)
class AgentIntake:
    """One agent's exports for one SAMU over a period."""

    agent: str
    samu_id: str
    accepted: int
    rejected: dict[str, int] = field(default_factory=dict)  # reason -> points
    last_rejection_at: datetime | None = None
    last_rejection: str = ""  # the message of the latest refusal (names, never values)
    last_seen: datetime | None = None

    @property
    def rejected_total(self) -> int:
        return sum(self.rejected.values())


class Reader(Protocol):
    def query(
        self, text: str, parameters: dict[str, Any] | None = None
    ) -> list[tuple[Any, ...]]: ...


_AGENTS_SQL = """
SELECT agent, samu_id,
       sumIf(n, reason = ''),
       groupArrayIf((reason, n), reason != ''),
       maxIf(latest, reason != ''),
       argMaxIf(said, latest, reason != ''),
       max(latest)
FROM (
  SELECT agent, samu_id, reason, sum(points) AS n, max(last_at) AS latest,
         argMax(message, last_at) AS said
  FROM {db}.ingest_agents
  WHERE minute >= {since:DateTime('UTC')}
  GROUP BY agent, samu_id, reason
)
GROUP BY agent, samu_id
ORDER BY agent, samu_id
LIMIT 10000
"""


def agents(store: Reader, since: datetime) -> list[AgentIntake]:
    """Per agent and SAMU since `since` (minute precision): points accepted, refused by reason,
    and the latest refusal."""
    rows = store.query(_AGENTS_SQL, {"since": since.replace(second=0, microsecond=0)})
    out = []
    for agent, samu, accepted, reasons, last_bad, message, last_seen in rows:
        rejected = {str(reason): int(n) for reason, n in reasons}
        out.append(
            AgentIntake(
                str(agent),
                str(samu),
                int(accepted),
                rejected,
                utc(last_bad) if rejected else None,
                str(message) if rejected else "",
                utc(last_seen),
            )
        )
    return out
