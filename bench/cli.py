"""Benchmark: cold start of every `vigie` command group, now and before lazy imports (issue 15.6).

Each command is a fresh `python -m vigie.cli …` process timed by hyperfine (wall clock, no
shell, one warm-up run so that the file cache is warm and the figure is the interpreter's work):
`--help`, `--version`, each group's `--help`, and commands whose real work is small (registry,
spec checks, references). The baseline, in the same run, is the same command on the code before
the CLI imported lazily (`BEFORE`, extracted with `git archive`); without git or hyperfine the
baseline or the timer falls back (a plain loop of subprocesses) and the row says so.
"""

from __future__ import annotations

import json
import resource
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Sequence
from io import BytesIO
from pathlib import Path

from bench.figure import Figure

ROOT = Path(__file__).resolve().parent.parent
BEFORE = "199b057"  # main before the root lane: every command module imported at start
PREFIX = "CLI cold start"
PREFIXES = (PREFIX,)  # bench.run_all --only bench.cli replaces the rows that start so
HELP_TARGET_MS, COMMAND_TARGET_MS = 500.0, 2000.0
NOTES = (
    f"**{PREFIX}** (`bench/cli.py`, issue 15.6). Each row is a fresh `python -m vigie.cli …` "
    "process, wall time from exec to exit, median of hyperfine runs (`-N`, one warm-up), and its "
    "CPU time (user + system, mean) in the label: on a loaded machine the wall time waits for a "
    "core, the CPU time is the work; the "
    f"baseline is the same command on commit {BEFORE} (before the lazy CLI), extracted with "
    "`git archive` and run by the same interpreter in the same run. Targets: `vigie --help` "
    f"≤ {HELP_TARGET_MS:.0f} ms; every other command ≤ {COMMAND_TARGET_MS:.0f} ms plus its real "
    "work (here the real work is small: reading the registry, checking the specs). What each "
    "command imports is held by tests/test_cli_startup.py, not by these timings.\n"
)
GROUPS = (
    "agents",
    "alerts",
    "backup",
    "collector",
    "config-reference",
    "engine",
    "ingest",
    "metrics-reference",
    "migrate",
    "report",
    "restore",
    "samu",
    "simulate",
    "slo",
    "ui",
    "up",
    "users",
)
WORK = (
    ("samu", "list"),
    ("slo", "validate"),
    ("metrics-reference",),
    ("config-reference",),
)


def commands(quick: bool) -> list[tuple[str, ...]]:
    found: list[tuple[str, ...]] = [("--help",), ("--version",)]
    if quick:
        return found
    return found + [(g, "--help") for g in GROUPS] + list(WORK)


Timing = tuple[float, float]  # median wall seconds, mean CPU seconds (user + system)


def _hyperfine(tree: Path, argvs: Sequence[tuple[str, ...]], runs: int) -> dict[str, Timing]:
    """Median wall and mean CPU seconds of each command, run in `tree`, by hyperfine."""
    lines = [" ".join([sys.executable, "-m", "vigie.cli", *argv]) for argv in argvs]
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        options = ["-N", "--warmup", "1", "--runs", str(runs), "--style", "none"]
        subprocess.run(
            ["hyperfine", *options, "--export-json", out.name, *lines],
            cwd=tree,
            check=True,
            capture_output=True,
        )
        results = json.loads(Path(out.name).read_text())["results"]
    return {
        " ".join(a): (float(r["median"]), float(r["user"]) + float(r["system"]))
        for a, r in zip(argvs, results, strict=True)
    }


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _loop(tree: Path, argvs: Sequence[tuple[str, ...]], runs: int) -> dict[str, Timing]:
    """The same without hyperfine: plain subprocess runs after one warm-up."""
    found: dict[str, Timing] = {}
    for argv in argvs:
        walls, cpus = [], []
        for i in range(runs + 1):
            started, cpu = time.perf_counter(), _cpu()
            subprocess.run(
                [sys.executable, "-m", "vigie.cli", *argv],
                cwd=tree,
                check=True,
                capture_output=True,
            )
            if i:
                walls.append(time.perf_counter() - started)
                cpus.append(_cpu() - cpu)
        found[" ".join(argv)] = (statistics.median(walls), statistics.fmean(cpus))
    return found


def timed(tree: Path, argvs: Sequence[tuple[str, ...]], runs: int) -> dict[str, Timing]:
    if shutil.which("hyperfine"):
        return _hyperfine(tree, argvs, runs)
    return _loop(tree, argvs, runs)


def before_tree(into: Path) -> Path | None:
    """The code at BEFORE, extracted under `into`; None when git cannot give it."""
    try:
        archive = subprocess.run(
            ["git", "archive", "--format=tar", BEFORE], cwd=ROOT, check=True, capture_output=True
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into


def figures(now: dict[str, Timing], then: dict[str, Timing] | None) -> list[Figure]:
    """One row per command: wall ms now (CPU ms in the label), against the same before."""
    timer = "hyperfine" if shutil.which("hyperfine") else "subprocess loop"
    rows = []
    for command, (wall, cpu) in now.items():
        ms = wall * 1000
        target_ms = HELP_TARGET_MS if command == "--help" else COMMAND_TARGET_MS
        old = then.get(command) if then else None
        baseline = (
            f"{BEFORE}: {old[0] * 1000:,.0f} ms (CPU {old[1] * 1000:,.0f} ms)"
            if old
            else f"no baseline ({timer})"
        )
        rows.append(
            Figure(
                f"{PREFIX}: `vigie {command}` (CPU {cpu * 1000:,.0f} ms)",
                ms,
                "ms",
                f"≤ {target_ms:,.0f}",
                baseline,
                ratio=ms / (old[0] * 1000) if old else None,
                met=ms <= target_ms,
            )
        )
    return rows


def run(quick: bool) -> list[Figure]:
    argvs = commands(quick)
    runs = 1 if quick else 5
    now = timed(ROOT, argvs, runs)
    with tempfile.TemporaryDirectory(prefix="vigie-cli-before-") as tmp:
        tree = before_tree(Path(tmp))
        then = timed(tree, argvs, max(1, runs - 2)) if tree is not None else None
    return figures(now, then)


if __name__ == "__main__":
    for figure in run(quick="--quick" in sys.argv):
        print(figure)
