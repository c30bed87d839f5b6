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
    """What the receiver answered: accepted points, retries after 503, refused points."""

    points: int = 0
    requests: int = 0
    retries: int = 0
    rejected: int = 0
    last_accepted: dict[int, int] = field(default_factory=dict)  # stream -> body index


async def _post(client: httpx.AsyncClient, url: str, body: Body, tally: Tally) -> None:
    """Send one body until it is accepted (503 is retried, as an OTLP exporter does)."""
    while True:
        response = await client.post(url, content=body.data, headers=HEADERS)
        if response.status_code == 503:
            tally.retries += 1
            await asyncio.sleep(0.05)
            continue
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
        "seconds": elapsed,
        "last_accepted": tally.last_accepted,
    }


async def latency(url: str, agents: list[list[Body]], rate: float, warmup: int) -> dict[str, Any]:
    """Open loop: request j is due at j / rate whatever the answers; latency from that time."""
    tally = Tally()
    count = min(len(bodies) for bodies in agents) * len(agents)
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
        "latencies_s": sorted(latencies),
    }


def main() -> None:
    """Entry point of the sender process."""
    with open(sys.argv[1], "rb") as fh:
        plan = pickle.load(fh)
    url = sys.argv[2]
    lat = asyncio.run(latency(url, plan["agents"], plan["rate"], plan["warmup"]))
    thr = asyncio.run(throughput(url, plan["streams"], plan["duration_s"]))
    json.dump({"latency": lat, "throughput": thr}, sys.stdout)


if __name__ == "__main__":
    main()
