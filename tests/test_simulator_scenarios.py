"""Scenarios: the spec forms, and each kind changing outcomes as scripted."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from collector.simulator.errors import ScenarioError
from collector.simulator.fleet import (
    CHECKS,
    COMPONENT_UP,
    ENTRAIDE,
    PROBES,
    SETUP_SERIES,
    SETUPS,
    Fleet,
    FleetConfig,
    SamuBatch,
)
from collector.simulator.scenario_spec import load_scenarios, parse_scenario
from collector.simulator.scenarios import Scenario, Timeline
from store.registry import Samu

ORIGIN = datetime(2025, 3, 4, 12, tzinfo=UTC).timestamp()  # a Tuesday, midday (busy)
S075, S092, S013 = "fr.health.samu075", "fr.health.samu092", "fr.health.samu013"


def samu(samu_id: str, backup: str, daily: int = 20_000) -> Samu:
    return Samu(
        samu_id, samu_id, (samu_id[-2:],), "test", "Europe/Paris", 48.0, 2.0, backup, daily, 0, 0
    )


SAMUS = [samu(S075, S092), samu(S092, S075), samu(S013, S075)]


def run(*specs: str, minutes: int = 60, at: float = ORIGIN) -> dict[str, SamuBatch]:
    timeline = Timeline([parse_scenario(s) for s in specs], at, [s.id for s in SAMUS])
    fleet = Fleet(SAMUS, timeline, FleetConfig(seed=3))
    return fleet.step(at + 60.0 * np.arange(minutes), 60.0)


def total(batch: SamuBatch, metric: str, **wanted: str) -> int:
    return int(
        sum(
            v.sum()
            for (m, attrs), v in batch.sums.items()
            if m == metric and all((k.replace("_", "."), x) in attrs for k, x in wanted.items())
        )
    )


def window(batch: SamuBatch, metric: str, begin: int, end: int, **wanted: str) -> int:
    return int(
        sum(
            v[begin:end].sum()
            for (m, attrs), v in batch.sums.items()
            if m == metric and all((k, x) in attrs for k, x in wanted.items())
        )
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("outage:fr.health.samu075@+10m/15m", Scenario("outage", (S075,), 600, 900)),
        (
            "trunk:013@+5m/20m,fraction=0.3",
            Scenario("trunk", (S013,), 300, 1200, (("fraction", 0.3),)),
        ),
        ("surge:*@+0m/2h,factor=1.5", Scenario("surge", ("*",), 0, 7200, (("factor", 1.5),))),
        (
            "migration:075,092@+0m/1h,step=20m,outage=5m",
            Scenario("migration", (S075, S092), 0, 3600, (("outage", 300.0), ("step", 1200.0))),
        ),
        (
            "maintenance:075@2025-03-04T23:00+01:00/2h",
            Scenario(
                "maintenance",
                (S075,),
                datetime(2025, 3, 4, 22, tzinfo=UTC).timestamp(),
                7200,
                absolute=True,
            ),
        ),
    ],
)
def test_a_cli_spec_parses_into_a_scenario(text: str, expected: Scenario) -> None:
    assert parse_scenario(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("explode:075@+1m/1m", "unknown kind"),
        ("outage:075", "expected KIND:SAMU"),
        ("outage:paris@+1m/1m", "not a SAMU id"),
        ("outage:075@+1m/forever", "bad duration"),
        ("outage:075@+1m/0s", "must be positive"),
        ("trunk:075@+1m/5m,fraction=30", "looks like a percentage: use 0.3"),
        ("trunk:075@+1m/5m,speed=2", "unknown parameter 'speed'"),
        ("outage:075@2025-03-04T23:00/1h", "needs a UTC offset"),
    ],
)
def test_a_bad_spec_is_refused_with_a_clear_message(text: str, message: str) -> None:
    with pytest.raises(ScenarioError, match=message):
        parse_scenario(text)


def test_a_yaml_file_gives_the_same_scenarios_and_its_errors_name_the_item(tmp_path: Path) -> None:
    good = tmp_path / "good.yaml"
    good.write_text(
        "version: 1\nscenarios:\n"
        "  - {kind: outage, samu: [fr.health.samu075], at: +10m, duration: 15m}\n"
        "  - {kind: trunk, samu: ['013'], at: +5m, duration: 20m, params: {fraction: 0.3}}\n"
    )
    assert load_scenarios(good) == [
        parse_scenario("outage:fr.health.samu075@+10m/15m"),
        parse_scenario("trunk:013@+5m/20m,fraction=0.3"),
    ]
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "version: 1\nscenarios:\n  - {kind: trunk, samu: ['013'], at: +5m, duration: 20m,"
        " params: {fraction: 5}}\n"
    )
    with pytest.raises(ScenarioError, match=r"bad.yaml:3: scenarios\[0\]: .*looks like a"):
        load_scenarios(bad)
    with pytest.raises(ScenarioError, match=r"bad\.yaml:3: colour: unknown key"):
        bad.write_text("version: 1\nscenarios: []\ncolour: red\n")
        load_scenarios(bad)
    with pytest.raises(ScenarioError, match=r"bad.yaml:4: scenarios\[1\].duration: "):
        bad.write_text(
            "version: 1\nscenarios:\n  - {kind: outage, samu: ['013'], at: +5m, duration: 5m}\n"
            "  - {kind: outage, samu: ['013'], at: +5m, duration: [5m]}\n"
        )
        load_scenarios(bad)


def test_a_total_outage_fails_every_setup_probe_and_check_during_its_window() -> None:
    b = run("outage:075@+10m/15m")[S075]
    assert window(b, SETUPS, 10, 25, outcome="success") == 0
    assert window(b, SETUPS, 10, 25, outcome="failed", component="telephony") > 100
    assert window(b, PROBES, 10, 25, outcome="success") == 0
    assert window(b, PROBES, 10, 25, outcome="failure") == 15
    assert window(b, CHECKS, 10, 25, outcome="fail") == 90
    assert window(b, SETUPS, 0, 10, outcome="failed", component="telephony") < 3
    assert window(b, SETUPS, 25, 60, outcome="success") > 100
    up = b.gauges[(COMPONENT_UP, (("component", "telephony"),))]
    assert up[10:25].max() == 0 and up[:10].min() == 1


def test_a_carrier_outage_is_silence_with_failing_probes() -> None:
    b = run("carrier:075@+0m/30m")[S075]
    assert window(b, SETUPS, 0, 30) == 0
    assert window(b, PROBES, 0, 30, outcome="failure", component="carrier") == 30
    assert window(b, CHECKS, 0, 30, outcome="fail", component="carrier") == 180
    assert all(v[:30].min() == 1 for (m, _), v in b.gauges.items() if m == COMPONENT_UP)
    assert window(b, SETUPS, 30, 60) > 100


def test_latency_creeps_up_over_the_scenario() -> None:
    b = run("latency:075@+0m/60m,factor=10")[S075]
    counts, sums = b.hists[SETUP_SERIES]
    early = sums[:10].sum() / counts[:10].sum()
    late = sums[50:].sum() / counts[50:].sum()
    assert late > 5 * early


def test_a_partial_trunk_failure_fails_the_given_fraction() -> None:
    b = run("trunk:075@+0m/60m,fraction=0.3")[S075]
    failed = total(b, SETUPS, outcome="failed", component="telephony")
    assert failed / total(b, SETUPS) == pytest.approx(0.3, abs=0.03)


def test_a_slow_database_marks_the_database_down_and_times_out_some_setups() -> None:
    b = run("slowdb:075@+0m/60m,fraction=0.02")[S075]
    assert b.gauges[(COMPONENT_UP, (("component", "database"),))].max() == 0
    assert total(b, SETUPS, outcome="timeout", component="database") > 0


def test_maintenance_overflows_calls_to_the_backup_and_is_marked() -> None:
    specs = ["maintenance:075@+0m/30m"]
    batches = run(*specs)
    own, backup = batches[S075], batches[S092]
    out = window(own, ENTRAIDE, 0, 30, direction="out")
    assert window(own, SETUPS, 0, 30) == 0
    assert out > 100
    assert window(backup, ENTRAIDE, 0, 30, direction="in") == out
    marks = Timeline([parse_scenario(s) for s in specs], ORIGIN).maintenance()
    assert [(m.samu_id, m.start, m.end) for m in marks] == [(S075, ORIGIN, ORIGIN + 1800)]


def test_a_migration_night_fails_the_samu_one_after_another() -> None:
    batches = run("migration:075,092,013@+0m/60m,step=20m,outage=5m")
    for i, samu_id in enumerate((S075, S092, S013)):
        b = batches[samu_id]
        failing = [
            int(x)
            for x in np.flatnonzero(
                sum(
                    (
                        v
                        for (m, a), v in b.sums.items()
                        if m == PROBES and ("outcome", "failure") in a
                    ),
                    np.zeros(60, dtype=np.int64),
                )
            )
        ]
        assert failing == list(range(20 * i, 20 * i + 5)), samu_id


def test_a_surge_multiplies_arrivals() -> None:
    calm = total(run()[S013], SETUPS)
    surge = total(run("surge:013@+0m/60m,factor=3")[S013], SETUPS)
    assert surge / calm == pytest.approx(3.0, rel=0.1)
