"""The delivery scenarios — a collector restart, late data — change only what reaches the store,
are refused by the live simulator, and recorded incidents read from a scenario file."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from collector.simulator.errors import ScenarioError
from collector.simulator.scenario_spec import check_live, parse_scenario
from collector.simulator.scenarios import Timeline
from store.client import Store
from tests.test_slo_eval_factories import registry
from vigie.backtest_history import write_history
from vigie.backtest_run import truth_from

T0 = datetime(2030, 10, 14, 1, 0, tzinfo=UTC)
PARIS, SMALL = "fr.health.samu075", "fr.health.samu048"


def test_a_restart_loses_and_a_late_window_delays_what_the_targets_send() -> None:
    restart, late = parse_scenario("restart:*@+10m/5m"), parse_scenario("late:048@+20m/5m,delay=1h")
    timeline = Timeline((restart, late), 0.0, [PARIS, SMALL])
    starts = 60.0 * np.arange(30)
    lost, delay = timeline.delivery(SMALL, starts)
    assert list(np.flatnonzero(lost)) == [10, 11, 12, 13, 14]
    assert list(np.flatnonzero(delay)) == [20, 21, 22, 23, 24] and delay.max() == 3600.0
    assert not timeline.delivery(PARIS, starts)[1].any()
    assert timeline.condition_at(SMALL, 600.0).setup_fail == 0.0  # the SAMU itself works
    with pytest.raises(ScenarioError, match="not by the live simulator"):
        check_live([restart])


def test_the_history_writer_drops_restart_minutes_and_stamps_late_checks(store: Store) -> None:
    samus = [registry().require(PARIS), registry().require(SMALL)]
    played = [parse_scenario("restart:*@+10m/5m"), parse_scenario("late:075@+20m/5m,delay=1h")]
    history = write_history(store, samus, T0, T0 + timedelta(minutes=30), 3, played)
    counted = store.query(
        "SELECT DISTINCT toUnixTimestamp(minute) FROM {db}.minute_ingest ORDER BY 1"
    )
    minutes = [(int(m) - int(T0.timestamp())) // 60 for (m,) in counted]
    assert minutes == [m for m in range(30) if not 10 <= m < 15]
    lags = store.query(
        "SELECT samu_id, groupUniqArray(dateDiff('millisecond', ts, received_at)) FROM {db}.points"
        " WHERE ts >= {a:DateTime('UTC')} AND ts < {b:DateTime('UTC')} GROUP BY 1 ORDER BY 1",
        {"a": T0 + timedelta(minutes=20), "b": T0 + timedelta(minutes=25)},
    )
    assert [(s, list(lag)) for s, lag in lags] == [(SMALL, [300]), (PARIS, [3_600_300])]
    assert [(i.kind, i.samu, i.fleet) for i in history.incidents] == [("restart", "", True)]


def test_recorded_incidents_are_read_from_a_scenario_file_with_absolute_times(
    tmp_path: Path,
) -> None:
    path = tmp_path / "incidents.yaml"
    path.write_text(
        "version: 1\nscenarios:\n"
        "  - {kind: outage, samu: ['075'], at: '2030-10-14T03:00:00+02:00', duration: 40m}\n"
    )
    (found,) = truth_from(path, [PARIS, SMALL])
    assert (found.kind, found.samu, found.start, found.end) == (
        "outage",
        PARIS,
        T0,
        T0 + timedelta(minutes=40),
    )
    path.write_text(
        "version: 1\nscenarios:\n  - {kind: outage, samu: ['075'], at: +3h, duration: 40m}\n"
    )
    with pytest.raises(ValueError, match="absolute times"):
        truth_from(path, [PARIS, SMALL])
