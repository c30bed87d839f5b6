"""Benchmark: the alerts page with 1,000 alerts held, on the server and in the browser.

The real alert pipeline (the shipped `vigie/defaults/alertmanager.yml` and `oncall.yaml`, a chdb
store) holds 1,000 firing alerts over 100 SAMU (pages and tickets, each routed to one or more
receivers; one in ten silenced). Then:
- server: the alerts page's Dash refresh callback (one row per alert, grouped, sorted, filtered,
  first page of 50 rows, JSON encoding) through Flask's test client; median of warm runs;
- browser: headless Chromium loads `/alerts` until the table shows its rows, from navigation
  start; median of 3 fresh loads.
Runs in a child process (chdb allows one data directory per process).
"""

from __future__ import annotations

import contextlib
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.dashboard import ADMIN
from bench.figure import Figure

NOTES = (
    "alerts page: 1,000 firing alerts (100 SAMU × 10, pages and tickets, 1 in 10 silenced) in the "
    "real alert pipeline with the shipped routing; server = the page's Dash callback (rows, "
    "groups, filters, first page of 50) through the Flask test client (median of warm runs); "
    "browser = headless Chromium, navigation start to the table drawn (median of 3 loads; the "
    "browser draws the rows from their JSON, see docs/ui.md)."
)
PREFIXES = ("alerts page",)  # the rows `bench.run_all --only bench.alerts_page` replaces
ALERTS = 1000
TARGET_MS = 1000.0
DRAWN = """return document.querySelectorAll('tr.alert-row').length >= arguments[0]
  ? performance.now() : null;"""
FILTERS = ("samu", "slo", "severity", "state", "silenced")


def payload() -> dict[str, Any]:
    """The request the browser makes for the alerts page's refresh callback."""
    from dashboards import ids

    outputs = [
        (ids.ALERTS_ROWS, "data"),
        (ids.ALERTS_COUNT, "children"),
        (ids.SILENCES, "children"),
        (ids.ONCALL, "children"),
        (ids.ALERTS_PAGE, "data"),
        *((f"{ids.ALERTS_FILTER}-{n}", "options") for n in FILTERS),
    ]
    inputs = [
        (ids.ALERTS_TICK, "n_intervals", None),
        (ids.ALERTS_VERSION, "data", 0),
        (ids.ALERTS_SORT, "value", "urgency"),
        (ids.ALERTS_PREV, "n_clicks", None),
        (ids.ALERTS_NEXT, "n_clicks", None),
        *((f"{ids.ALERTS_FILTER}-{n}", "value", "") for n in FILTERS),
    ]
    return {
        "output": ".." + "...".join(f"{i}.{p}" for i, p in outputs) + "..",
        "outputs": [{"id": i, "property": p} for i, p in outputs],
        "inputs": [{"id": i, "property": p, "value": v} for i, p, v in inputs],
        "state": [
            {"id": ids.ALERTS_PAGE, "property": "data", "value": 0},
            {"id": ids.LANG, "property": "data", "value": "fr"},
        ],
        "changedPropIds": [f"{ids.ALERTS_TICK}.n_intervals"],
    }


def _drawn_ms(url: str, rows: int, loads: int) -> list[float]:
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
    out = []
    try:
        for _ in range(loads + 1):  # the first load warms the browser's caches: not counted
            driver.get("about:blank")
            driver.get(url)
            deadline = time.monotonic() + 60
            drawn = None
            while drawn is None and time.monotonic() < deadline:
                drawn = driver.execute_script(DRAWN, rows)
                time.sleep(0.02)
            out.append(float(drawn) if drawn is not None else float("nan"))
    finally:
        driver.quit()
    return out[1:]


def held(now: datetime) -> list[Any]:
    """1,000 alerts over the registry's SAMU, as the engine and guards would raise them."""
    from alerts.model import Alert
    from store.registry import load_registry

    names = [
        ("SLOBurnRate", "page", "s1-call-setup"),
        ("SLOBurnRate", "ticket", "s2-setup-latency"),
        ("ProbeFailing", "page", "s3-reachability"),
        ("HeartbeatLost", "page", ""),
        ("TrafficCollapse", "page", "s4-traffic-plausibility"),
        ("SLOBudgetExhausted", "ticket", "s1-call-setup"),
        ("SLOBudgetForecast", "ticket", "s2-setup-latency"),
        ("TelemetryNoData", "ticket", "o1-telemetry-freshness"),
        ("SLOBurnRate", "ticket", "s3-reachability"),
        ("SLOBurnRate", "page", "o1-telemetry-freshness"),
    ]
    out = []
    for n, samu in enumerate(load_registry()):
        for k, (name, severity, slo) in enumerate(names):
            labels = {"alertname": name, "severity": severity, "samu": samu.id}
            labels["region"] = samu.region
            if slo:
                labels["slo"] = slo
            out.append(Alert(labels, now - timedelta(minutes=n + k), None, {"summary": "x"}))
    return out[:ALERTS]


def alerts_app(store: Any, now: datetime) -> tuple[Any, int]:
    """The UI over the real alert pipeline holding `held(now)` (one SAMU in ten silenced), on a
    migrated `store`: (Dash app, alerts held)."""
    from alerts.config import load_config
    from alerts.matchers import Matcher, MatchType
    from alerts.notify import RecordingContactSender, RecordingSink
    from alerts.oncall.config import load_oncall
    from alerts.oncall.service import OnCallService
    from alerts.service import AlertingService
    from alerts.silence import Silence
    from dashboards.app import create_ui, platform_services
    from store.clock import FakeClock
    from store.registry import load_registry
    from vigie import defaults

    registry = load_registry()
    clock = FakeClock(now)
    oncall_config = load_oncall(defaults.ONCALL, registry)
    config = load_config(defaults.ALERTING, escalation_policies=oncall_config.policies)
    oncall = OnCallService(store, clock, oncall_config, RecordingContactSender())
    service = AlertingService(store, config, RecordingSink(), clock, watchdog_interval=None)
    alerts = held(now)
    service.put(alerts)
    for samu in list(registry)[::10]:  # one SAMU in ten silenced
        matcher = (Matcher(MatchType.EQUAL, "samu", samu.id),)
        silence = Silence("", matcher, now, now + timedelta(hours=2), "bench", "travaux")
        service.silences.upsert(silence, actor="bench", source="bench")
    app = create_ui(platform_services(store, registry, clock, alerting=service, oncall=oncall))
    return app, len(alerts)


@contextlib.contextmanager
def served(app: Any) -> Iterator[str]:
    """The app on a local port (in a thread), every request as an admin: its base URL."""
    from werkzeug.serving import make_server

    def with_admin(environ: dict[str, Any], start_response: Any) -> Any:
        environ.update({f"HTTP_{k.upper().replace('-', '_')}": v for k, v in ADMIN.items()})
        return app.server(environ, start_response)

    server = make_server("127.0.0.1", 0, with_admin, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()


def child(workdir: Path, quick: bool) -> dict[str, Any]:
    """Hold the alerts, time the callback and the browser (this process)."""
    from store.client import open_store
    from store.migrations import migrate
    from vigie.schema import all_migrations

    store = open_store(f"chdb://{workdir / 'clickhouse'}", "bench")
    migrate(store, migrations=all_migrations())
    app, count = alerts_app(store, datetime(2030, 10, 1, 12, tzinfo=UTC))
    client = app.server.test_client()
    timings = []
    for _ in range(3 if quick else 10):
        began = time.perf_counter()
        answer = client.post("/_dash-update-component", json=payload(), headers=ADMIN)
        timings.append((time.perf_counter() - began) * 1000)
        assert answer.status_code == 200, answer.data[-3000:]
    text = answer.data.decode()
    drawn: list[float] = []
    if shutil.which("chromedriver") and not quick:
        with served(app) as url:
            drawn = _drawn_ms(f"{url}/alerts", 50, 3)
    return {
        "alerts": count,
        "rows_in_page": text.count("alert-row"),
        "first_ms": timings[0],
        "server_ms": statistics.median(timings[1:]),
        "response_bytes": len(answer.data),
        "drawn_ms": statistics.median(drawn) if drawn else None,
    }


def run(quick: bool = False) -> list[Figure]:
    """Run the alerts-page benchmark in a child process."""
    with tempfile.TemporaryDirectory(prefix="vigie-bench-alerts-") as tmp:
        command = [sys.executable, "-m", "bench.alerts_page", tmp, "quick" if quick else "full"]
        out = subprocess.run(command, capture_output=True, check=True, text=True)
    r = json.loads(out.stdout.strip().splitlines()[-1])
    held_text = f"{r['alerts']:,} alerts held, {r['rows_in_page']} rows drawn"
    drawn = float("nan") if r["drawn_ms"] is None else r["drawn_ms"]
    return [
        Figure(
            "alerts page: server (warm)",
            r["server_ms"],
            "ms",
            f"< {TARGET_MS:.0f} ms",
            held_text,
            None,
            r["server_ms"] < TARGET_MS,
        ),
        Figure(
            "alerts page: loaded in Chromium",
            drawn,
            "ms",
            f"< {TARGET_MS:.0f} ms",
            held_text,
            None,
            None if r["drawn_ms"] is None else drawn < TARGET_MS,
        ),
        Figure("alerts page: server (first call)", r["first_ms"], "ms", "", held_text),
        Figure("alerts page: response size", r["response_bytes"] / 1024, "KiB", "", held_text),
    ]


if __name__ == "__main__":
    print(json.dumps(child(Path(sys.argv[1]), sys.argv[2] == "quick")))
