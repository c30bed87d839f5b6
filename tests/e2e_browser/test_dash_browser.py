"""The NOC UI in headless Chromium against a real `vigie up --simulate`."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlsplit

import pytest

from dashboards import ids
from dashboards.theme import contrast, rgb_to_hex
from tests.e2e_browser.conftest import requested_urls, screenshot, wait_for
from tests.fixtures.platform import PlatformProcess

pytestmark = pytest.mark.peer

TILES = "return [...document.querySelectorAll('#{id} a.tile')].map(a => a.title)"
GEO_POINTS = (
    "return document.querySelector('#samu-map-geo .js-plotly-plot').data"
    ".reduce((n, trace) => n + trace.x.length, 0)"
)
# Tag and id of every element of the wall outside the plotly graphs (whose SVG plotly redraws),
# with its depth: equal before and after a refresh when only data changed (classes carry states).
FINGERPRINT = """
const out = [];
const walk = (el, depth) => {
  if (el.classList && el.classList.contains('js-plotly-plot')) {
    out.push(depth + ':graph');
    return;
  }
  out.push(depth + ':' + el.tagName + '#' + (el.id || ''));
  for (const child of el.children) walk(child, depth + 1);
};
walk(document.getElementById('wall'), 0);
return out.join('|');
"""
TEXT_SIZES = """
const sizes = [];
for (const el of document.querySelectorAll('#wall *')) {
  if (el.closest('svg') || el.closest('.js-plotly-plot')) continue;
  const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
  if (own && el.offsetParent !== null) {
    sizes.push([el.tagName, parseFloat(getComputedStyle(el).fontSize)]);
  }
}
return sizes;
"""
BADGE_COLOURS = """
return [...document.querySelectorAll('#wall .badge')].map(b => [
  getComputedStyle(b).color, getComputedStyle(b).backgroundColor, b.textContent]);
"""


def by_id(driver: Any, element_id: str) -> Any:
    from selenium.webdriver.common.by import By

    return driver.find_element(By.ID, element_id)


def local_only(platform: PlatformProcess, urls: list[str]) -> list[str]:
    """The requested URLs that went anywhere but this instance (data: and blob: are local)."""
    here = urlsplit(platform.url).netloc
    return [
        u
        for u in urls
        if urlsplit(u).scheme in ("http", "https", "ws", "wss") and urlsplit(u).netloc != here
    ]


def severe(driver: Any) -> list[dict[str, Any]]:
    return [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]


def test_the_national_page_shows_the_simulated_fleet_offline_without_errors(
    platform: PlatformProcess, driver: Any
) -> None:
    requested_urls(driver)  # drain the log
    driver.get(platform.url + "/")
    wait_for(lambda: len(driver.execute_script(TILES.format(id=ids.MAP))) == 100, "the 100 tiles")
    reporting = wait_for(
        lambda: [
            t for t in driver.execute_script(TILES.format(id=ids.MAP)) if "Pas de données" not in t
        ],
        "SAMU with data on the map",
    )
    assert len(reporting) >= 8
    rows = driver.find_elements("css selector", f"#{ids.RISK_BODY} tr")
    assert len(rows) == 25
    by_id(driver, ids.RISK_MORE).click()
    wait_for(
        lambda: len(driver.find_elements("css selector", f"#{ids.RISK_BODY} tr")) == 100,
        "every SAMU in the risk table",
    )
    wait_for(lambda: by_id(driver, "kpi-calls").text.split("\n")[1] != "—", "calls per minute")
    assert driver.find_element("css selector", "html").get_attribute("lang") == "fr"
    screenshot(driver, "national")
    driver.find_element("css selector", f"#{ids.MAP_KIND} input[value=geo]").click()
    wait_for(lambda: driver.execute_script(GEO_POINTS) == 100, "the geographic map")
    time.sleep(0.5)  # let plotly finish drawing before the screenshot
    screenshot(driver, "national-geo")
    assert severe(driver) == []
    assert local_only(platform, requested_urls(driver)) == []


def test_clicking_a_samu_tile_opens_its_page(platform: PlatformProcess, driver: Any) -> None:
    driver.get(platform.url + "/")
    tile = wait_for(
        lambda: driver.find_elements("css selector", f"#{ids.MAP} a[href$='samu075']"),
        "the Paris tile",
    )[0]
    tile.click()
    wait_for(lambda: driver.current_url.endswith("/samu/fr.health.samu075"), "the SAMU URL")
    wait_for(lambda: "SAMU 75" in by_id(driver, ids.SAMU_HEAD).text, "the SAMU page")
    wait_for(
        lambda: driver.execute_script(
            f"return document.querySelector('#{ids.SAMU_CALLS} .js-plotly-plot').data.length"
        ),
        "the calls figure",
    )
    time.sleep(0.5)
    screenshot(driver, "samu")
    assert severe(driver) == []


def test_ack_from_the_alerts_page_changes_the_incident_state(
    platform: PlatformProcess, driver: Any
) -> None:
    labels = {"alertname": "UiAckTest", "severity": "page", "samu": "fr.health.samu013"}
    with platform.client() as api:
        assert api.post("/api/v2/alerts", json=[{"labels": labels}]).status_code == 200
        incident = wait_for(
            lambda: [
                i for i in api.get("/api/v1/incidents").json() if i["alertname"] == "UiAckTest"
            ],
            "the incident",
        )[0]
        driver.get(platform.url + "/alerts")
        button = wait_for(
            lambda: driver.find_elements(
                "xpath", f"//button[contains(@id, '{incident['id']}|ack')]"
            ),
            "the ack button",
        )[0]
        button.click()
        wait_for(
            lambda: (
                api.get(f"/api/v1/incidents/{incident['id']}").json()["state"] == "acknowledged"
            ),
            "the acknowledgement",
        )
    state = f"incident-state-{incident['id']}"
    wait_for(lambda: "pris en compte" in by_id(driver, state).text, "the new state on the page")
    assert "pris en compte" in by_id(driver, ids.ALERTS_MESSAGE).text
    screenshot(driver, "alerts")
    assert severe(driver) == []


def test_the_wall_refreshes_in_place_with_large_text_and_contrasted_states(
    platform: PlatformProcess, driver: Any
) -> None:
    driver.get(platform.url + "/wall?refresh=2")
    counter = lambda: int(by_id(driver, ids.WALL_COUNTER).text)  # noqa: E731
    wait_for(lambda: counter() >= 1, "a first refresh")
    driver.execute_script("window.vigieMarker = 'no reload'; window.scrollTo(0, 40);")
    before = (driver.execute_script(FINGERPRINT), driver.execute_script("return scrollY"))
    start = counter()
    wait_for(lambda: counter() >= start + 2, "two more refreshes")
    after = (driver.execute_script(FINGERPRINT), driver.execute_script("return scrollY"))
    assert after == before
    assert driver.execute_script("return window.vigieMarker") == "no reload"
    assert driver.execute_script("return [innerWidth, innerHeight]") == [1920, 1080]
    sizes = driver.execute_script(TEXT_SIZES)
    assert sizes and min(size for _, size in sizes) >= 24, sizes
    badges = driver.execute_script(BADGE_COLOURS)
    assert badges
    for fg, bg, text in badges:
        assert contrast(rgb_to_hex(fg), rgb_to_hex(bg)) >= 4.5, text
    page_bg = driver.execute_script(
        f"return getComputedStyle(document.getElementById('{ids.ROOT}')).backgroundColor"
    )
    for _, bg, text in badges:
        assert contrast(rgb_to_hex(bg), rgb_to_hex(page_bg)) >= 4.5, text
    assert not by_id(driver, ids.HEADER).is_displayed()  # no controls on the wall
    screenshot(driver, "wall")
    assert severe(driver) == []


def test_keyboard_and_language_basics(platform: PlatformProcess, driver: Any) -> None:
    from selenium.webdriver.common.keys import Keys

    driver.get(platform.url + "/alerts")
    wait_for(lambda: by_id(driver, ids.GROUPS), "the alerts page")
    driver.find_element("css selector", "body").send_keys(Keys.TAB)
    active = driver.switch_to.active_element
    assert active.get_attribute("id") == ids.SKIP_LINK and active.is_displayed()
    assert (
        driver.execute_script("return getComputedStyle(document.activeElement).outlineStyle")
        != "none"
    )
    by_id(driver, ids.LANG_BUTTON).click()
    wait_for(
        lambda: driver.find_element("css selector", "html").get_attribute("lang") == "en",
        "the English switch",
    )
    wait_for(lambda: driver.find_element("css selector", "h1").text == "Alerts", "English text")
    by_id(driver, ids.LANG_BUTTON).click()
    wait_for(
        lambda: driver.find_element("css selector", "html").get_attribute("lang") == "fr",
        "back to French",
    )
    assert severe(driver) == []


def wall_text(driver: Any, element_id: str) -> str:
    return str(driver.execute_script(f"return document.getElementById('{element_id}').textContent"))


def test_the_wall_rotates_its_pages_on_an_injected_clock(
    platform: PlatformProcess, driver: Any
) -> None:
    driver.get(platform.url + "/wall?refresh=2&rotate=60&pages=national,trouble,alerts")
    wait_for(lambda: int(by_id(driver, ids.WALL_COUNTER).text) >= 1, "a first refresh")
    driver.execute_script("window.vigieT = 0; window.vigieClock = () => window.vigieT;")
    wait_for(lambda: wall_text(driver, ids.WALL_PAGE) == "Page 1 / 3", "the first page")
    wait_for(lambda: wall_text(driver, ids.WALL_FOCUS_TITLE) == "SAMU par état", "the summary")
    driver.execute_script("window.vigieT = 60000;")  # one rotation period later
    wait_for(lambda: wall_text(driver, ids.WALL_PAGE) == "Page 2 / 3", "the second page")
    driver.execute_script("window.vigieT = 120000;")
    wait_for(lambda: wall_text(driver, ids.WALL_PAGE) == "Page 3 / 3", "the third page")
    wait_for(
        lambda: wall_text(driver, ids.WALL_FOCUS_TITLE) == "Alertes d'astreinte et tickets",
        "the alerts page of the wall",
    )
    driver.execute_script("window.vigieT = 180000;")
    wait_for(lambda: wall_text(driver, ids.WALL_PAGE) == "Page 1 / 3", "round again")
    wait_for(lambda: wall_text(driver, ids.WALL_FOCUS_TITLE) == "SAMU par état", "the summary")
    assert driver.find_elements("css selector", f"#{ids.WALL_FOCUS} .focus-row").__len__() == 5
    assert severe(driver) == []


def test_the_wall_says_how_old_its_data_is_when_the_network_is_cut_and_recovers(
    platform: PlatformProcess, driver: Any
) -> None:
    driver.get(platform.url + "/wall?refresh=2")
    counter = lambda: int(by_id(driver, ids.WALL_COUNTER).text)  # noqa: E731
    wait_for(lambda: counter() >= 1, "a first refresh")
    assert wall_text(driver, ids.WALL_STALE) == ""
    offline = {"latency": 0, "downloadThroughput": -1, "uploadThroughput": -1}
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd("Network.emulateNetworkConditions", {"offline": True, **offline})
    try:
        stale = wait_for(
            lambda: (
                wall_text(driver, ids.WALL_STALE).startswith("données du ")
                and wall_text(driver, ids.WALL_STALE)
            ),
            "the stale banner",
        )
        assert len(stale) == len("données du 14:05")
        shown = counter()
    finally:
        driver.execute_cdp_cmd("Network.emulateNetworkConditions", {"offline": False, **offline})
    wait_for(lambda: counter() > shown, "updates again after the cut")
    wait_for(lambda: wall_text(driver, ids.WALL_STALE) == "", "the banner gone")
    driver.get_log("browser")  # the failed requests of the cut were logged, as they should
