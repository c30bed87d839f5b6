"""Benchmark: the wall screen's memory in Chromium over an hour of work, accelerated.

A wall refreshes every 10 s and rotates every 20 s by default: an hour is 360 refreshes and
180 rotations. Here the wall runs with `?refresh=1&rotate=2` (ten times faster) for 6 minutes,
which is the same work, over the 1,000 alerts of bench/alerts_page.py and the SLO statuses of
a real engine tick. After a warm-up, the JS heap is measured after a forced garbage collection
(CDP `HeapProfiler.collectGarbage`, then `Performance.getMetrics`) every 30 s; the figure is
the growth from the first to the last sample, with the DOM node count beside it.
Runs in a child process (chdb allows one data directory per process).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.dashboard import ADMIN
from bench.figure import Figure

NOTES = (
    "wall memory: /wall?refresh=1&rotate=2 in headless Chromium for 6 min (= an hour of the "
    "default 10 s refreshes and 20 s rotations, 10× accelerated) over 1,000 alerts and a real "
    "engine tick for 100 SAMU (10 with a day of history); JS heap after a forced GC, first vs "
    "last sample (every 30 s). A loaded machine answers fewer refreshes: the row says how many."
)
TARGET_GROWTH_MIB = 5.0
MINUTES = 6.0


def _metrics(driver: Any) -> dict[str, float]:
    driver.execute_cdp_cmd("HeapProfiler.collectGarbage", {})
    found = driver.execute_cdp_cmd("Performance.getMetrics", {})["metrics"]
    return {m["name"]: float(m["value"]) for m in found}


def _browse(url: str, minutes: float, every_s: float) -> tuple[list[dict[str, float]], int]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--window-size=1920,1080",
        f"--user-data-dir={tempfile.mkdtemp(prefix='vigie-bench-chrome-')}",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    samples = []
    try:
        driver.execute_cdp_cmd("Performance.enable", {})
        driver.execute_cdp_cmd("HeapProfiler.enable", {})
        driver.get(url)
        time.sleep(min(30.0, minutes * 60 / 4))  # warm-up: first layouts, caches, JIT
        end = time.monotonic() + minutes * 60
        while True:
            samples.append(_metrics(driver))
            if time.monotonic() >= end:
                break
            time.sleep(min(every_s, max(end - time.monotonic(), 0.1)))
        refreshes = int(
            driver.execute_script("return +document.getElementById('wall-counter').textContent")
        )
    finally:
        driver.quit()
    return samples, refreshes


def child(workdir: Path, quick: bool) -> dict[str, Any]:
    """Serve the wall over the bench data and watch Chromium's memory (this process)."""
    from werkzeug.serving import make_server

    from alerts.config import load_config
    from alerts.notify import RecordingContactSender, RecordingSink
    from alerts.oncall.config import load_oncall
    from alerts.oncall.service import OnCallService
    from alerts.service import AlertingService
    from bench.alerts_page import held
    from bench.report import _FILL, _INGEST
    from collector.conventions import COMPONENTS, METRICS, SAMU_ID_PATTERN
    from dashboards.app import create_ui, platform_services
    from slo.catalogue import catalogue_from
    from slo.engine import Engine
    from slo.loader import load_policy, load_specs
    from store.client import open_store
    from store.clock import FakeClock
    from store.migrations import migrate
    from store.registry import load_registry
    from vigie import defaults
    from vigie.schema import all_migrations

    store = open_store(f"chdb://{workdir / 'clickhouse'}", "bench")
    migrate(store, migrations=all_migrations())
    registry = load_registry()
    ids = [s.id for s in registry][:10]
    end = datetime(2030, 10, 1, tzinfo=UTC)
    start = end - timedelta(days=1)
    rows = int((end - start).total_seconds() // 60) * len(ids)
    params = {"start": start, "samus": len(ids), "ids": ids, "rows": rows}
    store.command(_FILL, params)
    store.command(_INGEST, params)
    clock = FakeClock(end)
    policy = load_policy()
    catalogue = catalogue_from(METRICS, COMPONENTS, SAMU_ID_PATTERN)
    specs = load_specs(defaults.SLO_DIR, catalogue, policy)
    engine = Engine(store, specs, policy, registry, clock, write_snapshots=False)
    engine.tick()
    oncall_config = load_oncall(defaults.ONCALL, registry)
    config = load_config(defaults.ALERTING, escalation_policies=oncall_config.policies)
    oncall = OnCallService(store, clock, oncall_config, RecordingContactSender())
    service = AlertingService(store, config, RecordingSink(), clock, watchdog_interval=None)
    service.put(held(end))
    services = platform_services(
        store, registry, clock, engine=engine, alerting=service, oncall=oncall
    )
    app = create_ui(services)

    def with_admin(environ: dict[str, Any], start_response: Any) -> Any:
        environ.update({f"HTTP_{k.upper().replace('-', '_')}": v for k, v in ADMIN.items()})
        return app.server(environ, start_response)

    server = make_server("127.0.0.1", 0, with_admin, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    minutes = 0.5 if quick else MINUTES
    try:
        url = f"http://127.0.0.1:{server.server_port}/wall?refresh=1&rotate=2"
        samples, refreshes = _browse(url, minutes, 10.0 if quick else 30.0)
    finally:
        server.shutdown()
    first, last = samples[0], samples[-1]
    return {
        "minutes": minutes,
        "refreshes": refreshes,
        "heap_first_mib": first["JSHeapUsedSize"] / 2**20,
        "heap_last_mib": last["JSHeapUsedSize"] / 2**20,
        "heap_max_mib": max(s["JSHeapUsedSize"] for s in samples) / 2**20,
        "nodes_first": first["Nodes"],
        "nodes_last": last["Nodes"],
        "listeners_first": first["JSEventListeners"],
        "listeners_last": last["JSEventListeners"],
    }


def run(quick: bool = False) -> list[Figure]:
    """Run the wall-memory benchmark in a child process (needs chromedriver)."""
    if not shutil.which("chromedriver"):
        return [Figure("wall memory: JS heap growth", float("nan"), "MiB", "no chromedriver")]
    with tempfile.TemporaryDirectory(prefix="vigie-bench-wall-") as tmp:
        command = [sys.executable, "-m", "bench.wall_memory", tmp, "quick" if quick else "full"]
        out = subprocess.run(command, capture_output=True, check=True, text=True)
    r = json.loads(out.stdout.strip().splitlines()[-1])
    growth = r["heap_last_mib"] - r["heap_first_mib"]
    work = f"{r['refreshes']} refreshes in {r['minutes']:g} min"
    work += f", heap first {r['heap_first_mib']:.1f} MiB"
    return [
        Figure(
            "wall memory: JS heap growth over an accelerated hour",
            growth,
            "MiB",
            f"< {TARGET_GROWTH_MIB:.0f} MiB",
            work,
            None,
            growth < TARGET_GROWTH_MIB,
        ),
        Figure("wall memory: JS heap peak", r["heap_max_mib"], "MiB", "", work),
        Figure(
            "wall memory: DOM nodes last / first",
            r["nodes_last"] / max(r["nodes_first"], 1),
            "×",
            "",
            f"{r['nodes_first']:.0f} → {r['nodes_last']:.0f} nodes",
        ),
        Figure(
            "wall memory: event listeners last / first",
            r["listeners_last"] / max(r["listeners_first"], 1),
            "×",
            "",
            f"{r['listeners_first']:.0f} → {r['listeners_last']:.0f}",
        ),
    ]


if __name__ == "__main__":
    print(json.dumps(child(Path(sys.argv[1]), sys.argv[2] == "quick")))
