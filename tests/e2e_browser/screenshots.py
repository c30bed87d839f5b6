"""`make screenshots`: the README's pictures, taken again from a real platform.

Starts `vigie up --simulate` with an hour of history (as the browser tests do), raises a few
alerts, and photographs in headless Chromium at 1920×1080 the national view, a SAMU page, the
alerts page and the wall; the migration waves page on a platform holding the days around a
migration night (tests/e2e_browser/waves_setup.py); then prints the first pages of the monthly
PDF report of a simulated month (tests/report_data.py) with pdftoppm. Everything lands in
docs/screenshots/.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from dashboards import ids
from tests.e2e_browser.conftest import signed_in, simulated_platform, wait_for
from tests.fixtures.platform import ROOT

OUT = ROOT / "docs" / "screenshots"
ALERTS = [
    {
        "alertname": "ProbeFailing",
        "severity": "page",
        "samu": "fr.health.samu013",
        "slo": "s3-reachability",
    },
    {
        "alertname": "SLOBurnRate",
        "severity": "ticket",
        "samu": "fr.health.samu069",
        "slo": "s2-setup-latency",
    },
    {
        "alertname": "TrafficCollapse",
        "severity": "page",
        "samu": "fr.health.samu971",
        "slo": "s4-traffic-plausibility",
    },
]


def shoot(driver: Any, name: str) -> None:
    time.sleep(1.0)  # let plotly finish drawing
    driver.save_screenshot(str(OUT / f"{name}.png"))
    print(f"docs/screenshots/{name}.png")


def browser_pictures(workdir: Path) -> None:
    running = simulated_platform(workdir / "data")
    try:
        with running.client() as api:
            assert (
                api.post("/api/v2/alerts", json=[{"labels": a} for a in ALERTS]).status_code == 200
            )
        with signed_in(running.url, running.data_dir) as driver:
            driver.get(running.url + "/")
            wait_for(
                lambda: len(driver.find_elements("css selector", f"#{ids.MAP} a.tile")) == 100,
                "the tiles",
            )
            wait_for(lambda: "state-page" in driver.page_source, "the paging SAMU")
            shoot(driver, "national")
            driver.get(running.url + "/samu/fr.health.samu013")
            wait_for(
                lambda: driver.execute_script(
                    f"return document.querySelector('#{ids.SAMU_PAIR} .js-plotly-plot')"
                    f" && document.querySelector('#{ids.SAMU_PAIR} .js-plotly-plot').data.length"
                ),
                "the SAMU page's charts",
            )
            shoot(driver, "samu")
            driver.get(running.url + "/alerts")
            wait_for(lambda: driver.find_elements("css selector", "tr.alert-row"), "alert rows")
            shoot(driver, "alerts")
            driver.get(running.url + "/wall")
            wait_for(lambda: int(driver.find_element("id", ids.WALL_COUNTER).text) >= 1, "wall")
            shoot(driver, "wall")
    finally:
        running.stop(timeout_s=15)


def waves_picture(workdir: Path) -> None:
    """The waves page of a wave whose days before and after are stored."""
    from datetime import UTC, datetime

    from tests.e2e_browser.waves_setup import DAYS, SAMU, WAVE_ID, plan_text
    from tests.fixtures.platform import PlatformProcess

    data_dir = workdir / "waves"
    subprocess.run(
        [sys.executable, "-m", "tests.e2e_browser.waves_setup", str(data_dir)], cwd=ROOT, check=True
    )
    running = PlatformProcess(data_dir)
    running.start()
    try:
        with running.client() as api:
            text = plan_text(datetime.now(UTC))
            answer = api.post("/api/v1/waves", params={"name": "plan.yaml"}, content=text)
            assert answer.status_code == 201, answer.text
        with signed_in(running.url, running.data_dir) as driver:
            driver.get(f"{running.url}/waves?wave={WAVE_ID}&days={DAYS}")
            wait_for(
                lambda: (
                    len(driver.find_elements("css selector", "#waves-rows tbody tr")) == len(SAMU)
                ),
                "the wave's rows",
                300,
            )
            shoot(driver, "waves")
    finally:
        running.stop(timeout_s=15)


def report_pictures(workdir: Path) -> None:
    """The PDF of a simulated month, first two pages as PNG."""
    from reports.render_pdf import render_pdf
    from store.client import open_store
    from store.migrations import migrate
    from store.registry import load_registry
    from tests.report_data import PERIOD, SIMULATED, report_of, simulate, store_month
    from vigie.schema import all_migrations

    store = open_store(f"chdb://{workdir / 'report'}", "shots")
    migrate(store, migrations=all_migrations())
    registry = load_registry()
    store_month(
        store, simulate([registry.require(i) for i in SIMULATED], PERIOD.start, PERIOD.end, [])
    )
    pdf = workdir / "report.pdf"
    pdf.write_bytes(render_pdf(report_of(store), 1, "fr"))
    store.close()
    subprocess.run(
        ["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "2", str(pdf), str(workdir / "page")],
        check=True,
    )
    for n, page in enumerate(sorted(workdir.glob("page-*.png")), start=1):
        target = OUT / f"report-{n}.png"
        target.write_bytes(page.read_bytes())
        print(f"docs/screenshots/{target.name}")


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="vigie-shots-") as tmp:
        browser_pictures(Path(tmp))
        waves_picture(Path(tmp))
        report_pictures(Path(tmp))
    return 0


if __name__ == "__main__":
    sys.exit(main())
