"""Crash safety: `kill -9` of `vigie up` mid-stream at 10× the national rate loses no
acknowledged point and, after the senders retry, counts none twice.

100 SAMU agents each export their 19 cumulative series once a second (10× the normal
10-second interval), as pre-encoded OTLP/HTTP protobuf bodies (bench.workload). Each agent
sends one request at a time, in order, and records which ones got a 200. Once half of all
requests are acknowledged the platform is killed with SIGKILL; it restarts on the same data
directory, and then:

1. every SAMU's stored per-minute counts hold all of its acknowledged exports and at most
   the one that was in flight when the process died (written, not answered);
2. each agent re-sends what was not acknowledged (as an OTLP client retries), plus two
   exports that were (duplicate deliveries); every one gets a 200;
3. every SAMU's stored counts equal those of all its exports delivered exactly once.

A kill inside an insert can tear the in-flight export across the materialized views of
`points` (some rollups written, others not); the restart completes it from the insert journal
(collector/journal.py) before it takes requests, so after the restart a SAMU holds either its
in-flight export whole or not at all. tests/test_writer_torn.py tears an insert on purpose;
here the kill lands inside one only sometimes.
"""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from bench.workload import SERIES_PER_SAMU, Body, make_stream
from store.registry import load_registry
from tests.fixtures.faults import CountKey, expected_minute_counts, stored_minute_counts
from tests.fixtures.platform import PlatformProcess

S = 1_000_000_000
EXPORTS_PER_AGENT = 12
AGENT_INTERVAL_S = 1.0  # 10× the normal export rate of an agent (every 10 s)
HEADERS = {"Content-Type": "application/x-protobuf"}


@dataclass
class Agent:
    """One SAMU's exporter: its bodies in order and how many of them got a 200."""

    samu_id: str
    bodies: list[Body]
    headers: dict[str, str] = field(default_factory=dict)  # its agent token
    acked: int = 0
    unavailable: int = 0  # 503 answers (each retried in place)
    answers: list[int] = field(default_factory=list)  # status codes of the first run


@pytest.fixture
def platform(tmp_path: Path) -> Iterator[PlatformProcess]:
    proc = PlatformProcess(tmp_path / "data")
    proc.start()
    yield proc
    if proc.process and proc.process.poll() is None:
        proc.stop(signal.SIGKILL)


def _agents(start_ns: int) -> list[Agent]:
    return [
        Agent(
            samu_id,
            make_stream([samu_id], f"crash-{samu_id}", EXPORTS_PER_AGENT, start_ns, 10 * S).bodies,
        )
        for samu_id in load_registry().ids()
    ]


async def _post(client: httpx.AsyncClient, url: str, body: Body, agent: Agent) -> int:
    """One delivery, retried in place on 503 (as an OTLP exporter does); the final status,
    or 0 when the connection failed (the process is gone)."""
    for _ in range(200):
        try:
            response = await client.post(url, content=body.data, headers=agent.headers)
        except httpx.TransportError:
            return 0
        if response.status_code != 503:
            return response.status_code
        agent.unavailable += 1
        await asyncio.sleep(0.05)
    return 503


async def _send_until_killed(url: str, agents: list[Agent], kill: int, pid: int) -> None:
    """Open loop at one request per agent per second; SIGKILL `pid` once `kill` requests got
    a 200 (the other agents' requests are in flight at that moment)."""
    acked = 0

    async def run(index: int, agent: Agent, client: httpx.AsyncClient, start: float) -> None:
        nonlocal acked
        loop = asyncio.get_running_loop()
        for n, body in enumerate(agent.bodies):
            due = start + (n + index / len(agents)) * AGENT_INTERVAL_S
            await asyncio.sleep(max(0.0, due - loop.time()))
            status = await _post(client, url, body, agent)
            agent.answers.append(status)
            if status != 200:
                return  # the exporter keeps the rest for later
            agent.acked = n + 1
            acked += 1
            if acked == kill:
                os.kill(pid, signal.SIGKILL)

    limits = httpx.Limits(max_connections=len(agents))
    async with httpx.AsyncClient(timeout=30, limits=limits) as client:
        start = asyncio.get_running_loop().time() + 0.1
        await asyncio.gather(*(run(i, a, client, start) for i, a in enumerate(agents)))


async def _resend(url: str, agents: list[Agent]) -> list[int]:
    """Each agent delivers its last acknowledged export again, then every unacknowledged one
    in order, then its first export again; the status of every delivery."""
    statuses: list[int] = []

    async def run(agent: Agent, client: httpx.AsyncClient) -> None:
        plan = agent.bodies[max(agent.acked - 1, 0) :] + agent.bodies[:1]
        for body in plan:
            statuses.append(await _post(client, url, body, agent))

    async with httpx.AsyncClient(timeout=30) as client:
        await asyncio.gather(*(run(a, client) for a in agents))
    return statuses


def _stored(platform: PlatformProcess, samu_id: str, start: datetime) -> dict[CountKey, float]:
    with platform.client() as client:
        response = client.get(
            f"/api/v1/samu/{samu_id}/counts",
            params={"from": start.isoformat(), "to": (start + timedelta(hours=1)).isoformat()},
        )
    assert response.status_code == 200, response.text
    return stored_minute_counts(response.json())


def _expected(agent: Agent, n: int) -> dict[CountKey, float]:
    return expected_minute_counts(b.data for b in agent.bodies[:n])


def test_a_kill_9_mid_stream_loses_no_acknowledged_point_and_counts_none_twice(
    platform: PlatformProcess,
) -> None:
    start = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(days=1)
    agents = _agents(int(start.timestamp()) * S)
    for agent in agents:  # each agent has its own token, bound to its SAMU
        agent.headers = {
            **HEADERS,
            "Authorization": f"Bearer {platform.agent_token(agent.samu_id)}",
        }
    total = sum(len(a.bodies) for a in agents)
    assert platform.process is not None
    url = f"{platform.otlp_url}/v1/metrics"
    asyncio.run(_send_until_killed(url, agents, total // 2, platform.process.pid))
    assert platform.stop(signal.SIGKILL) == -signal.SIGKILL
    acked = sum(a.acked for a in agents)
    assert total // 2 <= acked < total  # killed mid-stream
    assert {s for a in agents for s in a.answers} <= {200, 0}  # refused only by the crash

    journal = platform.data_dir / "collector" / "insert-journal"
    print(f"killed during an insert (journal left): {journal.exists()}")
    platform.start()
    assert not journal.exists()  # completed before the first request was taken
    # 1. Everything acknowledged survived; at most the export in flight was written besides.
    lost, extra, torn = [], [], []
    for agent in agents:
        stored = _stored(platform, agent.samu_id, start)
        acknowledged = _expected(agent, agent.acked)
        in_flight = _expected(agent, agent.acked + 1)
        if not _between(acknowledged, stored, in_flight):
            lost.append(_diff(agent, stored, agent.acked, agent.acked + 1))
        elif stored == in_flight:
            extra.append(agent.samu_id)
        elif stored != acknowledged:  # part of the in-flight export's rollups, not all
            torn.append(_diff(agent, stored, agent.acked + 1))
    assert lost == [], "\n".join(lost)
    assert torn == [], "part of the in-flight export only:\n" + "\n".join(torn)
    # 2. The clients retry what was not acknowledged, with duplicates.
    for agent in agents:
        agent.unavailable = 0
    statuses = asyncio.run(_resend(url, agents))
    assert set(statuses) == {200}
    # 3. Exactly once.
    wrong = []
    for agent in agents:
        stored = _stored(platform, agent.samu_id, start)
        if stored != _expected(agent, len(agent.bodies)):
            wrong.append(_diff(agent, stored, len(agent.bodies)))
    assert wrong == [], "\n".join(wrong)
    with platform.client() as client:
        metrics = client.get("/metrics").text
    # Every re-delivery was dropped point by point: the last acknowledged and the first export
    # of each agent (only the first when none was acknowledged), and each in-flight export.
    # An export answered 503 in this phase may have been written all the same (its batch is
    # completed before the next one): its retry in place is then a duplicate too.
    redelivered = sum(2 if a.acked else 1 for a in agents) + len(extra)
    unavailable = sum(a.unavailable for a in agents)
    duplicates = _metric(metrics, "vigie_collector_duplicates_total") / SERIES_PER_SAMU
    assert redelivered <= duplicates <= redelivered + unavailable, (
        f"{duplicates} exports counted as duplicates; {redelivered} re-delivered, "
        f"{unavailable} answers 503 while re-sending"
    )


def _between(
    low: dict[CountKey, float], counts: dict[CountKey, float], high: dict[CountKey, float]
) -> bool:
    """low ≤ counts ≤ high, key by key (a missing key is 0)."""
    keys = set(low) | set(counts) | set(high)
    return all(low.get(k, 0) <= counts.get(k, 0) <= high.get(k, 0) for k in keys)


def _diff(agent: Agent, stored: dict[CountKey, float], *firsts: int) -> str:
    """What differs from the counts of the agent's first n exports, for each n of `firsts`."""
    lines = [f"{agent.samu_id}: {agent.acked} acknowledged, answers {agent.answers}"]
    for n in firsts:
        expected = _expected(agent, n)
        for key in sorted(set(expected) | set(stored), key=str):
            if expected.get(key) != stored.get(key):
                lines.append(f"  vs {n}: {key} expected {expected.get(key)} got {stored.get(key)}")
    return "\n".join(lines)


def _metric(text: str, name: str) -> float:
    for line in text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    return 0.0
