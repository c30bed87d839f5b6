"""The promise, end to end: a SAMU that goes down pages within a minute, and nobody else does.

A real `vigie up` with simulated agents (real OpenTelemetry SDK) for three SAMU, one of which
suffers a total outage from the start; the SLO engine's fast guards (heartbeat, probes) must
hand a page for that SAMU to the alert pipeline, and no page for the healthy ones.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from tests.fixtures.platform import PlatformProcess

DOWN = "fr.health.samu001"


def _pages(client: Any) -> list[dict[str, Any]]:
    alerts = client.get("/api/v2/alerts", params={"active": "true"}).json()
    return [a for a in alerts if a["labels"].get("severity") == "page"]


def test_a_samu_outage_pages_for_that_samu_only(tmp_path: Path) -> None:
    platform = PlatformProcess(
        tmp_path / "data",
        extra_args=("--simulate", "--simulate-count", "3", "--scenario", f"outage:{DOWN}@+0s/30m"),
        env={"VIGIE_ENGINE_INTERVAL_S": "5"},
    )
    platform.start()
    try:
        with platform.client() as client:
            deadline = time.monotonic() + 150  # waiting for the platform, not timing it
            pages: list[dict[str, Any]] = []
            while time.monotonic() < deadline and not pages:
                pages = _pages(client)
                time.sleep(1)
            assert pages, "no page for a SAMU in total outage"
            assert {p["labels"]["samu"] for p in pages} == {DOWN}, [p["labels"] for p in pages]
            incidents: list[dict[str, Any]] = []
            while time.monotonic() < deadline and not incidents:  # opened by the first flush
                incidents = [i for i in client.get("/api/v1/incidents").json() if DOWN in i["samu"]]
                time.sleep(1)
            assert incidents, "a page but no incident for the SAMU in outage"
            everyone = {p["labels"]["samu"] for p in _pages(client)}
            assert everyone == {DOWN}, f"pages for {sorted(everyone)}"
    finally:
        platform.stop()
