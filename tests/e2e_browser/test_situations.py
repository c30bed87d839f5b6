"""Each situation of the national view, in Chromium: healthy, paging, ticket, maintenance, no data,
Vigie ingest gap and a SAMU in entraide (and the minutes a slice SLO did not judge), drawn from
crafted SLO statuses and alerts (the situation of tests/test_dash_texts.py) by the real Dash app
served on a local port. The colour (CSS class and computed background), the icon and words of
each tile and the reason in its tooltip come from the same view model, and the page says so in
French."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from dashboards import ids
from dashboards.app import create_ui
from dashboards.theme import LIGHT, rgb_to_hex
from store.client import Store
from tests.conftest import require_peer
from tests.dash_factory import LYON_ID, NOW, PARIS_ID
from tests.e2e_browser.conftest import CHROME_FLAGS, screenshot, wait_for
from tests.test_dash_texts import situation

pytestmark = pytest.mark.peer
ADMIN = {"X-Vigie-User": "e2e", "X-Vigie-Roles": "admin", "X-Vigie-Samu-Scope": "*"}
TILES = """return [...document.querySelectorAll('#samu-map a.tile')].map(a => [
  a.getAttribute('href').split('/').pop(), a.className, a.textContent, a.title,
  getComputedStyle(a).backgroundColor])"""
# SAMU id → (state, words of the state, a piece of the reason)
EXPECTED = {
    PARIS_ID: ("page", "Alerte d'astreinte", "combustion"),
    LYON_ID: ("ticket", "Ticket ouvert", "S2 · délai d'établissement"),
    "fr.health.samu033": ("maintenance", "En maintenance", "Maintenance planifiée : Migration"),
    "fr.health.samu029": ("gap", "Trou de collecte Vigie", "exclues du budget"),
    "fr.health.samu001": ("no_data", "Pas de données", "Aucune donnée reçue"),
    "fr.health.samu059": ("ok", "Normal", "Objectifs tenus"),
}


@pytest.fixture
def served(store: Store) -> Iterator[str]:
    """The UI over the crafted situation, on a local port, as an admin."""
    require_peer("chromium")
    require_peer("chromedriver")
    from werkzeug.serving import make_server

    # Marseille overflows calls to its backup, Avignon (entraide, direction out).
    store.insert(
        "slo_minute_counts",
        [
            (
                NOW - timedelta(minutes=3),
                "fr.health.samu013",
                "samu.entraide.transfers",
                "",
                "out",
                float("inf"),
                7.0,
            )
        ],
        ["minute", "samu_id", "metric", "component", "outcome", "le", "value"],
    )
    app = create_ui(situation(store))

    def with_admin(environ: dict[str, Any], start_response: Any) -> Any:
        environ.update({f"HTTP_{k.upper().replace('-', '_')}": v for k, v in ADMIN.items()})
        return app.server(environ, start_response)

    server = make_server("127.0.0.1", 0, with_admin, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()


def test_each_situation_shows_its_colour_icon_words_and_reason(served: str) -> None:
    import tempfile

    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    for flag in (*CHROME_FLAGS, f"--user-data-dir={tempfile.mkdtemp(prefix='vigie-chrome-')}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    try:
        driver.get(served + "/")
        tiles = wait_for(
            lambda: len(driver.execute_script(TILES)) == 100 and driver.execute_script(TILES),
            "the tiles",
        )
        by_id = {t[0]: t for t in tiles}
        for samu_id, (state, words, why) in EXPECTED.items():
            _, classes, text, title, background = by_id[samu_id]
            assert f"state-{state}" in classes, samu_id
            assert rgb_to_hex(background) == LIGHT.fills[state], samu_id  # the theme's colour
            assert text.startswith(
                {
                    "page": "‼",
                    "ticket": "▲",
                    "maintenance": "⚙",
                    "gap": "⌁",
                    "no_data": "?",
                    "ok": "✓",
                }[state]
            )
            assert words in title and why in title, (samu_id, title)
        # minutes S3 did not judge are said on the tile and in the risk table, not hidden
        unjudged = "S3 · joignabilité : 7 min sans données, 3 min de trou Vigie"
        assert unjudged in by_id[PARIS_ID][3]
        assert unjudged in driver.find_element("css selector", "#risk-body").text
        entraide = driver.find_element("id", ids.ENTRAIDE).text
        assert (
            "SAMU 13 – Marseille" in entraide
            and "→ SAMU 84 – Avignon : 7 appels en 15 min" in entraide
        )
        kpis = driver.find_element("id", ids.KPIS).text
        assert "99,993" in kpis  # the national SLI of the crafted statuses
        screenshot(driver, "situations")
        assert [e for e in driver.get_log("browser") if e["level"] == "SEVERE"] == []
    finally:
        driver.quit()
