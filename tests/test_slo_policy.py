"""The alert policy as data: derived factors, the Workbook arithmetic, MWMB conditions, guards."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from slo.budget import burn_sample
from slo.errors import PolicyError, SpecError
from slo.loader import DEFAULT_POLICY, load_policy
from slo.policy import BurnSample, Policy, detection_time, evaluate_conditions, reset_time

HOUR = timedelta(hours=1)


@pytest.fixture(scope="module")
def workbook() -> Policy:
    return load_policy().policies["workbook"]


def test_the_workbook_factors_are_derived_not_typed(workbook: Policy) -> None:
    assert workbook.factors() == {
        "page-1h": 14.4,
        "page-6h": 6.0,
        "ticket-1d": 3.0,
        "ticket-3d": 1.0,
    }


def _keys(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield str(key)
            yield from _keys(value)
    elif isinstance(node, list):
        for item in node:
            yield from _keys(item)


def test_the_policy_file_holds_no_burn_factor() -> None:
    data = yaml.safe_load(DEFAULT_POLICY.read_text(encoding="utf-8"))
    assert not {"factor", "burn_rate", "threshold"} & set(_keys(data))


def test_the_workbook_example_a_total_outage_pages_after_51_84_seconds(workbook: Policy) -> None:
    page = workbook.pairs[0]
    fire = detection_time(page, workbook.period, objective=0.999)
    assert fire is not None
    assert fire.total_seconds() == pytest.approx(51.84)
    # The arithmetic behind it: steady traffic of 1 call/s, the outage t seconds old.
    assert burn_sample(3600 - 51, 3600, 0.999).burn_rate == pytest.approx(14.1667, rel=1e-4)
    late = burn_sample(3600 - 52, 3600, 0.999).burn_rate
    assert late is not None and late > 14.4
    # …and it resets once the 5-minute window is clean enough: 300 s − 4.32 s after recovery.
    assert reset_time(page, workbook.period, 0.999).total_seconds() == pytest.approx(295.68)


def test_a_small_error_ratio_never_fires_the_fast_pair(workbook: Policy) -> None:
    assert detection_time(workbook.pairs[0], workbook.period, 0.999, error_ratio=0.01) is None


def _outage(seconds: float, rate: float, objective: float) -> dict[timedelta, BurnSample]:
    """Burn samples on every policy window after a total outage of `seconds` at `rate`/s."""
    windows = [timedelta(minutes=m) for m in (5, 30, 60, 120, 360, 1440, 4320)]
    samples = {}
    for w in windows:
        valid = w.total_seconds() * rate
        bad = min(seconds, w.total_seconds()) * rate
        samples[w] = burn_sample(valid - bad, valid, objective)
    return samples


def test_a_total_outage_fires_every_pair(workbook: Policy) -> None:
    fired = evaluate_conditions(_outage(300, rate=1.0, objective=0.999), workbook)
    assert [(c.pair, c.severity) for c in fired] == [
        ("page-1h", "page"),
        ("page-6h", "page"),
        ("ticket-1d", "ticket"),
        ("ticket-3d", "ticket"),
    ]
    assert fired[0].factor == 14.4


def test_a_calm_service_fires_nothing(workbook: Policy) -> None:
    assert evaluate_conditions(_outage(0, rate=1.0, objective=0.999), workbook) == []


def test_a_quiet_night_with_one_failed_call_does_not_page(workbook: Policy) -> None:
    # 4 calls an hour at night, 1 failed in the last 5 minutes: a huge burn, one event.
    burns = {w: burn_sample(0, 1, 0.9995) for w in workbook.windows()}
    burns[HOUR] = burn_sample(3, 4, 0.9995)
    assert evaluate_conditions(burns, workbook, min_bad_events=0) != []
    assert evaluate_conditions(burns, workbook, min_bad_events=3) == []


def test_one_stray_failure_does_not_page_again_while_the_long_window_holds_an_incident(
    workbook: Policy,
) -> None:
    # Two hours after a 20-minute outage of a small SAMU (6 calls in 30 minutes), one normal
    # failure: the 6 h window still burns with the outage, the 30 min window with one call.
    burns = {w: burn_sample(100, 100, 0.9995) for w in workbook.windows()}
    burns[timedelta(hours=6)] = burn_sample(60, 80, 0.9995)
    burns[timedelta(minutes=30)] = burn_sample(5, 6, 0.9995)
    assert [c.pair for c in evaluate_conditions(burns, workbook, min_bad_events=3)] == ["page-6h"]
    assert evaluate_conditions(burns, workbook, min_bad_events=3, min_bad_short=2) == []
    burns[timedelta(minutes=30)] = burn_sample(4, 6, 0.9995)  # it is happening again
    fired = evaluate_conditions(burns, workbook, min_bad_events=3, min_bad_short=2)
    assert [c.pair for c in fired] == ["page-6h"]


def test_a_class_that_does_not_page_gets_tickets(workbook: Policy) -> None:
    fired = evaluate_conditions(_outage(300, 1.0, 0.999), workbook, pages=False)
    assert {c.severity for c in fired} == {"ticket"}


def test_no_data_never_fires_a_burn_pair(workbook: Policy) -> None:
    burns = {w: BurnSample(None, 0, 0) for w in workbook.windows()}
    assert evaluate_conditions(burns, workbook) == []


def test_a_missing_window_is_an_error_not_a_silence(workbook: Policy) -> None:
    burns = _outage(300, 1.0, 0.999)
    del burns[timedelta(minutes=5)]
    with pytest.raises(PolicyError, match="0:05:00"):
        evaluate_conditions(burns, workbook)


def test_evaluating_conditions_does_not_mutate_its_inputs(workbook: Policy) -> None:
    burns = _outage(300, 1.0, 0.999)
    snapshot = copy.deepcopy(burns)
    evaluate_conditions(burns, workbook, min_bad_events=3)
    assert burns == snapshot


def test_the_guards_are_data_with_derived_heartbeat_window() -> None:
    policies = load_policy()
    guards = policies.guards
    assert guards.heartbeat_window == timedelta(seconds=30)
    assert guards.probe_failed_minutes == 2
    assert guards.traffic_collapse.below_fraction == pytest.approx(0.2)
    assert guards.traffic_collapse.for_minutes == 10
    assert guards.traffic_collapse.min_baseline_events == 5
    assert guards.no_data_after == timedelta(minutes=5)
    assert guards.budget_forecast == timedelta(days=3)


def test_classes_carry_their_paging_and_guards() -> None:
    classes = load_policy().classes
    assert classes["critical"].pages and classes["critical"].guards.min_bad_events == 3
    assert classes["high"].guards.min_bad_events == 5
    assert not classes["low"].pages
    assert classes["low"].guards.budget_forecast is None


BAD_POLICY = """\
apiVersion: vigie/v1
kind: AlertPolicy
policies:
  workbook:
    period: 30d
    pairs:
      - {name: page-1h, severity: page, budget_percent: 2, long: 5m, short: 1h}
classes:
  critical: {policy: workbook, pages: true}
  high: {policy: workbook, pages: true}
  low: {policy: nowhere, pages: false}
"""


def test_an_inconsistent_policy_file_is_refused_with_lines(tmp_path: Path) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text(BAD_POLICY, encoding="utf-8")
    with pytest.raises(SpecError) as caught:
        load_policy(path)
    messages = [str(issue) for issue in caught.value.issues]
    assert any(":7: policies.workbook.pairs[0]: windows must nest" in m for m in messages)
    assert any(":11: classes.low.policy: unknown policy 'nowhere'" in m for m in messages)
