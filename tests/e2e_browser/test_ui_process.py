"""`vigie ui` as its own process: it shows the alert and incident state the engine left in the
store, the same as `vigie up` showed; and a wall left open across the restart says its data is
stale while the server is down, then recovers by itself.

CI has no ClickHouse server, and the embedded store allows one process per directory, so the
two processes take turns on one data directory and one port: `vigie up` (the engine) first,
then `vigie ui` alone. With a server DSN both run at once; the reading path is the same.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from dashboards import ids
from tests.conftest import require_peer
from tests.e2e_browser.conftest import screenshot, signed_in, wait_for
from tests.e2e_browser.test_dash_browser import severe, wall_text
from tests.fixtures.platform import PlatformProcess

pytestmark = pytest.mark.peer
PAGE = {"alertname": "UiProcessTest", "severity": "page", "samu": "fr.health.samu069"}
TICKET = {"alertname": "UiProcessTicket", "severity": "ticket", "samu": "fr.health.samu033"}
ROWS = "return [...document.querySelectorAll('tr.alert-row')].map(r => r.innerText).sort()"


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PlatformProcess]:
    require_peer("chromium")
    require_peer("chromedriver")
    running = PlatformProcess(tmp_path_factory.mktemp("uiproc") / "data")
    running.start()
    try:
        yield running
    finally:
        if running.process is not None and running.process.poll() is None:
            running.stop()


def rows(driver: Any) -> list[str]:
    """Each alert row's text without its age (which moves on between the two processes)."""
    return [re.sub(r"depuis [^\n\t]*", "", r) for r in driver.execute_script(ROWS)]


def test_vigie_ui_in_its_own_process_shows_the_state_the_engine_left(
    engine: PlatformProcess,
) -> None:
    with engine.client() as api:
        posted = api.post("/api/v2/alerts", json=[{"labels": PAGE}, {"labels": TICKET}])
        assert posted.status_code == 200
        incident = wait_for(
            lambda: [
                i for i in api.get("/api/v1/incidents").json() if i["alertname"] == "UiProcessTest"
            ],
            "the incident",
        )[0]
        assert api.post(f"/api/v1/incidents/{incident['id']}/ack").status_code == 200
    with signed_in(engine.url, engine.data_dir) as driver:
        driver.get(engine.url + "/alerts")
        before = wait_for(
            lambda: len(rows(driver)) >= 2 and rows(driver), "the rows under vigie up"
        )
        driver.get(engine.url + "/wall?refresh=2")
        counter = lambda: int(by_id(driver, ids.WALL_COUNTER).text)  # noqa: E731
        wait_for(lambda: counter() >= 1, "the wall")
        engine.stop()  # the engine goes away: the wall keeps its data and says how old it is
        wait_for(
            lambda: wall_text(driver, ids.WALL_STALE).startswith("données du "), "the stale banner"
        )
        ui = PlatformProcess(engine.data_dir, http_port=engine.http_port, command="ui")
        ui.start()
        try:
            shown = counter()
            wait_for(lambda: counter() > shown, "the wall updating from vigie ui")
            wait_for(lambda: wall_text(driver, ids.WALL_STALE) == "", "the banner gone")
            driver.get(ui.url + "/alerts")
            after = wait_for(
                lambda: len(rows(driver)) >= 2 and rows(driver), "the rows under vigie ui"
            )
            assert after == before
            assert any("UiProcessTest" in r or "pris en compte" in r for r in after)
            assert any("pris en compte" in r for r in after)  # the ack the engine recorded
            driver.get(ui.url + "/")
            tile = wait_for(
                lambda: driver.find_elements("css selector", f"#{ids.MAP} a[href$='samu069']"),
                "Lyon's tile",
            )[0]
            assert "state-page" in tile.get_attribute("class")
            screenshot(driver, "ui-process")
            driver.get_log("browser")  # the wall's failed requests while no server ran
            assert severe(driver) == []
        finally:
            ui.stop()


def by_id(driver: Any, element_id: str) -> Any:
    return driver.find_element("id", element_id)
