"""SLO benchmark, child process: our tick vs Debian's Prometheus on the same per-minute counts.

The history (per-minute call setups of every SAMU, the tick bench's traffic) is written into the
store; the S1 counts are read back, turned into cumulative counters (one sample a minute, as a
1-minute scrape sees them) in OpenMetrics text, backfilled with `promtool tsdb
create-blocks-from openmetrics`, and a Prometheus started on that TSDB evaluates the Sloth-style
recording expressions (per SAMU error ratio over 5m … 30d) at the end instant through
`/api/v1/query?stats=all`; its own `evalTotalTime` is summed over the windows.
"""

from __future__ import annotations

import json
import shutil
import socket
import statistics
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import numpy as np

from bench.slo_tick import END, fill_recent, make_engine, summary, time_ticks

WINDOWS = ("5m", "30m", "1h", "2h", "6h", "1d", "3d", "30d")
OBJECTIVE = 0.9995  # S1
RATIO = (
    'sum by (samu) (rate(s1_setups_total{{kind="bad"}}[{w}]))\n'
    '/ sum by (samu) (rate(s1_setups_total{{kind="valid"}}[{w}]))'
)
_S1 = """
SELECT samu_id, toUnixTimestamp(minute),
       sumIf(value, outcome != 'caller_cancelled'),
       sumIf(value, outcome NOT IN ('success', 'caller_cancelled'))
FROM {db}.minute_counts
WHERE metric = 'samu.call.setups' AND le = inf
GROUP BY samu_id, minute
"""


def recording_rules() -> str:
    """The Sloth-style rules file (recording per window, MWMB page and ticket alerts)."""
    lines = ["groups:", "  - name: vigie-s1", "    rules:"]
    for w in WINDOWS:
        expr = RATIO.format(w=w).replace("\n", " ")
        lines += [f"      - record: slo:sli_error:ratio_rate{w}", f"        expr: '{expr}'"]
    budget = 1 - OBJECTIVE
    alerts = {
        "S1PageBurn": f"(slo:sli_error:ratio_rate1h > {14.4 * budget:g} and "
        f"slo:sli_error:ratio_rate5m > {14.4 * budget:g}) or (slo:sli_error:ratio_rate6h > "
        f"{6 * budget:g} and slo:sli_error:ratio_rate30m > {6 * budget:g})",
        "S1TicketBurn": f"(slo:sli_error:ratio_rate1d > {3 * budget:g} and "
        f"slo:sli_error:ratio_rate2h > {3 * budget:g}) or (slo:sli_error:ratio_rate3d > "
        f"{budget:g} and slo:sli_error:ratio_rate6h > {budget:g})",
    }
    for name, expr in alerts.items():
        lines += [f"      - alert: {name}", f"        expr: '{expr}'"]
    return "\n".join(lines) + "\n"


def openmetrics(store: Any, path: Path) -> int:
    """Write the S1 counters as cumulative OpenMetrics samples; returns the sample count."""
    rows = store.query(_S1)
    samus = sorted({str(r[0]) for r in rows})
    first = min(int(r[1]) for r in rows)
    last = max(int(r[1]) for r in rows)
    n = (last - first) // 60 + 1
    index = {s: i for i, s in enumerate(samus)}
    valid = np.zeros((len(samus), n))
    bad = np.zeros((len(samus), n))
    for samu, minute, v, b in rows:
        j = (int(minute) - first) // 60
        valid[index[str(samu)], j] += float(v)
        bad[index[str(samu)], j] += float(b)
    stamps = first + 60 + 60 * np.arange(n)  # a counter read at the end of its minute
    count = 0
    with path.open("w") as out:
        out.write("# HELP s1_setups S1 call setups (valid, bad).\n# TYPE s1_setups counter\n")
        for kind, matrix in (("valid", valid), ("bad", bad)):
            cumulative = np.cumsum(matrix, axis=1)
            for i, samu in enumerate(samus):
                head = f's1_setups_total{{kind="{kind}",samu="{samu}"}} '
                out.writelines(
                    f"{head}{v:g} {t}\n"
                    for v, t in zip(cumulative[i].tolist(), stamps.tolist(), strict=True)
                )
                count += n
        out.write("# EOF\n")
    return count


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def prometheus_times(workdir: Path, at: float, rounds: int) -> dict[str, Any]:
    """Start Prometheus on the backfilled TSDB; evalTotalTime of the rule expressions per round."""
    port = _free_port()
    config = workdir / "prometheus.yml"
    rules = workdir / "rules.yml"
    rules.write_text(recording_rules())
    config.write_text("global:\n  evaluation_interval: 1h\nrule_files: [rules.yml]\n")
    command = [
        "prometheus",
        f"--config.file={config}",
        f"--storage.tsdb.path={workdir / 'tsdb'}",
        f"--web.listen-address=127.0.0.1:{port}",
        "--storage.tsdb.retention.time=3650d",
        "--log.level=warn",
    ]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base, timeout=120) as http:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                try:
                    if http.get("/-/ready").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                time.sleep(0.5)
            totals, walls, series = [], [], 0
            for _ in range(rounds):
                total = wall = 0.0
                for w in WINDOWS:
                    began = time.perf_counter()
                    body = http.get(
                        "/api/v1/query",
                        params={"query": RATIO.format(w=w), "time": at, "stats": "all"},
                    ).json()
                    wall += time.perf_counter() - began
                    total += float(body["data"]["stats"]["timings"]["evalTotalTime"])
                    series = max(series, len(body["data"]["result"]))
                totals.append(total)
                walls.append(wall)
        return {"eval_s": totals, "wall_s": walls, "series": series}
    finally:
        proc.terminate()
        proc.wait(30)


def child(workdir: Path, quick: bool) -> dict[str, Any]:
    """Fill, time our ticks, export, backfill, time Prometheus; all on the same counts."""
    from store.client import open_store
    from store.migrations import migrate
    from store.registry import load_registry
    from vigie.schema import all_migrations

    store = open_store(f"chdb://{workdir / 'clickhouse'}", "bench")
    migrate(store, migrations=all_migrations())
    ids = [s.id for s in load_registry()]
    days = 1 if quick else 7
    fill_recent(store, ids, END, days)
    s1, clock = make_engine(store, END, only="s1-call-setup")
    s1.tick()
    ours_s1 = summary(time_ticks(s1, clock, 3 if quick else 8))
    full, clock = make_engine(store, END)
    full.tick()
    ours_full = summary(time_ticks(full, clock, 3 if quick else 8))
    began = time.monotonic()
    samples = openmetrics(store, workdir / "s1.om")
    export_s = time.monotonic() - began
    began = time.monotonic()
    subprocess.run(
        [
            "promtool",
            "tsdb",
            "create-blocks-from",
            "openmetrics",
            str(workdir / "s1.om"),
            str(workdir / "tsdb"),
        ],
        check=True,
        capture_output=True,
    )
    backfill_s = time.monotonic() - began
    (workdir / "s1.om").unlink()
    at = (END - timedelta(seconds=0)).timestamp()
    prom = prometheus_times(workdir, at, 2 if quick else 5)
    shutil.rmtree(workdir / "tsdb", ignore_errors=True)
    return {
        "samu": len(ids),
        "days": days,
        "samples": samples,
        "export_s": export_s,
        "backfill_s": backfill_s,
        "ours_s1": ours_s1,
        "ours_full": ours_full,
        "prom_eval_ms": statistics.median(prom["eval_s"]) * 1000,
        "prom_wall_ms": statistics.median(prom["wall_s"]) * 1000,
        "prom_series": prom["series"],
        "at": datetime.fromtimestamp(at).isoformat(),
    }


if __name__ == "__main__":
    print(json.dumps(child(Path(sys.argv[1]), sys.argv[2] == "quick")))
