"""Storage per row on real rows and backups to S3, full then incremental (issue 18).

`vigie up` (embedded) receives two windows of simulated history through its collector
(`collector.simulator.backfill`, OTLP/HTTP, as agents send it); after the first window the
running instance backs up to S3 (moto's standalone server) in full, after the second
incrementally. Then the stopped store is measured table by table (bench/storage_measure.py)
and a restore drill runs from the incremental backup.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import boto3
import httpx

from bench.figure import Figure
from bench.ingest import _wait_ready, free_ports
from collector.simulator.backfill import BackfillOptions, run_backfill
from people.local_files import local_cli_token
from store.clock import FakeClock, SystemClock
from store.registry import load_registry

ROOT = Path(__file__).resolve().parent.parent
VIGIE = str(Path(sys.executable).with_name("vigie"))
BUCKET, PREFIX = "vigie-bench", "backups"
NATIONAL_SAMU = 100
LIVE_EXPORT_S, BACKFILL_STEP_S = 10, 60  # agents export every 10 s; the backfill once a minute
RAW_DAYS, ROLLUP_DAYS, SNAPSHOT_DAYS = 35, 365, 400  # the retention defaults
ENGINE_TICK_S = 10  # VIGIE_ENGINE_INTERVAL_S
RAW_TABLES = ("points", "spans")
ROLLUP_PREFIXES = ("minute_", "slo_hour", "slo_minute", "slo_slice")
GB = 1e9

NOTES = """**Storage and S3 backups** (`bench/storage.py`, `bench/storage_measure.py`, issue 18).
`vigie up` (embedded, agent tokens off) receives the history of the first 5 SAMU of the
registry through its OTLP/HTTP receiver, sent by the simulator's backfill (one cumulative point
per series per minute): 6 days, then one more day (quick: 2 SAMU, 2.4 h then 29 min). After the
6 days the running instance backs up to S3 — moto's standalone server on this machine — through
`POST /api/v1/admin/backup` (full), after the seventh day incrementally (base: the full one), as
the daily schedule would; sizes are the bytes ClickHouse uploaded. Raw points are partitioned by
day, so past days are not uploaded again; rollups by month, so the current month's merged parts
are. The stopped store is then merged (`OPTIMIZE … FINAL`) and
measured from `system.parts` (compressed bytes of the active parts, marks and indexes not
counted), and the largest tables are copied into tables without CODEC clauses (ClickHouse's
default LZ4) for the codec comparison. The drill is `vigie backup drill` on the incremental
backup (restore into a scratch directory, rows, checksums and the month's report figures).
National figures: rollup bytes per SAMU-day × 100 SAMU × 365 days; raw points kept 35 days at
the live export rate (every 10 s: 6× the backfill's points per series); SLO snapshots (one row per
SAMU × SLO at every 10 s engine tick, as counted during the run) kept 400 days.
"""
# The rows of docs/benchmarks.md this module writes (`python -m bench.run_all --only …`).
PREFIXES = ("storage:", "S3 backup", "restore drill")


def _moto(port: int, log: Any) -> subprocess.Popen[bytes]:
    binary = Path(sys.executable).parent / "moto_server"
    return subprocess.Popen(
        [str(binary), "-H", "127.0.0.1", "-p", str(port)], stdout=log, stderr=log
    )


def _s3_env(endpoint: str) -> dict[str, str]:
    return {
        "VIGIE_BACKUP_S3_URL": f"s3://{BUCKET}/{PREFIX}",
        "VIGIE_BACKUP_S3_ENDPOINT": endpoint,
        "VIGIE_BACKUP_S3_ACCESS_KEY_ID": "bench",
        "VIGIE_BACKUP_S3_SECRET_ACCESS_KEY": "bench",
        "VIGIE_BACKUP_INTERVAL_HOURS": "0",  # backups on request only
    }


def _bucket(endpoint: str) -> None:
    deadline = time.monotonic() + 60
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="bench",
        aws_secret_access_key="bench",
    )
    while True:
        try:
            client.create_bucket(Bucket=BUCKET)
            return
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def _backup(api: str, token: str, kind: str) -> dict[str, Any]:
    started = time.perf_counter()
    answer = httpx.post(
        f"{api}/api/v1/admin/backup",
        json={"s3_url": f"s3://{BUCKET}/{PREFIX}", "kind": kind},
        headers={"Authorization": f"Bearer {token}"},
        timeout=3600,
    )
    answer.raise_for_status()
    made: dict[str, Any] = answer.json()
    return made | {"seconds": time.perf_counter() - started}


def measure(quick: bool, workdir: Path) -> dict[str, Any]:
    """Run moto and `vigie up`, send the history, back up twice, measure; raw results."""
    s3 = free_ports(1)[0]
    endpoint = f"http://127.0.0.1:{s3}"
    with open(workdir / "servers.log", "wb") as log:
        moto = _moto(s3, log)
        try:
            _bucket(endpoint)
            result = _history_and_backups(quick, workdir, endpoint, log)
            result["storage"] = json.loads(
                subprocess.run(
                    [sys.executable, "-m", "bench.storage_measure", str(workdir / "data")],
                    cwd=ROOT,
                    capture_output=True,
                    check=True,
                ).stdout
            )
            result["drill"] = _drill(workdir, endpoint)
        finally:
            moto.terminate()
            moto.wait(timeout=30)
    return result


def _history_and_backups(quick: bool, workdir: Path, endpoint: str, log: Any) -> dict[str, Any]:
    samus = list(load_registry())[: 2 if quick else 5]
    history, increment = (0.1, 0.02) if quick else (6.0, 1.0)
    http, otlp, grpc = free_ports(3)
    data_dir = workdir / "data"
    env = {**os.environ, "VIGIE_AGENT_AUTH": "off", **_s3_env(endpoint)}
    up = [VIGIE, "up", "--no-simulate", "--data-dir", str(data_dir), "--http-port", str(http)]
    up += ["--otlp-http-port", str(otlp), "--otlp-grpc-port", str(grpc)]
    server = subprocess.Popen(up, cwd=ROOT, stdout=log, stderr=log, env=env)
    result: dict[str, Any] = {"samu": len(samus), "days": history + increment}
    try:
        _wait_ready(f"http://127.0.0.1:{otlp}/v1/metrics", server)
        api, token = f"http://127.0.0.1:{http}", local_cli_token(data_dir)
        now = SystemClock().now()
        target = f"http://127.0.0.1:{otlp}"
        earlier = FakeClock(now - timedelta(days=increment))
        run_backfill(target, samus, BackfillOptions(days=history), earlier)
        result["full"] = _backup(api, token, "full")
        run_backfill(target, samus, BackfillOptions(days=increment), FakeClock(now))
        result["incremental"] = _backup(api, token, "incremental")
    finally:
        server.send_signal(signal.SIGINT)  # a clean stop flushes every accepted point
        try:
            server.wait(timeout=120)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    return result


def _drill(workdir: Path, endpoint: str) -> dict[str, Any]:
    started = time.perf_counter()
    drill = subprocess.run(
        [VIGIE, "backup", "drill", "--from", f"s3://{BUCKET}/{PREFIX}"],
        cwd=ROOT,
        capture_output=True,
        env={**os.environ, **_s3_env(endpoint), "VIGIE_DATA_DIR": str(workdir / "unused")},
        check=False,
    )
    return {
        "seconds": time.perf_counter() - started,
        "passed": drill.returncode == 0,
        "output": (drill.stdout + drill.stderr).decode()[-400:],
    }


def _national(tables: dict[str, Any], samu_days: float, ticks: int) -> dict[str, float]:
    """Bytes per SAMU-day (rollups, raw points at the live rate) and per day (snapshots)."""
    rollup = sum(v["compressed"] for k, v in tables.items() if k.startswith(ROLLUP_PREFIXES))
    raw = sum(tables[t]["compressed"] for t in RAW_TABLES if t in tables)
    snapshots = tables.get("slo_snapshots", {"rows": 0, "compressed": 0})
    per_tick = snapshots["rows"] / ticks if ticks else 0.0
    return {
        "rollup_samu_day": rollup / samu_days,
        "raw_samu_day": raw / samu_days * BACKFILL_STEP_S / LIVE_EXPORT_S,
        "snapshot_row": snapshots["compressed"] / snapshots["rows"] if snapshots["rows"] else 0,
        "snapshot_rows_day": per_tick * 86400 / ENGINE_TICK_S,
    }


def figures(r: dict[str, Any]) -> list[Figure]:
    tables = r["storage"]["tables"]
    n = _national(tables, r["storage"]["samu_minutes"] / 1440, r["storage"]["ticks"])
    rollups = NATIONAL_SAMU * n["rollup_samu_day"] * ROLLUP_DAYS / GB
    raw = NATIONAL_SAMU * n["raw_samu_day"] * RAW_DAYS / GB
    snapshots = n["snapshot_rows_day"] * n["snapshot_row"] * SNAPSHOT_DAYS / GB
    full, incremental = r["full"], r["incremental"]
    what = f"{r['samu']} SAMU × {r['days']:g} days through the collector"
    out = []
    for name in ("points", "minute_counts", "minute_gauges"):
        if name in tables:
            row = tables[name]["compressed"] / tables[name]["rows"]
            lz4 = tables[name]["lz4_compressed"] / tables[name]["rows"]
            out.append(
                Figure(
                    f"storage: one `{name}` row, schema codecs ({tables[name]['rows']:,} rows)",
                    row,
                    "bytes/row",
                    baseline=f"default LZ4 {lz4:.2f} bytes/row",
                    ratio=row / lz4 if lz4 else None,
                )
            )
    out += [
        Figure(
            "storage: minute and hour rollups per SAMU-day",
            n["rollup_samu_day"] / 1e3,
            "kB",
            baseline=what,
        ),
        Figure(
            "storage: raw points per SAMU-day at the live rate (exports every 10 s)",
            n["raw_samu_day"] / 1e3,
            "kB",
            baseline=what,
        ),
        Figure(
            "storage: one SLO snapshot row (every SAMU × SLO at every engine tick)",
            n["snapshot_row"],
            "bytes/row",
            baseline=f"{n['snapshot_rows_day']:,.0f} rows/day at 10 s ticks",
        ),
        Figure("storage: national rollups, 365 days (100 SAMU)", rollups, "GB"),
        Figure(
            "storage: national raw points, 35 days (100 SAMU; ×10 at 10× the rate)",
            raw,
            "GB",
            baseline=f"10×: {10 * raw:.1f} GB",
        ),
        Figure(
            "storage: SLO snapshots, 400 days (VIGIE_RETENTION_OPERATIONS_DAYS)", snapshots, "GB"
        ),
        Figure(
            "S3 backup, full after 6 days of history (running instance, embedded store)",
            full["bytes"] / 1e6,
            "MB",
            baseline=f"{full['seconds']:.1f} s, {full['objects']} objects",
        ),
        Figure(
            "S3 backup, incremental after one more day (base: the full one)",
            incremental["bytes"] / 1e6,
            "MB",
            target="< full",
            baseline=f"full {full['bytes'] / 1e6:.2f} MB; {incremental['seconds']:.1f} s",
            ratio=incremental["bytes"] / full["bytes"],
            met=incremental["bytes"] < full["bytes"],
        ),
        Figure(
            "restore drill from the incremental backup (rows, checksums, report figures)",
            r["drill"]["seconds"],
            "s",
            target="passes",
            met=bool(r["drill"]["passed"]),
        ),
    ]
    return out


def run(quick: bool = False) -> list[Figure]:
    with tempfile.TemporaryDirectory(prefix="vigie-bench-storage-") as folder:
        return figures(measure(quick, Path(folder)))
