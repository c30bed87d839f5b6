"""Backtest alerts scored against ground truth, muted by planned maintenance, and reported as
JSON, CSV and text by `vigie slo backtest`."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest

from alerts.maintenance import MaintenanceWindow
from slo.backtest import Firing, Replay
from slo.backtest_report import csv_text, document, text_lines
from slo.backtest_score import PLATFORM, Incident, delivered, false_by, score

T0 = datetime(2030, 10, 14, 1, 0, tzinfo=UTC)
PARIS, SMALL = "fr.health.samu075", "fr.health.samu048"


def at(minute: int) -> datetime:
    return T0 + timedelta(minutes=minute)


def page(
    samu: str, start: int, end: int | None, name: str = "HeartbeatLost", level: str = "page"
) -> Firing:
    labels = [("alertname", name), ("severity", level)]
    if samu:
        labels.append(("samu", samu))
    return Firing(tuple(sorted(labels)), at(start), None if end is None else at(end))


OUTAGE = Incident("outage", SMALL, at(10), at(30))
RESTART = Incident("restart", PLATFORM, at(100), at(105), fleet=True)


@pytest.mark.parametrize(
    ("pages", "recall", "precision", "detected", "reset"),
    [
        ([page(SMALL, 11, 33)], 1.0, 1.0, 60, 180),
        ([page(SMALL, 11, 33), page(PARIS, 12, 14)], 1.0, 0.5, 60, 180),
        ([page("national", 14, 40, "SLOBurnRate")], 0.0, 0.0, None, None),
        ([page(SMALL, 12, None)], 1.0, 1.0, 120, None),
        ([page(SMALL, 200, 210)], 0.0, 0.0, None, None),
        ([], 0.0, None, None, None),
    ],
    ids=[
        "a page during the outage detects it",
        "a page for another samu is false",
        "a national page for one samu's outage is a second page: false",
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


def test_a_platform_incident_is_met_by_the_fleet_wide_alert_and_samu_pages_in_it_are_false() -> (
    None
):
    pages = [page("", 101, 107, "VigieIngestGap"), page(PARIS, 101, 106, "TelemetryNoData")]
    result = score(pages, [RESTART])
    assert result.outcomes[0].detected_by == "VigieIngestGap"
    assert result.outcomes[0].reset_after == timedelta(minutes=2)
    assert [p.label("samu") for p in result.false_pages] == [PARIS]
    assert false_by(result.false_pages) == {("TelemetryNoData", "", PARIS): 1}


def test_each_incident_counts_its_pages_and_tickets() -> None:
    alerts = [
        page(SMALL, 11, 33),
        page(SMALL, 12, 40, "SLOBurnRate"),
        page(SMALL, 13, 90, "SLOBurnRate", "ticket"),
        page(PARIS, 13, 90, "SLOBurnRate", "ticket"),
    ]
    result = score(alerts, [OUTAGE])
    assert (result.pages, result.tickets) == (2, 2)
    assert (result.outcomes[0].pages, result.outcomes[0].tickets) == (2, 1)
    assert result.outcomes[0].reset_after == timedelta(minutes=10)


MIGRATION = MaintenanceWindow(
    id="m1",
    title="migration",
    starts_at=at(10),
    duration=timedelta(minutes=30),
    approved_by="ans",
    created_by="noc",
    samu_ids=(SMALL,),
)


def test_planned_maintenance_mutes_its_samu_s_alerts_while_it_runs() -> None:
    inside = page(SMALL, 11, 35)
    outliving = page(SMALL, 20, 45, "ProbeFailing")
    other = page(PARIS, 11, 35)
    fleet = page("", 12, 14, "VigieIngestGap")
    shown, muted = delivered([inside, outliving, other, fleet], [MIGRATION], {})
    assert muted == 1
    assert [(a.label("alertname"), a.label("samu"), a.starts_at) for a in shown] == [
        ("ProbeFailing", SMALL, at(40)),
        ("HeartbeatLost", PARIS, at(11)),
        ("VigieIngestGap", "", at(12)),
    ]


def test_a_backtest_reads_as_json_csv_and_text() -> None:
    replay = Replay(
        (page(SMALL, 11, 33), page(PARIS, 50, None, "SLOBurnRate", "ticket")),
        T0,
        at(120),
        at(89),
        timedelta(minutes=1),
        "data",
        T0 - timedelta(days=3),
        ("the S4 traffic-collapse guard is not replayed",),
    )
    result = score(replay.firings, [OUTAGE])
    doc = document(replay, replay.firings, result)
    assert json.loads(json.dumps(doc))["stopped_by"] == "data"
    assert doc["truth"]["incidents"][0]["detected_after_s"] == 60.0
    rows = list(csv.DictReader(io.StringIO(csv_text(doc))))
    assert [r["record"] for r in rows] == [
        "replay",
        "alert",
        "alert",
        "incident",
        "summary",
        "summary",
    ]
    assert "the end of the data" in rows[0]["note"]
    assert rows[3]["reset_after_s"] == "180.0"
    text = "\n".join(text_lines(doc))
    assert "stopped at the end of the data" in text
    assert "outage      fr.health.samu048" in text and "detected after 0:01:00" in text


def test_vigie_slo_backtest_scores_simulated_incidents_and_says_where_it_stopped() -> None:
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
        "--scenario",
        "restart:*@+5h/4m",
        "--format",
        "json",
    ]
    run = subprocess.run(command, capture_output=True, text=True, timeout=600, check=True)
    doc = json.loads(run.stdout)
    assert doc["stopped_by"] == "end"
    assert doc["last_tick"] == "2030-10-02T23:59:00+00:00"
    found = {(i["kind"], i["samu"]): i for i in doc["truth"]["incidents"]}
    outage = found[("outage", "fr.health.samu048")]
    assert (outage["detected_after_s"], outage["detected_by"]) == (60.0, "HeartbeatLost")
    restart = found[("restart", "")]
    assert restart["detected_by"] == "VigieIngestGap"
    assert doc["truth"]["false_pages"] == 0
    assert "simulating" in run.stderr
