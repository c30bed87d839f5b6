"""The `cutover` scenario: a SAMU on its new platform after a migration night, as scripted."""

from __future__ import annotations

import numpy as np
import pytest

from collector.simulator.errors import ScenarioError
from collector.simulator.fleet import COMPONENT_UP, LATENCY, PROBES, SETUP_SERIES, SETUPS
from collector.simulator.scenario_spec import parse_scenario
from collector.simulator.scenarios import Timeline
from tests.test_simulator_scenarios import ORIGIN, S013, S075, S092, SAMUS, run, total

NETWORK = (LATENCY, (("component", "network"),))
DATABASE = (COMPONENT_UP, (("component", "database"),))


def test_a_cutover_adds_its_shift_to_network_latency_and_nothing_else_by_default() -> None:
    plain = run(minutes=120)
    moved = run("cutover:075@+0m/2h,shift=0.015", minutes=120)
    delta = moved[S075].gauges[NETWORK] - plain[S075].gauges[NETWORK]
    assert delta == pytest.approx(np.full(120, 0.015))
    # the same draws otherwise: setups, setup delays and the other SAMU are untouched
    assert (moved[S075].hists[SETUP_SERIES][0] == plain[S075].hists[SETUP_SERIES][0]).all()
    assert total(moved[S075], SETUPS, outcome="success") == total(
        plain[S075], SETUPS, outcome="success"
    )
    assert (moved[S092].gauges[NETWORK] == plain[S092].gauges[NETWORK]).all()
    assert (moved[S075].gauges[DATABASE] == 1.0).all()


def test_a_cutover_that_went_wrong_fails_setups_and_probes_slows_setups_and_flaps() -> None:
    plain = run(minutes=240)
    bad = run("cutover:075@+0m/4h,fraction=0.02,factor=1.5,flap=0.1,delay=0.05", minutes=240)
    calls = total(bad[S075], SETUPS)
    failed = total(bad[S075], SETUPS, outcome="failed")
    assert 0.01 < failed / calls < 0.03
    assert total(bad[S075], PROBES, outcome="failure") > 0
    before, after = plain[S075].delays[0], bad[S075].delays[0]
    assert np.median(after) > np.median(before) * 1.5  # ×1.5 then +50 ms
    down = 1.0 - bad[S075].gauges[DATABASE].mean()
    assert 0.04 < down < 0.2
    assert (bad[S013].gauges[DATABASE] == 1.0).all()


def test_cutover_parameters_are_checked_with_their_meaning() -> None:
    with pytest.raises(ScenarioError, match=r"flap=5 must be within 0\.\.1"):
        parse_scenario("cutover:075@+0m/1h,flap=5")
    with pytest.raises(ScenarioError, match="unknown parameter 'jitter'"):
        parse_scenario("cutover:075@+0m/1h,jitter=1")
    s = parse_scenario("cutover:075,013@+7d/7d,shift=0.02s")
    assert s.param("shift") == pytest.approx(0.020) and s.param("fraction") == 0.0


def test_a_cutover_after_a_migration_night_follows_it_on_the_timeline() -> None:
    night = parse_scenario("migration:075,013@+0m/2h")
    after = parse_scenario("cutover:075@+2h/1d")
    timeline = Timeline([night, after], ORIGIN, [s.id for s in SAMUS])
    assert timeline.condition_at(S075, ORIGIN + 60).setup_fail == 1.0  # moved first
    moved = timeline.condition_at(S075, ORIGIN + 3 * 3600)
    assert moved.latency_shift_s == pytest.approx(0.015) and moved.setup_fail == 0.0
    assert timeline.condition_at(S013, ORIGIN + 3 * 3600).latency_shift_s == 0.0
