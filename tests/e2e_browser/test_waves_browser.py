"""The migration waves page in headless Chromium, on a real `vigie up` holding three days each
side of a migration night; the wave is planned through the API, as an operator would."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from dashboards import ids
from tests.conftest import require_peer
from tests.e2e_browser.conftest import requested_urls, screenshot, signed_in, wait_for
from tests.e2e_browser.test_dash_browser import local_only, severe
from tests.e2e_browser.waves_setup import BROKEN, CLEAN, DAYS, SAMU, SHIFTED, WAVE_ID, plan_text
from tests.fixtures.platform import ROOT, PlatformProcess

pytestmark = pytest.mark.peer
ROWS = "return [...document.querySelectorAll('#waves-rows tbody tr')].map(tr => tr.id)"
BADGE = (
    "return document.getElementById('wave-row-{samu}')"
    ".querySelector('td:nth-child(3) .badge').textContent"
)


@pytest.fixture(scope="module")
def moved(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PlatformProcess]:
    """A platform (no live simulation) over the stored days around the night, wave planned."""
    require_peer("chromium")
    require_peer("chromedriver")
    data_dir = tmp_path_factory.mktemp("waves") / "data"
    prepared = subprocess.run(
        [sys.executable, "-m", "tests.e2e_browser.waves_setup", str(data_dir)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert prepared.returncode == 0, prepared.stderr[-2000:]
    running = PlatformProcess(data_dir)
    running.start()
    try:
        with running.client() as api:
            answer = api.post(
                "/api/v1/waves", params={"name": "plan.yaml"}, content=plan_text(datetime.now(UTC))
            )
        assert answer.status_code == 201, answer.text
        yield running
    finally:
        running.stop(timeout_s=15)


def test_the_waves_page_shows_one_row_per_samu_with_its_verdicts(
    moved: PlatformProcess, tmp_path: Path
) -> None:
    with signed_in(moved.url, moved.data_dir) as driver:
        requested_urls(driver)
        driver.get(f"{moved.url}/waves?wave={WAVE_ID}&days={DAYS}")
        rows = wait_for(lambda: driver.execute_script(ROWS), "the wave's rows", 300)
        assert rows == [f"wave-row-{s}" for s in SAMU]
        assert driver.execute_script(BADGE.format(samu=BROKEN)).endswith("moins bien")
        assert driver.execute_script(BADGE.format(samu=SHIFTED)).endswith("moins bien")
        assert driver.execute_script(BADGE.format(samu=CLEAN)).endswith("inchangé")
        head = driver.find_element("id", ids.WAVES_HEAD).text
        assert "Vague de démonstration" in head and "comparaison complète" in head
        points = wait_for(
            lambda: driver.execute_script(
                f"const g = document.querySelector('#{ids.WAVES_FOREST} .js-plotly-plot');"
                " return g && g.data.reduce((n, t) => n + t.y.length, 0)"
            ),
            "the picture",
        )
        assert points == len(SAMU)  # network latency: one point per SAMU
        screenshot(driver, "waves")
        assert local_only(moved, requested_urls(driver)) == []
        assert severe(driver) == []


def test_the_page_is_one_click_from_the_menu(moved: PlatformProcess) -> None:
    with signed_in(moved.url, moved.data_dir) as driver:
        driver.get(moved.url + "/")

        def click() -> bool:  # the header may be drawn again between finding and clicking
            driver.find_element("css selector", f"#{ids.NAV} a[href='/waves']").click()
            return True

        wait_for(click, "the menu's link to the waves")
        picked: Any = wait_for(
            lambda: driver.execute_script(ROWS), "the newest wave chosen by default", 300
        )
        assert len(picked) == len(SAMU)
