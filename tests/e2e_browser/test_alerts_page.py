"""The alerts page in Chromium with 1,000 alerts held by the real alert pipeline: one page of 50
rows drawn, the next page, a filter from the URL, and a row's silence button (how fast is
measured by bench/alerts_page.py, the same set-up, not here)."""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from bench.alerts_page import alerts_app, served
from dashboards import ids
from store.client import Store
from tests.conftest import require_peer
from tests.e2e_browser.conftest import CHROME_FLAGS, wait_for

ROWS = "return [...document.querySelectorAll('tr.alert-row')].map(r => r.id)"
NOW = datetime(2030, 10, 1, 12, tzinfo=UTC)


@contextlib.contextmanager
def chromium() -> Iterator[Any]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    require_peer("chromium")
    require_peer("chromedriver")
    options = webdriver.ChromeOptions()
    for flag in (*CHROME_FLAGS, f"--user-data-dir={tempfile.mkdtemp(prefix='vigie-chrome-')}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    browser = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    try:
        yield browser
    finally:
        browser.quit()


def text(driver: Any, element_id: str) -> str:
    return str(driver.find_element("id", element_id).text)


def test_a_thousand_alerts_show_as_pages_of_fifty_rows(store: Store) -> None:
    app, count = alerts_app(store, NOW)
    assert count == 1000
    with served(app) as url, chromium() as driver:
        driver.get(url + "/alerts")
        first = wait_for(lambda: (r := driver.execute_script(ROWS)) and len(r) == 50 and r, "rows")
        assert text(driver, ids.ALERTS_COUNT) == "50 alertes affichées sur 1\u202f000 (page 1 / 20)"
        groups = driver.find_elements("css selector", f"#{ids.GROUPS} th[scope=rowgroup]")
        assert groups and " · astreinte · " in groups[0].text  # pages first
        driver.find_element("id", ids.ALERTS_NEXT).click()
        wait_for(lambda: "(page 2 / 20)" in text(driver, ids.ALERTS_COUNT), "the second page")
        second = wait_for(lambda: (r := driver.execute_script(ROWS)) != first and r, "page 2")
        assert len(second) == 50 and not set(second) & set(first)

        samu = "fr.health.samu013"
        driver.get(url + f"/alerts?samu={samu}")
        wait_for(lambda: text(driver, ids.ALERTS_COUNT).startswith("10 "), "one SAMU's alerts")
        rows = driver.find_elements("css selector", "tr.alert-row")
        links = [r.find_element("css selector", "a").get_attribute("href") for r in rows]
        assert len(rows) == 10 and all(href.endswith(f"/samu/{samu}") for href in links)

        row_id = rows[0].get_attribute("id")
        rows[0].find_element("xpath", ".//button[contains(@id, 'silence-row')]").click()
        wait_for(
            lambda: "silenced" in (driver.find_element("id", row_id).get_attribute("class") or ""),
            "the row silenced",
        )
        assert text(driver, ids.ALERTS_MESSAGE)
        driver.find_element("css selector", f"#{ids.GROUPS} a").click()  # within the app
        wait_for(lambda: driver.current_url.endswith(f"/samu/{samu}"), "the SAMU page")
        assert driver.execute_script("return performance.getEntriesByType('navigation').length")
        assert [e for e in driver.get_log("browser") if e["level"] == "SEVERE"] == []
