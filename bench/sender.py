"""The load generator, run in its own process pinned to another core than the receiver.

`python -m bench.sender BODIES_FILE URL` reads pre-encoded bodies (a pickle written by
bench.ingest), runs the latency phase (open loop) then the throughput phase (closed loop,
one connection per stream) and prints a JSON summary on stdout.
"""

from __future__ import annotations

import asyncio
import json
import pickle
import sys
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import (
    ExportMetricsServiceResponse,
)

from bench.workload import Body

HEADERS = {"Content-Type": "application/x-protobuf"}


@dataclass
class Tally:
    """What the receiver answered: accepted points, retries after 503, refused points, and how
    long each answer took from its sending (200s and 503s apart)."""

    points: int = 0
    requests: int = 0
    retries: int = 0
    rejected: int = 0
    reconnects: int = 0
    last_accepted: dict[int, int] = field(default_factory=dict)  # stream -> body index
    accepted_s: list[float] = field(default_factory=list)
    shed_s: list[float] = field(default_factory=list)


async def _post(client: httpx.AsyncClient, url: str, body: Body, tally: Tally) -> None:
    """Send one body until it is accepted (503 is retried, as an OTLP exporter does; so is a
    connection the receiver closed as idle just as it was reused: keep-alive lasts 5 s, and
    an agent at 1× exports every 10 s)."""
    while True:
        sent = time.perf_counter()
        try:
            response = await client.post(url, content=body.data, headers=HEADERS)
        except (httpx.ReadError, httpx.RemoteProtocolError, httpx.WriteError):
            tally.reconnects += 1
            continue
        took = time.perf_counter() - sent
        if response.status_code == 503:
            tally.retries += 1
            tally.shed_s.append(took)
            await asyncio.sleep(0.05)
            continue
        tally.accepted_s.append(took)
        if response.status_code != 200:
            raise RuntimeError(f"receiver answered {response.status_code}: {response.text[:200]}")
        answer = ExportMetricsServiceResponse.FromString(response.content)
        tally.rejected += answer.partial_success.rejected_data_points
        tally.points += body.points
        tally.requests += 1
        return


async def throughput(url: str, streams: list[list[Body]], duration_s: float) -> dict[str, Any]:
    """Each stream sends its bodies in order, one at a time, until done or out of time."""
    tally = Tally()
    deadline = time.perf_counter() + duration_s

    async def run(index: int, bodies: list[Body]) -> None:
        async with httpx.AsyncClient(timeout=120) as client:
            for n, body in enumerate(bodies):
                if time.perf_counter() > deadline:
                    return
                await _post(client, url, body, tally)
                tally.last_accepted[index] = n

    started = time.perf_counter()
    await asyncio.gather(*(run(i, bodies) for i, bodies in enumerate(streams)))
    elapsed = time.perf_counter() - started
    return {
        "points": tally.points,
        "requests": tally.requests,
        "retries": tally.retries,
        "rejected": tally.rejected,
        "reconnects": tally.reconnects,
        "seconds": elapsed,
        "last_accepted": tally.last_accepted,
    }


async def latency(
    url: str, agents: list[list[Body]], rate: float, warmup: int, rounds: int
) -> dict[str, Any]:
    """Open loop: request j is due at j / rate whatever the answers; latency from that time.
    Also each answer's own time (accepted and 503 apart): admission control answers at once."""
    tally = Tally()
    count = min(rounds, *(len(bodies) for bodies in agents)) * len(agents)
    latencies: list[float] = []
    limits = httpx.Limits(max_connections=len(agents), max_keepalive_connections=len(agents))
    async with httpx.AsyncClient(timeout=120, limits=limits) as client:
        # An agent exports one request at a time (as the OTel SDK's periodic reader does):
        # a request due while the agent's previous one is unanswered waits for it, and that
        # wait counts in its latency (measured from the due time, so no coordinated omission).
        turns = [asyncio.Lock() for _ in agents]

        async def send(j: int, due: float) -> None:
            async with turns[j % len(agents)]:
                await _post(client, url, agents[j % len(agents)][j // len(agents)], tally)
            if j >= warmup:
                latencies.append(time.perf_counter() - due)

        tasks = []
        start = time.perf_counter() + 0.1
        for j in range(count):
            due = start + j / rate
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(send(j, due)))
        await asyncio.gather(*tasks)
    return {
        "points": tally.points,
        "requests": tally.requests,
        "retries": tally.retries,
        "rejected": tally.rejected,
        "reconnects": tally.reconnects,
        "latencies_s": sorted(latencies),
        "accepted_s": sorted(tally.accepted_s),
        "shed_s": sorted(tally.shed_s),
    }


def main() -> None:
    """Entry point of the sender process."""
    with open(sys.argv[1], "rb") as fh:
        plan = pickle.load(fh)
    url = sys.argv[2]
    phases = {
        p["name"]: asyncio.run(latency(url, p["agents"], p["rate"], p["warmup"], p["rounds"]))
        for p in plan["phases"]
    }
    small = asyncio.run(throughput(url, plan["small"], plan["small_s"]))
    thr = asyncio.run(throughput(url, plan["streams"], plan["duration_s"]))
    json.dump({"phases": phases, "small": small, "throughput": thr}, sys.stdout)


if __name__ == "__main__":
    main()
