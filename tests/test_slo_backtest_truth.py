"""The backtest's guards equal the live engine's, and its alerts are scored against ground truth."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from collector.simulator.scenarios import Scenario
from slo.backtest import Firing, backtest
from slo.backtest_score import Incident, score
from slo.engine import CollectingSink, Engine
from slo.loader import LoadResult
from store.client import Store
from store.clock import FakeClock
from tests.test_slo_backtest import intervals
from tests.test_slo_eval_factories import CHECKS, policies, registry, samu_labels
from vigie.backtest_history import POINT_COLUMNS, write_history

T0 = datetime(2030, 10, 14, 1, 0, tzinfo=UTC)  # in the future: `points` keeps 35 days
PARIS, SMALL, MUTE = "fr.health.samu075", "fr.health.samu048", "fr.health.samu069"
GUARDS = {"HeartbeatLost", "TelemetryNoData", "VigieIngestGap"}


def sample(store: Store) -> None:
    """Two simulated SAMU (one in outage at night), a third whose telemetry stops, then all do."""
    samus = [registry().require(PARIS), registry().require(SMALL)]
    outage = Scenario("outage", (SMALL,), 40 * 60, 20 * 60)
    write_history(store, samus, T0, T0 + timedelta(hours=2), seed=11, scenarios=[outage])
    rows = []
    for k in range(6 * 70):  # checks every 10 s for 70 minutes, then silence
        ts = T0 + timedelta(seconds=10 * k + 9.999)
        rows.append((ts, ts + timedelta(milliseconds=300), MUTE, CHECKS, "", "ok", "sum", 1.0))
    store.insert("points", rows, POINT_COLUMNS)


def test_the_replayed_guards_fire_exactly_what_the_engine_fires(store: Store) -> None:
    sample(store)
    clock = FakeClock(T0 + timedelta(minutes=20))
    sink = CollectingSink()
    engine = Engine(
        store, LoadResult(()), policies(), registry(), clock, sink, write_snapshots=False
    )
    end = T0 + timedelta(hours=2, minutes=12)
    while clock.now() < end:
        engine.tick()
        clock.advance(timedelta(minutes=1))
    live = intervals([a for a in sink.alerts if a.labels["alertname"] in GUARDS])
    replayed = backtest(
        store, [], samu_labels(), T0 + timedelta(minutes=20), end, guards=policies().guards
    )
    assert replayed == live
    fired = {(f.label("alertname"), f.label("samu")) for f in replayed}
    assert fired == {
        ("HeartbeatLost", SMALL),
        ("HeartbeatLost", MUTE),
        ("TelemetryNoData", MUTE),
        ("VigieIngestGap", ""),
    }


def page(samu: str, start: int, end: int | None, name: str = "HeartbeatLost") -> Firing:
    labels = (("alertname", name), ("samu", samu), ("severity", "page"))
    ends = None if end is None else T0 + timedelta(minutes=end)
    return Firing(labels, T0 + timedelta(minutes=start), ends)


OUTAGE = Incident("outage", SMALL, T0 + timedelta(minutes=10), T0 + timedelta(minutes=30))


@pytest.mark.parametrize(
    ("pages", "recall", "precision", "detected", "reset"),
    [
        ([page(SMALL, 11, 33)], 1.0, 1.0, 60, 180),
        ([page(SMALL, 11, 33), page(PARIS, 12, 14)], 1.0, 0.5, 60, 180),
        ([page("national", 14, 40, "SLOBurnRate")], 1.0, 1.0, 240, 600),
        ([page(SMALL, 12, None)], 1.0, 1.0, 120, None),
        ([page(SMALL, 200, 210)], 0.0, 0.0, None, None),
        ([], 0.0, None, None, None),
    ],
    ids=[
        "a page during the outage detects it",
        "a page for another samu is false",
        "a national page counts for the samu it covers",
        "a page still firing has no reset time",
        "a page long after the outage is false and the outage is missed",
        "no page at all misses the outage",
    ],
)
def test_pages_are_scored_against_the_incidents_played(
    pages: list[Firing],
    recall: float,
    precision: float | None,
    detected: int | None,
    reset: int | None,
) -> None:
    result = score(pages, [OUTAGE])
    assert result.recall == recall
    assert result.precision == precision
    outcome = result.outcomes[0]
    seconds = None if outcome.detected_after is None else outcome.detected_after.total_seconds()
    assert seconds == detected
    resets = None if outcome.reset_after is None else outcome.reset_after.total_seconds()
    assert resets == reset


def test_tickets_are_not_pages() -> None:
    ticket = Firing((("samu", SMALL), ("severity", "ticket")), T0, None)
    assert score([ticket], [OUTAGE]).pages == 0


def test_vigie_slo_backtest_scores_a_simulated_outage_against_the_ground_truth() -> None:
    import subprocess
    import sys

    command = [
        sys.executable,
        "-m",
        "vigie.cli",
        "slo",
        "backtest",
        "--from",
        "2030-10-02",
        "--to",
        "2030-10-03",
        "--seed",
        "5",
        "--samu-count",
        "2",
        "--scenario",
        "outage:048@+3h/20m",
    ]
    out = subprocess.run(command, capture_output=True, text=True, timeout=300, check=True).stdout
    assert (
        "outage   fr.health.samu048  2030-10-02T03:00:00+00:00: detected after 0:01:00 by "
        "HeartbeatLost" in out
    )
    assert "recall 100%" in out
