"""OTLP/HTTP protobuf ingest into the embedded store, end to end, against its one-core limits.

The receiver is `vigie up --no-simulate` pinned to one core (`taskset -c 0`); the sender is
another process pinned to another core, with pre-encoded bodies (bench.workload). The latency
phases run first (open loop, at 1×, 10× and 30× the national peak), then the small-request
and throughput phases (closed loop, several concurrent streams). The receiver is then stopped
(flushing what it accepted) and, on the same core, bench.limits checks the stored counts and
measures decode, conversion, raw insert and the writer alone on the same bodies.
"""

from __future__ import annotations

import json
import os
import pickle
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from bench.figure import Figure, rate
from bench.workload import SERIES_PER_SAMU, Body, make_stream
from store.registry import load_registry

S = 1_000_000_000
TARGET_POINTS_S = 60_000
TARGET_P99_S = 0.050
TARGET_SMALL_REQUESTS_S = 2_000  # issue 15: 19-point requests per second on one core
# Open loop at 1×, 10× and 30× the national rate: ~100 SAMU agents export every 10 s (1×:
# 10 requests/s of 19 points); at 10× each agent sends one request every second. (name,
# factor, rounds of every agent; fewer at 1× so that the phase lasts ~40 s.)
# The starts of this module's row names (bench.run_all --only bench.ingest replaces them).
PREFIXES = (
    "OTLP/HTTP protobuf ingest",
    "small requests",
    "ingest end to end",
    "protobuf decode",
    "cumulative→delta",
    "writer alone",
    "raw ClickHouse insert",
    "request latency p",  # the rows before the open loop had three load levels
    "open loop at",
    "peak memory of `vigie up`",
    "points in the store",
)
PHASES = (("1x", 1, 4), ("10x", 10, 42), ("30x", 30, 42))

NOTES = f"""\
**Ingest** (`bench/ingest.py`). Receiver: `vigie up --no-simulate` pinned to one core
(`taskset -c 0`), embedded chdb store, default settings. Sender: another process pinned to
another core, httpx, pre-encoded OTLP/HTTP protobuf bodies built with the opentelemetry-proto
classes: 100 SAMU × {SERIES_PER_SAMU} cumulative series of `collector/conventions.py` (setups
by outcome, two histograms, abandonment, probes, reachability, component health, network
latency) = {100 * SERIES_PER_SAMU} points per request; each request of a stream is one second
later, and each stream is its own sender instance, so no point is a duplicate.
Throughput: 4 streams, one request in flight each (503s are retried and counted), 20 s at most.
Small requests: 100 agents, each with one {SERIES_PER_SAMU}-point request in flight, back to back
(closed loop, 10 s at most, their own series): accepted requests per second.
Latency: open loop (requests are due on a fixed schedule whatever the answers; an agent sends
one request at a time, like the OTel SDK), 100 agents × one request of {SERIES_PER_SAMU} points,
at 1× (every 10 s: 10 requests/s, 4 rounds), 10× (100 requests/s, 42 rounds) and 30× the
national rate (300 requests/s, 42 rounds), each level with its own agents' series. Per level:
the p99 of an accepted export's own answer time (send → 200, durable), of a 503's answer time
(admission control: `VIGIE_WRITE_QUEUE_MAX_AGE_MS`), and of the latency from the due time with
503s retried after 50 ms (no coordinated omission). Limits: after the receiver stopped, on
its core, on the same bodies (the first 100 requests): decode + validation
(`collector.decode`), cumulative→delta conversion, raw `store.insert` of the converted rows in
batches of `batch_max_points`, and the BatchWriter alone (submit → durable).
Profile (2026-12-06, cProfile in CPU time on 10 of these 1,900-point bodies; a shared 2-core VM
at load 30–40, so CPU time, not wall time): decode + validation went from ~140k to 175–190k
points/s per core of CPU when DataPoint and SeriesState became named tuples (3.7× cheaper to
build than frozen dataclasses), a point's attributes and series key became one cached look-up,
and the time window and value checks moved inline. Top lines after: `_decode_points` (the loop
itself, protobuf field reads) 25 %, `raw_attributes` 14 %, the named tuples 5 %, `_histogram`
4 %, `WhichOneof` 3 %. Cumulative→delta conversion: ~143k points/s of CPU. One insert of 1,900
converted rows: 64 % of its CPU in ClickHouse itself (`chdb._chdb.query`: `points` and the 7
tables its views write), 16 % in clickhouse-connect's LowCardinality and array encoding; a
column-oriented insert was no faster (14k vs 17k rows/s of CPU). So the ceiling of the ingest
path on this machine is the store's insert fan-out, not Python; the Python stages run at
3–4× the 60,000 points/s target in CPU time.
Under load: the rows dated 2026-12-06 were measured at load 24 on 2 cores (six agents and
their tests shared the machine), so the receiver's core ran ~12 processes and the receiver
(which also runs the engine's ticks and alerting in `vigie up`) had a small share of it: every
wall-clock figure of that run (points/s, requests/s, latencies) is bounded by the machine by an
order of magnitude, not by the code; the same-run ratios (end to end / decode 0.11, writer /
raw insert 0.37) are the comparable figures, and the CPU-time profile above the per-core cost.
Memory: the peak-memory row's baseline is `vigie up`'s RSS at ready, before any export (added
after the run above; a quick run at load 16 on 2026-12-06: 467 MB at ready, 546 MB peak). So
the ≤ 300 MB target is bounded by the platform's own footprint in one process (engine, UI,
chdb), not by ingest, which adds ~80–160 MB (quick run, full run above).
"""


def free_ports(n: int) -> list[int]:
    """n TCP ports free on 127.0.0.1 right now."""
    sockets = [socket.socket() for _ in range(n)]
    for s in sockets:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


def pinned(core: int | None, *command: str) -> list[str]:
    """The command run on one core (taskset), or as is when pinning is not possible."""
    if core is None:
        return list(command)
    return ["taskset", "-c", str(core), *command]


def cores() -> tuple[int | None, int | None]:
    """The receiver's and the sender's cores (None, None without taskset or a second core)."""
    allowed = sorted(os.sched_getaffinity(0))
    if len(allowed) < 2 or shutil.which("taskset") is None:
        return None, None
    return allowed[0], allowed[1]


def make_plan(quick: bool) -> dict[str, Any]:
    """The pre-encoded bodies of both phases and their parameters."""
    ids = load_registry().ids()
    now = time.time_ns()
    samu, n_streams, n_bodies = (ids[:5], 2, 3) if quick else (ids, 4, 80)
    streams = [
        make_stream(samu, f"bench-{i}", n_bodies, now - 2 * 86_400 * S, S).bodies
        for i in range(n_streams)
    ]
    agent_ids = ids[:5] if quick else ids
    phases = []
    for name, factor, rounds in PHASES:
        rounds = min(rounds, 4) if quick else rounds
        agents = [
            make_stream([s], f"agent-{name}-{s}", rounds, now - 86_400 * S, 10 * S).bodies
            for s in agent_ids
        ]
        phases.append(
            {
                "name": name,
                "agents": agents,
                "rate": len(agent_ids) * factor / 10.0,  # an agent exports every 10 s at 1×
                "rounds": rounds,
                "warmup": 2 * len(agent_ids),  # the first two rounds are not timed
            }
        )
    small = [
        make_stream([s], f"small-{s}", 3 if quick else 60, now - 3 * 86_400 * S, S).bodies
        for s in agent_ids
    ]
    return {
        "streams": streams,
        "small": small,
        "small_s": 2.0 if quick else 10.0,
        "phases": phases,
        "duration_s": 3.0 if quick else 20.0,
        "limit_bodies": 4 if quick else 100,
    }


def _wait_ready(url: str, server: subprocess.Popen[bytes], timeout_s: float = 90) -> None:
    deadline = time.monotonic() + timeout_s
    headers = {"Content-Type": "application/x-protobuf"}
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the receiver exited with code {server.returncode}")
        try:
            if httpx.post(url, content=b"", headers=headers, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the receiver did not answer on {url} within {timeout_s} s")


def _self_metrics(url: str) -> dict[str, float]:
    """The receiver's own counters of points written and duplicates dropped."""
    wanted = ("vigie_collector_points_written_total", "vigie_collector_duplicates_total")
    found = {name: 0.0 for name in wanted}
    for line in httpx.get(url, timeout=10).text.splitlines():
        name, _, value = line.partition(" ")
        if name in found:
            found[name] = float(value)
    return found


def _json_of(command: list[str], cwd: Path) -> Any:
    done = subprocess.run(command, cwd=cwd, capture_output=True, check=False)
    if done.returncode != 0:
        text = done.stderr.decode()
        print(text, file=sys.stderr)  # the whole traceback, for whoever runs the benchmark
        lines = text.strip().splitlines() or ["(no output)"]
        # The exception's own line (the last one naming an error): run_all shows that line.
        error = next((ln for ln in reversed(lines) if "Error" in ln.split(":", 1)[0]), lines[-1])
        raise RuntimeError(f"{command[-3]} failed: {error.strip()}")
    return json.loads(done.stdout)


def measure(quick: bool, workdir: Path) -> dict[str, Any]:
    """Run the receiver, the sender and the limits; their raw results."""
    root = Path(__file__).resolve().parent.parent
    plan = make_plan(quick)
    plan_file = workdir / "plan.pkl"
    with open(plan_file, "wb") as fh:
        pickle.dump(plan, fh)
    data_dir = workdir / "data"
    http, otlp, grpc = free_ports(3)
    receiver_core, sender_core = cores()
    vigie = str(Path(sys.executable).with_name("vigie"))
    up = [vigie, "up", "--no-simulate", "--data-dir", str(data_dir), "--http-port", str(http)]
    up += ["--otlp-http-port", str(otlp), "--otlp-grpc-port", str(grpc)]
    log = open(workdir / "receiver.log", "wb")  # noqa: SIM115 (closed below)
    # The sender is not an agent with a token: agent authentication (one sha256 per request)
    # is off for this measurement of the ingest path itself.
    env = {**os.environ, "VIGIE_AGENT_AUTH": "off"}
    server = subprocess.Popen(pinned(receiver_core, *up), cwd=root, stdout=log, stderr=log, env=env)
    url = f"http://127.0.0.1:{otlp}/v1/metrics"
    try:
        _wait_ready(url, server)
        ready_rss_mb = rss_mb(server.pid)
        sent = _json_of(
            pinned(sender_core, sys.executable, "-m", "bench.sender", str(plan_file), url), root
        )
        sent["self_metrics"] = _self_metrics(f"http://127.0.0.1:{http}/metrics")
        sent["peak_rss_mb"] = peak_rss_mb(server.pid)
        sent["ready_rss_mb"] = ready_rss_mb
    finally:
        server.send_signal(signal.SIGINT)  # a clean stop flushes every accepted point
        try:
            server.wait(timeout=120)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()
    limits = _json_of(
        pinned(receiver_core, sys.executable, "-m", "bench.limits", str(plan_file), str(data_dir)),
        root,
    )
    expected = _expected(plan, sent)
    return {
        "sent": sent,
        "limits": limits,
        "expected": expected,
        "pinned": sender_core is not None,
    }


def peak_rss_mb(pid: int) -> float:
    """The process's resident-memory high-water mark (Linux VmHWM), in MB."""
    return _status_mb(pid, "VmHWM:")


def rss_mb(pid: int) -> float:
    """The process's resident memory now (Linux VmRSS), in MB."""
    return _status_mb(pid, "VmRSS:")


def _status_mb(pid: int, field: str) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def _expected(plan: dict[str, Any], sent: dict[str, Any]) -> dict[str, float]:
    """Points and call setups the store must hold after both phases."""
    last = {int(k): v for k, v in sent["throughput"]["last_accepted"].items()}
    small = {int(k): v for k, v in sent["small"]["last_accepted"].items()}
    points = sent["throughput"]["points"] + sent["small"]["points"]
    points += sum(p["points"] for p in sent["phases"].values())
    setups = sum(plan["streams"][i][n].setups for i, n in last.items())
    setups += sum(plan["small"][i][n].setups for i, n in small.items())
    for phase in plan["phases"]:
        agents: list[list[Body]] = phase["agents"]
        rounds = min(phase["rounds"], *(len(bodies) for bodies in agents))
        setups += sum(bodies[rounds - 1].setups for bodies in agents)
    return {"points": points, "setups": setups}


def percentile(sorted_values: list[float], q: float) -> float:
    """The q-quantile (0..1) by nearest rank of an already sorted list."""
    if not sorted_values:
        return float("nan")
    rank = max(1, round(q * len(sorted_values) + 0.5 - 1e-9))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def figures(result: dict[str, Any]) -> list[Figure]:
    """The table rows of one ingest run."""
    thr, small = result["sent"]["throughput"], result["sent"]["small"]
    small_rps = rate(small["requests"], small["seconds"])
    lim = result["limits"]
    e2e = rate(thr["points"], thr["seconds"])
    decode = rate(lim["decode"]["points"], lim["decode"]["seconds"])
    convert = rate(lim["convert"]["points"], lim["convert"]["seconds"])
    insert = rate(lim["insert"]["rows"], lim["insert"]["seconds"])
    writer = rate(lim["writer"]["points"], lim["writer"]["seconds"])
    serial = 1 / (1 / decode + 1 / writer) if decode and writer else 0.0
    stored, expected = lim["stored"], result["expected"]
    dups = result["sent"]["self_metrics"]["vigie_collector_duplicates_total"]
    exact = stored["points"] == expected["points"] and stored["setups"] == expected["setups"]
    one = "1 core" if result["pinned"] else "unpinned"
    peak = float(result["sent"].get("peak_rss_mb", float("nan")))
    ready = float(result["sent"].get("ready_rss_mb", float("nan")))
    return [
        Figure(
            f"OTLP/HTTP protobuf ingest, end to end ({one}; {thr['retries']} retried 503s)",
            e2e,
            "points/s",
            f"≥ {TARGET_POINTS_S:,}",
            f"raw ClickHouse insert of the same rows {insert:,.0f}/s",
            e2e / insert if insert else None,
            e2e >= TARGET_POINTS_S,
        ),
        Figure(
            f"small requests ({SERIES_PER_SAMU} points each, 100 agents, closed loop; {one}; "
            f"{small['retries']} retried 503s)",
            small_rps,
            "requests/s",
            f"≥ {TARGET_SMALL_REQUESTS_S:,}",
            f"{small_rps * SERIES_PER_SAMU:,.0f} points/s",
            small_rps / TARGET_SMALL_REQUESTS_S,
            small_rps >= TARGET_SMALL_REQUESTS_S,
        ),
        Figure(
            "ingest end to end vs protobuf decode + validation alone",
            e2e,
            "points/s",
            "≥ 0.9 × decode",
            f"decode only {decode:,.0f}/s",
            e2e / decode if decode else None,
            e2e >= 0.9 * decode,
        ),
        Figure(
            "ingest end to end vs decode then writer in series (no HTTP)",
            e2e,
            "points/s",
            baseline=f"1/(1/decode + 1/writer) {serial:,.0f}/s",
            ratio=e2e / serial if serial else None,
        ),
        Figure(
            "protobuf decode + validation only (1 core)",
            decode,
            "points/s",
            "≥ 250,000",
            met=decode >= 250_000,
        ),
        Figure("cumulative→delta conversion only (1 core)", convert, "points/s"),
        Figure(
            "writer alone: convert + insert + commit, submit→durable (1 core)",
            writer,
            "points/s",
            "≥ 0.8 × raw insert",
            f"raw insert {insert:,.0f}/s",
            writer / insert if insert else None,
            writer >= 0.8 * insert,
        ),
        Figure("raw ClickHouse insert of the converted rows (1 core)", insert, "rows/s"),
        *[f for name, phase in result["sent"]["phases"].items() for f in _phase(name, phase)],
        Figure(
            "peak memory of `vigie up` (RSS high-water mark) over the ingest benchmark",
            peak,
            "MB",
            "≤ 300",
            f"`vigie up` at ready, before any export {ready:,.0f} MB",
            peak / ready if ready == ready and ready else None,
            peak <= 300,
        ),
        Figure(
            "points in the store / points accepted (and call setups summed / sent)",
            stored["points"] / expected["points"] if expected["points"] else 0.0,
            "ratio",
            "= 1 exactly",
            f"{expected['points']:,} points, {expected['setups']:,.0f} setups accepted; "
            f"{dups:,.0f} dropped as duplicates",
            None,
            exact,
        ),
    ]


def _phase(name: str, phase: dict[str, Any]) -> list[Figure]:
    """The open-loop rows of one load level: accepted exports' own latency (p99), how fast a
    503 answers (p99), and the latency from the due time (retries of 503s included)."""
    load = f"{phase['requests']} exports of {SERIES_PER_SAMU} points, {phase['retries']} 503s"
    if phase.get("reconnects"):
        load += f", {phase['reconnects']} resent on a closed connection"
    accepted = percentile(phase["accepted_s"], 0.99) * 1000
    shed = percentile(phase["shed_s"], 0.99) * 1000 if phase["shed_s"] else float("nan")
    due = percentile(phase["latencies_s"], 0.99) * 1000
    target = TARGET_P99_S * 1000
    return [
        Figure(
            f"open loop at {name} national peak: accepted export latency p99 ({load})",
            accepted,
            "ms",
            f"< {target:.0f}",
            met=accepted < target,
        ),
        Figure(
            f"open loop at {name}: a 503 answers within, p99",
            shed,
            "ms",
            f"< {target:.0f}",
            met=None if shed != shed else shed < target,
        ),
        Figure(f"open loop at {name}: latency from the due time, p99 (503s retried)", due, "ms"),
    ]


def run(quick: bool = False) -> list[Figure]:
    """Run the ingest benchmark (quick: a few requests, to prove the harness works)."""
    with tempfile.TemporaryDirectory(prefix="vigie-bench-") as tmp:
        return figures(measure(quick, Path(tmp)))
