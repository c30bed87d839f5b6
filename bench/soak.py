"""Soak: `vigie up` under 10× the national rate for a long while — memory flat, no growing queue.

`python -m bench.soak [--minutes 60] [--sample-s 10] [--factor 10]` (`make soak`; not part of
`make bench` or CI). It starts `vigie up --no-simulate` on a fresh data directory, gives each
of the 100 SAMU agents its own agent token, and sends open loop: every agent exports its 19
cumulative series every 10 s / factor (factor 10: once a second, 100 requests/s, 1,900
points/s), one request at a time, retrying 503s. Every `--sample-s` seconds it records the
server's RSS, the write-queue gauge and the latency of the requests due in that window
(measured from the due time, so a server that falls behind shows). The verdict fits a
least-squares line to RSS and queue depth after the first minute (warm-up), calls memory
flat when the RSS slope stays under `--flat-mb-per-hour`, and says whether the platform kept
up (answered ≥ 95 % of the requests due); the exit code is 1 when any of these fails.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import (
    ExportMetricsServiceRequest,
)

from bench.ingest import free_ports
from bench.workload import _resource_metrics, _SamuSeries
from people.local_files import local_cli_token
from store.registry import load_registry

ROOT = Path(__file__).resolve().parent.parent
NORMAL_INTERVAL_S = 10.0  # an agent's normal export interval; --factor 10 sends every 1 s
HEADERS = {"Content-Type": "application/x-protobuf"}


@dataclass
class Sample:
    """One sampling window."""

    t_s: float
    rss_mb: float
    queue_points: float
    requests: int
    retries: int
    transport_errors: int
    p50_ms: float
    p99_ms: float


@dataclass
class Window:
    latencies: list[float] = field(default_factory=list)
    retries: int = 0
    errors: int = 0


class Agent:
    """One SAMU's exporter: cumulative series advanced by one interval per request."""

    def __init__(self, samu_id: str, token: str, start_ns: int) -> None:
        self.samu_id = samu_id
        self.series = _SamuSeries(random.Random(samu_id))
        self.start_ns = start_ns
        self.headers = {**HEADERS, **({"Authorization": f"Bearer {token}"} if token else {})}

    def body(self) -> bytes:
        self.series.advance()
        request = ExportMetricsServiceRequest()
        request.resource_metrics.append(
            _resource_metrics(
                self.samu_id, f"soak-{self.samu_id}", self.series, self.start_ns, time.time_ns()
            )
        )
        return bytes(request.SerializeToString())


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _gauge(text: str, name: str) -> float:
    for line in text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    return 0.0


def slope(xs: list[float], ys: list[float]) -> float:
    """Least-squares slope of ys over xs (0 with fewer than two points)."""
    n = len(xs)
    if n < 2:
        return 0.0
    mx, my = sum(xs) / n, sum(ys) / n
    var = sum((x - mx) ** 2 for x in xs)
    return 0.0 if var == 0 else sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / var


def _quantile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


class Soak:
    """The server process, the agents and the samples."""

    def __init__(self, minutes: float, sample_s: float, workdir: Path, factor: float) -> None:
        self.duration_s = minutes * 60
        self.interval_s = NORMAL_INTERVAL_S / factor
        self.sample_s = sample_s
        self.workdir = workdir
        self.http, self.otlp, self.grpc = free_ports(3)
        self.samples: list[Sample] = []
        self.window = Window()
        self.server: subprocess.Popen[bytes] | None = None

    def start_server(self) -> int:
        log = open(self.workdir / "vigie.log", "wb")  # noqa: SIM115 (the server's lifetime)
        command = [sys.executable, "-m", "vigie.cli", "up", "--no-simulate"]
        command += ["--data-dir", str(self.workdir / "data"), "--http-port", str(self.http)]
        command += ["--otlp-http-port", str(self.otlp), "--otlp-grpc-port", str(self.grpc)]
        self.server = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.server.poll() is not None:
                raise RuntimeError(f"vigie up exited: see {self.workdir / 'vigie.log'}")
            try:
                if httpx.get(f"{self.api}/api/v1/health", timeout=2).status_code == 200:
                    return self.server.pid
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        raise RuntimeError("vigie up did not answer within 120 s")

    @property
    def api(self) -> str:
        return f"http://127.0.0.1:{self.http}"

    def agents(self) -> list[Agent]:
        admin = {"Authorization": f"Bearer {local_cli_token(self.workdir / 'data')}"}
        start_ns = time.time_ns() - 10**9
        agents = []
        with httpx.Client(base_url=self.api, headers=admin, timeout=30) as client:
            for samu_id in load_registry().ids():
                answer = client.post("/api/v1/agents", json={"samu_ids": [samu_id]})
                token = str(answer.json()["token"]) if answer.status_code == 201 else ""
                agents.append(Agent(samu_id, token, start_ns))
        return agents

    async def _agent(self, client: httpx.AsyncClient, agent: Agent, offset: float) -> None:
        loop = asyncio.get_running_loop()
        start = loop.time() + offset
        url = f"http://127.0.0.1:{self.otlp}/v1/metrics"
        n = 0
        end = start + self.duration_s
        # Stop at the end of the run even when behind: a late request is not sent afterwards.
        while (due := start + n * self.interval_s) < end and loop.time() < end:
            await asyncio.sleep(max(0.0, due - loop.time()))
            body = agent.body()
            while True:
                try:
                    answer = await client.post(url, content=body, headers=agent.headers)
                except httpx.TransportError:  # e.g. a keep-alive connection closed under us
                    self.window.errors += 1
                    continue
                if answer.status_code != 503:
                    break
                self.window.retries += 1
                await asyncio.sleep(float(answer.headers.get("Retry-After", "1")))
            if answer.status_code != 200:
                raise RuntimeError(f"{agent.samu_id}: {answer.status_code} {answer.text[:200]}")
            self.window.latencies.append(loop.time() - due)
            n += 1

    async def _sampler(self, client: httpx.AsyncClient, pid: int, began: float) -> None:
        while (elapsed := time.monotonic() - began) < self.duration_s + self.sample_s:
            await asyncio.sleep(self.sample_s)
            metrics = (await client.get(f"{self.api}/metrics")).text
            window, self.window = self.window, Window()
            sample = Sample(
                t_s=round(time.monotonic() - began, 1),
                rss_mb=round(_rss_mb(pid), 1),
                queue_points=_gauge(metrics, "vigie_collector_queue_points"),
                requests=len(window.latencies),
                retries=window.retries,
                transport_errors=window.errors,
                p50_ms=round(_quantile(window.latencies, 0.5) * 1000, 1),
                p99_ms=round(_quantile(window.latencies, 0.99) * 1000, 1),
            )
            self.samples.append(sample)
            print(json.dumps(asdict(sample)), flush=True)
            if elapsed > self.duration_s:
                return

    async def run(self, pid: int) -> None:
        agents = self.agents()
        limits = httpx.Limits(max_connections=len(agents) + 4)
        async with httpx.AsyncClient(timeout=120, limits=limits) as client:
            began = time.monotonic()
            sender = asyncio.gather(
                *(
                    self._agent(client, a, i * self.interval_s / len(agents))
                    for i, a in enumerate(agents)
                )
            )
            await asyncio.gather(sender, self._sampler(client, pid, began))

    def stop(self) -> None:
        if self.server is not None and self.server.poll() is None:
            self.server.send_signal(signal.SIGTERM)
            try:
                self.server.wait(60)
            except subprocess.TimeoutExpired:
                self.server.kill()


def verdict(samples: list[Sample], flat_mb_per_hour: float, due: int) -> dict[str, Any]:
    """RSS and queue slopes after the first minute, whether memory is flat, and whether the
    platform kept up (answered at least 95 % of the requests due)."""
    steady = [s for s in samples if s.t_s > 60] or samples
    hours = [s.t_s / 3600 for s in steady]
    rss_slope = slope(hours, [s.rss_mb for s in steady])
    queue_slope = slope(hours, [s.queue_points for s in steady])
    return {
        "samples": len(samples),
        "rss_mb_first": steady[0].rss_mb if steady else 0.0,
        "rss_mb_last": steady[-1].rss_mb if steady else 0.0,
        "rss_mb_max": max((s.rss_mb for s in samples), default=0.0),
        "rss_slope_mb_per_hour": round(rss_slope, 2),
        "queue_max_points": max((s.queue_points for s in samples), default=0.0),
        "queue_slope_points_per_hour": round(queue_slope, 1),
        "requests": sum(s.requests for s in samples),
        "requests_due": due,
        "retries_503": sum(s.retries for s in samples),
        "transport_errors_retried": sum(s.transport_errors for s in samples),
        "p99_ms_worst_window": max((s.p99_ms for s in steady), default=0.0),
        "p50_ms_median_window": _quantile([s.p50_ms for s in steady], 0.5),
        "memory_flat": abs(rss_slope) < flat_mb_per_hour,
        "queue_not_growing": queue_slope <= 0 or max(s.queue_points for s in steady) < 50_000,
        "kept_up": sum(s.requests for s in samples) >= 0.95 * due,
    }


def main() -> None:
    """Entry point: run the soak, print one JSON line per sample, then the verdict."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=60.0)
    parser.add_argument("--sample-s", type=float, default=10.0)
    parser.add_argument("--factor", type=float, default=10.0, help="× the national rate")
    parser.add_argument("--flat-mb-per-hour", type=float, default=20.0)
    parser.add_argument("--output", type=Path, help="write samples and verdict as JSON here")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="vigie-soak-"))
    soak = Soak(args.minutes, args.sample_s, workdir, args.factor)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # still stop the server
    try:
        pid = soak.start_server()
        asyncio.run(soak.run(pid))
    finally:
        soak.stop()
    due = int(len(load_registry().ids()) * soak.duration_s / soak.interval_s)
    result = {"factor": args.factor, **verdict(soak.samples, args.flat_mb_per_hour, due)}
    print(json.dumps(result, indent=2))
    if args.output:
        samples = [asdict(s) for s in soak.samples]
        args.output.write_text(json.dumps({"verdict": result, "samples": samples}, indent=2))
    shutil.rmtree(workdir, ignore_errors=True)
    if not (result["memory_flat"] and result["queue_not_growing"] and result["kept_up"]):
        sys.exit(1)


if __name__ == "__main__":
    main()
