"""OpenSLO v1 import: what maps to vigie/v1, and clear refusals naming the field."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from slo.errors import OpenSLOError
from slo.loader import load_policy, load_specs
from slo.model import LatencySLI, RatioSLI, Timeslices
from slo.openslo import import_openslo
from slo.policy import PolicySet
from slo.windows import CalendarWindow
from vigie.catalogue import conventions_catalogue
from vigie.commands.slo_cmds import slo_group

DATA = Path(__file__).parent / "data" / "slo" / "openslo"


@pytest.fixture(scope="module")
def policies() -> PolicySet:
    return load_policy()


def _import(name: str, policies: PolicySet) -> list[dict[str, object]]:
    return list(
        import_openslo(
            (DATA / name).read_text(encoding="utf-8"), policies, conventions_catalogue()
        ).documents
    )


def test_a_bad_over_total_ratio_with_a_burn_rate_alert_imports(policies: PolicySet) -> None:
    [doc] = _import("call-setup.yaml", policies)
    assert doc["id"] == "call-setup-success"
    assert doc["objective"] == 99.95
    assert doc["sli"] == {
        "kind": "ratio",
        "metric": "samu.call.setups",
        "good": {"outcome": ["success"]},
        "valid": {"outcome_not": ["caller_cancelled"]},
    }
    assert doc["window"] == {"rolling": "28d"}
    assert doc["labels"] == {"service": "samu-telephony"}
    # A burn of 14.4 over 1 h of a 30-day period is 2 % of the budget: our factor comes back.
    assert doc["alerting"] == {
        "pairs": [
            {
                "name": "fast-burn",
                "severity": "page",
                "budget_percent": 2.0,
                "long": "1h",
                "short": "5m",
            }
        ]
    }


def test_imported_specs_load_back_as_the_engine_model(tmp_path: Path, policies: PolicySet) -> None:
    result = CliRunner().invoke(
        slo_group, ["import", str(DATA / "call-setup.yaml"), "--out", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    assert "notificationTargets ignored" in result.output
    [slo] = load_specs(tmp_path, conventions_catalogue(), policies).slos
    assert slo.alerting.policy.factors() == {"fast-burn": 14.4}
    assert slo.objective == pytest.approx(0.9995)


def test_a_histogram_bucket_ratio_and_a_probe_time_slice_import(
    tmp_path: Path, policies: PolicySet
) -> None:
    docs = _import("latency-and-probe.yaml", policies)
    for doc in docs:
        (tmp_path / f"{doc['id']}.yaml").write_text(yaml.safe_dump(doc), encoding="utf-8")
    slos = {slo.id: slo for slo in load_specs(tmp_path, conventions_catalogue(), policies).slos}
    latency = slos["setup-latency-under-1s"]
    assert latency.sli == LatencySLI("samu.call.setup.duration", 1.0, latency.sli.valid)
    probe = slos["probe-minutes"]
    assert isinstance(probe.sli, RatioSLI) and probe.sli.metric == "samu.probe.calls"
    assert probe.budgeting == Timeslices(1, 1.0, "skip")
    assert probe.window == CalendarWindow("month", "Europe/Paris")


def test_the_cli_prints_to_stdout_without_out() -> None:
    result = CliRunner().invoke(slo_group, ["import", str(DATA / "latency-and-probe.yaml")])
    assert result.exit_code == 0
    assert "apiVersion: vigie/v1" in result.output


SLO_HEAD = """\
apiVersion: openslo/v1
kind: SLO
metadata: {name: x}
spec:
  service: web
  budgetingMethod: Occurrences
  timeWindow: [{duration: 28d, isRolling: true}]
  objectives: [{target: 0.999}]
"""
GOOD_INDICATOR = """\
  indicator:
    metadata: {name: i}
    spec:
      ratioMetric:
        good: {metricSource: {spec: {query: 'samu.call.setups{outcome="success"}'}}}
        total: {metricSource: {spec: {query: samu.call.setups}}}
"""


def _ratio(good: str, total: str = "samu.call.setups") -> str:
    return SLO_HEAD + (
        "  indicator:\n    metadata: {name: i}\n    spec:\n      ratioMetric:\n"
        f"        good: {{metricSource: {{spec: {{query: '{good}'}}}}}}\n"
        f"        total: {{metricSource: {{spec: {{query: '{total}'}}}}}}\n"
    )


@pytest.mark.parametrize(
    ("text", "field", "reason"),
    [
        pytest.param(
            (DATA / "refused-raw.yaml").read_text(encoding="utf-8"),
            "SLO raw-ratio: spec.indicator.spec.ratioMetric.raw",
            "precomputed ratios",
            id="a precomputed raw ratio is refused",
        ),
        pytest.param(
            (DATA / "refused-threshold.yaml").read_text(encoding="utf-8"),
            "SLO cpu-threshold: spec.indicator.spec.thresholdMetric",
            "latency histograms",
            id="a threshold metric on a gauge is refused",
        ),
        pytest.param(
            (DATA / "refused-alert-after.yaml").read_text(encoding="utf-8"),
            "alertAfter",
            "hold durations are not supported",
            id="an alertAfter hold duration is refused",
        ),
        pytest.param(
            _ratio('http_requests{code="200"}'),
            "spec.query",
            "'http_requests' is not one",
            id="a metric Vigie does not store is refused",
        ),
        pytest.param(
            _ratio('samu.call.setups{instance="a"}'),
            "spec.query",
            "label 'instance'",
            id="a label that is not stored per minute is refused",
        ),
        pytest.param(
            _ratio('samu.call.setups{outcome=~"succ.*"}'),
            "spec.query",
            "is not a|b|c",
            id="a real regular expression is refused",
        ),
        pytest.param(
            _ratio('samu_call_setup_duration_bucket{le="1.5"}', "samu_call_setup_duration_count"),
            "SLO x",
            "not a bucket bound",
            id="a latency bucket off our bounds is refused",
        ),
        pytest.param(
            SLO_HEAD.replace("28d, isRolling: true", "1M, isRolling: true") + GOOD_INDICATOR,
            "timeWindow[0].duration",
            "fixed length",
            id="a rolling month is refused",
        ),
        pytest.param(
            SLO_HEAD.replace(
                "{duration: 28d, isRolling: true}",
                "{duration: 1w, calendar: {startTime: 2026-01-05 00:00:00}}",
            )
            + GOOD_INDICATOR,
            "timeWindow[0].duration",
            "1M, 1Q or 1Y",
            id="a calendar week is refused",
        ),
        pytest.param(
            SLO_HEAD.replace(
                "{duration: 28d, isRolling: true}",
                "{duration: 1M, calendar: {startTime: 2026-01-15 00:00:00}}",
            )
            + GOOD_INDICATOR,
            "calendar.startTime",
            "first day of the month",
            id="a calendar month starting mid-month is refused",
        ),
        pytest.param(
            SLO_HEAD.replace("service: web", "service: web\n  sloFlavour: spicy") + GOOD_INDICATOR,
            "SLO x: spec.sloFlavour",
            "unknown or unsupported field",
            id="an unknown field is refused by name",
        ),
        pytest.param(
            SLO_HEAD.replace("openslo/v1", "openslo/v1alpha") + GOOD_INDICATOR,
            "apiVersion",
            "only openslo/v1",
            id="v1alpha documents are refused",
        ),
    ],
)
def test_unsupported_openslo_is_refused_naming_the_field(
    text: str, field: str, reason: str, policies: PolicySet
) -> None:
    with pytest.raises(OpenSLOError) as caught:
        import_openslo(text, policies, conventions_catalogue())
    assert field in caught.value.field + ": " + caught.value.reason
    assert reason in str(caught.value)


def test_the_cli_reports_a_refusal_and_fails() -> None:
    result = CliRunner().invoke(slo_group, ["import", str(DATA / "refused-raw.yaml")])
    assert result.exit_code == 1
    assert "cannot import" in result.output and "ratioMetric.raw" in result.output
