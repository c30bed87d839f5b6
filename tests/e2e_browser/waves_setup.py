"""A data directory holding three days on each side of a migration night that ended two days
ago, for the waves page in a real browser (and `make screenshots`).

`python -m tests.e2e_browser.waves_setup DATA_DIR` writes the history into the data
directory's embedded store (its own process: chdb allows one directory per process); the plan
(`plan_text`) is then imported through the running instance's API, as an operator would.
Four SAMU: Paris's site is 15 ms farther after the move, Lyon's move went wrong, Bordeaux's
old platform was failing and Marseille moved cleanly.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from collector.simulator.scenarios import Scenario
from store.client import embedded_dsn, open_store
from store.migrations import migrate
from store.registry import load_registry
from tests.wave_data import simulate_into
from vigie.schema import all_migrations

WAVE_ID = "vague-e2e"
DAYS = 3
SHIFTED, BROKEN, HEALED, CLEAN = (
    "fr.health.samu075",
    "fr.health.samu069",
    "fr.health.samu033",
    "fr.health.samu013",
)
SAMU = (SHIFTED, BROKEN, HEALED, CLEAN)


def night(now: datetime) -> tuple[datetime, datetime]:
    """22:00–06:00 Paris (21:00–05:00 UTC), the night that ended two days before `now`."""
    day = datetime(now.year, now.month, now.day, tzinfo=UTC) - timedelta(days=DAYS + 3)
    start = day + timedelta(hours=21)
    return start, start + timedelta(hours=8)


def plan_text(now: datetime) -> str:
    start, end = night(now)
    return "\n".join(
        [
            "version: 1",
            "waves:",
            f"  - id: {WAVE_ID}",
            "    title: Vague de démonstration",
            f"    night: {{start: {start.isoformat()}, end: {end.isoformat()}}}",
            "    approved_by: ANS, directeur des opérations",
            "    from: hebergement-regional",
            "    to: cloud-souverain",
            "    samu: [" + ", ".join(SAMU) + "]",
            "",
        ]
    )


def prepare(data_dir: Path, now: datetime) -> None:
    """Write the simulated days around the night into the data directory's store."""
    start, end = night(now)
    first, last = start - timedelta(days=DAYS), end + timedelta(days=DAYS)
    moved = (end - first).total_seconds()
    scenarios = [
        Scenario("migration", SAMU, (start - first).total_seconds(), 8 * 3600.0),
        Scenario("cutover", (SHIFTED,), moved, DAYS * 86400.0, (("shift", 0.015),)),
        Scenario(
            "cutover",
            (BROKEN,),
            moved,
            DAYS * 86400.0,
            (("factor", 1.5), ("flap", 0.05), ("fraction", 0.01), ("shift", 0.015)),
        ),
        Scenario("trunk", (HEALED,), 0.0, (start - first).total_seconds(), (("fraction", 0.01),)),
    ]
    data_dir.mkdir(parents=True, exist_ok=True)
    store = open_store(embedded_dsn(data_dir), "vigie")
    try:
        migrate(store, migrations=all_migrations())
        registry = load_registry()
        simulate_into(store, [registry.require(s) for s in SAMU], first, last, scenarios, seed=5)
    finally:
        store.close()


if __name__ == "__main__":
    prepare(Path(sys.argv[1]), datetime.now(UTC))
