"""Benchmark: `vigie up` start → ready and SIGINT → exit, now and before (issue 15.7).

Each run starts `python -m vigie.cli up --no-simulate` on free ports with its own data
directory, polls /api/v1/health every 20 ms until it answers 200 (ready), reads the process's
CPU time then (/proc), mints an agent token with `vigie agents add` through the running
instance (a CLI admin command that must not start the platform), sends SIGINT and times the
exit. A fresh data directory (migrations, first admin, signing key) and a restart on the same
directory are both timed. The baseline is the same on `bench.cli.BEFORE`, run from its own tree
(it needs the repository's config/ and slos/ as its working directory).
"""

from __future__ import annotations

import os
import resource
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench.cli import BEFORE, ROOT, before_tree
from bench.figure import Figure

PREFIX = "`vigie up`"
PREFIXES = (PREFIX, "`vigie agents add`")  # bench.run_all --only bench.service replaces these
IMPORTS = "import vigie.assembly, vigie.serve"  # what `vigie up` imports before it assembles
READY_TARGET_S, STOP_TARGET_S = 10.0, 5.0
NOTES = (
    f"**{PREFIX}** (`bench/service.py`, issue 15.7). `python -m vigie.cli up --no-simulate` on "
    "free ports: start → ready is exec to the first 200 of /api/v1/health (polled every 20 ms), "
    "with the process's CPU time (user + system) at that moment; SIGINT → exit is the signal to "
    "the process's end (exit code 0 and, now, the `stopped:` line); `vigie agents add` is timed "
    "through the running instance. Fresh: a new data directory (migrations, first admin, "
    f"signing key); restart: the same directory again. Median of the runs. Baseline: the same "
    f"on commit {BEFORE}, from its own tree, its runs taking turns with the runs of now. "
    f"Targets: ready ≤ {READY_TARGET_S:.0f} s, stop ≤ "
    f"{STOP_TARGET_S:.0f} s on a quiet 2-core machine; the load average at the start of the "
    "run is in the machine column (a loaded machine makes every wall time longer: compare the "
    "CPU times). The profile of ready is in its label: the CPU time, the part of it spent "
    f"importing (`python -c '{IMPORTS}'` in a fresh process, median of the runs) and the wall "
    "time not spent on a CPU (waiting for a core on a loaded machine, or for the disk).\n"
)


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Run:
    ready_s: float
    cpu_s: float
    token_s: float
    token_cpu_s: float
    stop_s: float
    last_line: str
    code: int


def import_cpu_s(tree: Path, count: int) -> float:
    """The CPU time a fresh process spends importing what `vigie up` needs (median)."""
    spent: list[float] = []
    for _ in range(count):
        before = _children_cpu_s()
        subprocess.run([sys.executable, "-c", IMPORTS], cwd=tree, check=True)
        spent.append(_children_cpu_s() - before)
    return statistics.median(spent)


def one_run(tree: Path, data_dir: Path) -> Run:
    """Start, wait for ready, mint an agent token through the API, stop; time each step."""
    http, otlp, grpc = _port(), _port(), _port()
    command = [
        sys.executable,
        "-m",
        "vigie.cli",
        "up",
        "--no-simulate",
        "--data-dir",
        str(data_dir),
    ]
    command += ["--http-port", str(http), "--otlp-http-port", str(otlp)]
    command += ["--otlp-grpc-port", str(grpc)]
    started = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=tree, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"vigie up exited: {process.communicate()[0][-2000:]}")
            try:
                if httpx.get(f"http://127.0.0.1:{http}/api/v1/health", timeout=1).is_success:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.02)
        ready, cpu = time.perf_counter() - started, _cpu_s(process.pid)
        minted, children = time.perf_counter(), _children_cpu_s()
        env = {**os.environ, "VIGIE_DATA_DIR": str(data_dir), "VIGIE_URL": ""}
        add = [sys.executable, "-m", "vigie.cli", "agents", "add", "--samu", "fr.health.samu075"]
        subprocess.run(
            [*add, "--url", f"http://127.0.0.1:{http}"],
            cwd=tree,
            env=env,
            check=True,
            capture_output=True,
        )
        token, token_cpu = time.perf_counter() - minted, _children_cpu_s() - children
    finally:
        stopping = time.perf_counter()
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=120)
    lines = [line for line in output.splitlines() if line.strip()]
    return Run(
        ready,
        cpu,
        token,
        token_cpu,
        time.perf_counter() - stopping,
        lines[-1] if lines else "",
        process.returncode,
    )


def runs(trees: list[Path], count: int) -> list[dict[str, list[Run]]]:
    """Per tree, `count` fresh starts (each on a new data dir) and as many restarts of it; the
    trees take turns, so that now and before see the same load on a shared machine."""
    found: list[dict[str, list[Run]]] = [{"fresh": [], "restart": []} for _ in trees]
    with tempfile.TemporaryDirectory(prefix="vigie-bench-up-") as tmp:
        for i in range(count):
            for t, tree in enumerate(trees):
                data = Path(tmp) / f"data{t}-{i}"
                found[t]["fresh"].append(one_run(tree, data))
                found[t]["restart"].append(one_run(tree, data))
    return found


def _median(values: list[float]) -> float:
    return statistics.median(values)


def figures(
    now: dict[str, list[Run]], then: dict[str, list[Run]] | None, imports_s: float
) -> list[Figure]:
    rows: list[Figure] = []
    for kind, found in now.items():
        old = then[kind] if then else None

        def base(attr: str, unit: str = "s", old: list[Run] | None = old) -> str:
            if not old:
                return "no baseline"
            value = _median([getattr(r, attr) for r in old])
            return f"{BEFORE}: {value:.1f} {unit}"

        ready = _median([r.ready_s for r in found])
        cpu = _median([r.cpu_s for r in found])
        old_ready = _median([r.ready_s for r in old]) if old else None
        rows.append(
            Figure(
                f"{PREFIX} start → ready, {kind} (CPU {cpu:.1f} s, of which imports "
                f"{imports_s:.1f} s; not on a CPU {max(ready - cpu, 0):.1f} s; "
                f"before {base('cpu_s')})",
                ready,
                "s",
                f"≤ {READY_TARGET_S:.0f}",
                base("ready_s"),
                ratio=ready / old_ready if old_ready else None,
                met=ready <= READY_TARGET_S,
            )
        )
        stop = _median([r.stop_s for r in found])
        clean = all(r.code == 0 and r.last_line.startswith("stopped: ") for r in found)
        old_stop = _median([r.stop_s for r in old]) if old else None
        rows.append(
            Figure(
                f"{PREFIX} SIGINT → exit, {kind} (exit 0 with the stopped line: "
                f"{'every run' if clean else 'NOT every run'})",
                stop,
                "s",
                f"≤ {STOP_TARGET_S:.0f}",
                base("stop_s"),
                ratio=stop / old_stop if old_stop else None,
                met=stop <= STOP_TARGET_S and clean,
            )
        )
    token = _median([r.token_s for r in now["restart"]])
    token_cpu = _median([r.token_cpu_s for r in now["restart"]])
    rows.append(
        Figure(
            "`vigie agents add` through the running instance (cold CLI + API call; "
            f"CPU {token_cpu:.2f} s)",
            token,
            "s",
            "≤ 2",
            base_token(then),
            met=token <= 2.0,
        )
    )
    return rows


def base_token(then: dict[str, list[Run]] | None) -> str:
    if not then:
        return "no baseline"
    return f"{BEFORE}: {_median([r.token_s for r in then['restart']]):.1f} s"


def run(quick: bool) -> list[Figure]:
    count = 1 if quick else 3
    with tempfile.TemporaryDirectory(prefix="vigie-up-before-") as tmp:
        tree = None if quick else before_tree(Path(tmp))
        found = runs([ROOT] if tree is None else [ROOT, tree], count)
    return figures(found[0], found[1] if len(found) > 1 else None, import_cpu_s(ROOT, count))


if __name__ == "__main__":
    for figure in run(quick="--quick" in sys.argv):
        print(figure)
