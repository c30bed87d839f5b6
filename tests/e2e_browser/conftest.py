"""A real `vigie up --simulate` with a little backfilled history, and a headless Chromium
signed in to it (chromedriver driven directly); screenshots go to test-artifacts/."""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import require_peer
from tests.fixtures.platform import ROOT, PlatformProcess

ARTIFACTS = ROOT / "test-artifacts" / "screenshots"
CHROME_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--window-size=1920,1080",
    "--disable-default-apps",
    "--disable-extensions",
    "--no-default-browser-check",
)
# SAMU given an hour of history (the live simulation runs every SAMU); Marseille's trunk
# half-fails for 20 minutes of it, so that the pages have something to show.
HISTORY = ("075", "013", "069", "033", "059", "029", "971", "974")
SCENARIO = "trunk:013@+20m/20m,fraction=0.5"


def wait_for(predicate: Callable[[], Any], what: str, timeout_s: float = 120.0) -> Any:
    """Poll until `predicate()` is truthy (waiting for other processes, not timing them)."""
    deadline = time.monotonic() + timeout_s
    last: Any = None
    while time.monotonic() < deadline:
        try:
            last = predicate()
        except Exception as exc:  # the page may be mid-render
            last = exc
        if last and not isinstance(last, Exception):
            return last
        time.sleep(0.25)
    raise AssertionError(f"timed out waiting for {what} (last: {last!r})")


def simulated_platform(data_dir: Path) -> PlatformProcess:
    """`vigie up --simulate` (engine every 2 s) with an hour of history for a few SAMU; the
    caller stops it."""
    running = PlatformProcess(
        data_dir, extra_args=("--simulate",), env={"VIGIE_ENGINE_INTERVAL_S": "2"}
    )
    running.start()
    try:
        with running.client() as api:  # the collector wants an agent token bound to the SAMU
            made = api.post(
                "/api/v1/agents",
                json={
                    "samu_ids": [f"fr.health.samu{s}" for s in HISTORY],
                    "label": "ui e2e backfill",
                },
            )
        assert made.status_code == 201, made.text
        backfill = subprocess.run(
            [
                sys.executable,
                "-m",
                "vigie.cli",
                "simulate",
                "backfill",
                "--endpoint",
                running.otlp_url,
                "--days",
                "0.05",
                "--scenario",
                SCENARIO,
                *(f"--samu=fr.health.samu{s}" for s in HISTORY),
                f"--token={made.json()['token']}",
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert backfill.returncode == 0, backfill.stderr[-2000:]
    except BaseException:
        running.stop(timeout_s=15)
        raise
    return running


@pytest.fixture(scope="package")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PlatformProcess]:
    """The simulated platform the browser tests share."""
    require_peer("chromium")
    require_peer("chromedriver")
    running = simulated_platform(tmp_path_factory.mktemp("ui") / "data")
    try:
        yield running
    finally:
        running.stop(timeout_s=15)  # the simulation's exporters may be slow to give up


@contextlib.contextmanager
def signed_in(url: str, data_dir: Path) -> Iterator[Any]:
    """Headless Chromium signed in as the first admin of an instance; browser and performance
    logs enabled."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By

    options = webdriver.ChromeOptions()
    for flag in (*CHROME_FLAGS, f"--user-data-dir={tempfile.mkdtemp(prefix='vigie-chrome-')}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    browser = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": 1920, "height": 1080, "deviceScaleFactor": 1, "mobile": False},
    )
    try:
        password = (data_dir / "admin.password").read_text().strip()
        browser.get(f"{url}/api/v1/auth/login")
        browser.find_element(By.ID, "name").send_keys("admin")
        browser.find_element(By.ID, "password").send_keys(password)
        browser.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        wait_for(lambda: browser.find_elements(By.ID, "content"), "the UI after login")
        browser.get_log("browser")  # the login page is not ours: start the checks after it
        yield browser
    finally:
        browser.quit()


@pytest.fixture(scope="package")
def driver(platform: PlatformProcess) -> Iterator[Any]:
    """Chromium signed in to the simulated platform as its first admin."""
    with signed_in(platform.url, platform.data_dir) as browser:
        yield browser


def screenshot(driver: Any, name: str) -> Path:
    """Save a screenshot under test-artifacts/screenshots/."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    driver.save_screenshot(str(path))
    return path


def requested_urls(driver: Any) -> list[str]:
    """Every URL the browser requested since the last call (CDP Network events)."""
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls
