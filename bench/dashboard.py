"""Benchmark: the national view for 100 SAMU over a month of history, on the server and in the
browser.

A month of per-minute history is written straight into `minute_counts`/`minute_ingest` by
ClickHouse (the same deterministic fill as bench/report.py; the SLO rollups fill themselves),
the real SLO engine ticks once over it (its statuses are what the UI shows), then:
- server: the national view's Dash callback (KPIs, tile map, risk table, entraide, JSON
  encoding) is called through Flask's test client as the browser calls it; median of warm runs;
- browser: the app is served on a local port and headless Chromium loads `/` until the map
  shows its 100 tiles and the risk table its first rows (first meaningful paint), from navigation
  start; median of 3 fresh loads.
It runs in a child process: chdb allows one data directory per process.
"""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.figure import Figure
from bench.report import _FILL, _INGEST
from dashboards.pages.national import RISK_ROWS

NOTES = (
    "dashboard: national view (KPIs, tile map, risk table, entraide) for all SAMU over a month "
    "of per-minute history and a real SLO engine tick; server = Dash callback through the Flask "
    "test client (median of warm runs); browser = headless Chromium, navigation start to 100 "
    "tiles and the risk table drawn (median of 3 loads)."
)
TARGET_SERVER_MS = 300.0
TARGET_PAINT_MS = 2000.0
ADMIN = {"X-Vigie-User": "bench", "X-Vigie-Roles": "admin", "X-Vigie-Samu-Scope": "*"}
PAINTED = """return document.querySelectorAll('#samu-map a.tile').length >= arguments[0]
  && document.querySelectorAll('#risk-body tr').length >= arguments[1]
  ? performance.now() : null;"""


def _payload() -> dict[str, Any]:
    from dashboards import ids

    outputs = [
        (ids.KPIS, "children"),
        (ids.MAP, "children"),
        (ids.RISK_BODY, "children"),
        (ids.ENTRAIDE, "children"),
        (ids.RISK_MORE, "children"),
    ]
    return {
        "output": ".." + "...".join(f"{i}.{p}" for i, p in outputs) + "..",
        "outputs": [{"id": i, "property": p} for i, p in outputs],
        "inputs": [
            {"id": ids.NATIONAL_TICK, "property": "n_intervals", "value": None},
            {"id": ids.MAP_KIND, "property": "value", "value": "tiles"},
            {"id": ids.RISK_SORT, "property": "data", "value": {"col": "risk", "desc": False}},
        ],
        "state": [{"id": ids.LANG, "property": "data", "value": "fr"}],
        "changedPropIds": [f"{ids.NATIONAL_TICK}.n_intervals"],
    }


def _paint_ms(url: str, samu: int, loads: int) -> list[float]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1920,1080",
        f"--user-data-dir={tempfile.mkdtemp(prefix='vigie-bench-chrome-')}",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    out = []
    try:
        for _ in range(loads + 1):  # the first load warms the browser's caches: not counted
            driver.get("about:blank")
            driver.get(url)
            deadline = time.monotonic() + 30
            painted = None
            while painted is None and time.monotonic() < deadline:
                painted = driver.execute_script(PAINTED, samu, RISK_ROWS)
                time.sleep(0.02)
            out.append(float(painted) if painted is not None else float("nan"))
    finally:
        driver.quit()
    return out[1:]


def child(workdir: Path, quick: bool) -> dict[str, Any]:
    """Build the month, tick the engine, time the callback and the paint (this process)."""
    from werkzeug.serving import make_server

    from collector.conventions import COMPONENTS, METRICS, SAMU_ID_PATTERN
    from dashboards.app import create_ui, platform_services
    from slo.catalogue import catalogue_from
    from slo.engine import Engine
    from slo.loader import load_policy, load_specs
    from store.client import open_store
    from store.clock import FakeClock
    from store.migrations import migrate
    from store.registry import load_registry
    from vigie.defaults import SLO_DIR
    from vigie.schema import all_migrations

    store = open_store(f"chdb://{workdir / 'clickhouse'}", "bench")
    migrate(store, migrations=all_migrations())
    registry = load_registry()
    ids = [s.id for s in registry][: 10 if quick else None]
    end = datetime(2030, 10, 1, tzinfo=UTC)
    start = end - timedelta(days=2 if quick else 30)
    began = time.monotonic()
    rows = int((end - start).total_seconds() // 60) * len(ids)
    params = {"start": start, "samus": len(ids), "ids": ids, "rows": rows}
    store.command(_FILL, params)
    store.command(_INGEST, params)
    built_s = time.monotonic() - began
    clock = FakeClock(end)
    policy = load_policy()
    specs = load_specs(SLO_DIR, catalogue_from(METRICS, COMPONENTS, SAMU_ID_PATTERN), policy)
    engine = Engine(store, specs, policy, registry, clock, write_snapshots=False)
    began = time.monotonic()
    engine.tick()
    tick_s = time.monotonic() - began
    app = create_ui(platform_services(store, registry, clock, engine=engine))
    client = app.server.test_client()
    timings = []
    for _ in range(3 if quick else 12):
        began = time.perf_counter()
        answer = client.post("/_dash-update-component", json=_payload(), headers=ADMIN)
        timings.append((time.perf_counter() - began) * 1000)
        assert answer.status_code == 200, answer.data[-3000:]
    size = len(answer.data)

    def with_admin(environ: dict[str, Any], start_response: Any) -> Any:
        environ.update({f"HTTP_{k.upper().replace('-', '_')}": v for k, v in ADMIN.items()})
        return app.server(environ, start_response)

    paint: list[float] = []
    if shutil.which("chromedriver"):
        server = make_server("127.0.0.1", 0, with_admin, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            paint = _paint_ms(f"http://127.0.0.1:{server.server_port}/", len(registry), 3)
        finally:
            server.shutdown()
    return {
        "samu": len(ids),
        "minute_rows": rows,
        "built_s": built_s,
        "tick_s": tick_s,
        "first_ms": timings[0],
        "server_ms": statistics.median(timings[1:]),
        "response_bytes": size,
        "paint_ms": statistics.median(paint) if paint else None,
    }


def run(quick: bool = False) -> list[Figure]:
    """Run the dashboard benchmark in a child process (quick: 10 SAMU with history, 2 days)."""
    with tempfile.TemporaryDirectory(prefix="vigie-bench-dash-") as tmp:
        command = [sys.executable, "-m", "bench.dashboard", tmp, "quick" if quick else "full"]
        out = subprocess.run(command, capture_output=True, check=True, text=True)
    r = json.loads(out.stdout.strip().splitlines()[-1])
    history = f"{r['samu']} SAMU with history, {r['minute_rows']:,} SAMU-minutes"
    paint = float("nan") if r["paint_ms"] is None else r["paint_ms"]
    return [
        Figure(
            "dashboard: national view, server (warm)",
            r["server_ms"],
            "ms",
            f"< {TARGET_SERVER_MS:.0f} ms",
            history,
            None,
            r["server_ms"] < TARGET_SERVER_MS,
        ),
        Figure(
            "dashboard: first meaningful paint (Chromium)",
            paint,
            "ms",
            f"< {TARGET_PAINT_MS:.0f} ms",
            history,
            None,
            None if r["paint_ms"] is None else paint < TARGET_PAINT_MS,
        ),
        Figure("dashboard: national view, server (first call)", r["first_ms"], "ms", "", history),
        Figure("dashboard: response size", r["response_bytes"] / 1024, "KiB", "", history),
        Figure("dashboard: SLO engine tick (context)", r["tick_s"], "s", "", history),
    ]


if __name__ == "__main__":
    print(json.dumps(child(Path(sys.argv[1]), sys.argv[2] == "quick")))
