"""Spec files: the shipped specs, known-good and known-bad files, overrides, the CLI."""

from __future__ import annotations

import copy
from datetime import timedelta
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from slo import spec as s
from slo.catalogue import Catalogue
from slo.errors import SpecError
from slo.loader import check_dir, check_text, load_policy, load_specs
from slo.mapping import UNIT_WARNING, map_document
from slo.model import (
    SLO,
    CountFilter,
    FreshnessSLI,
    LatencySLI,
    RatioSLI,
    SamuSelector,
    Timeslices,
)
from slo.policy import PolicySet
from slo.windows import CalendarWindow, RollingWindow
from vigie import defaults
from vigie.catalogue import conventions_catalogue
from vigie.commands.slo_cmds import slo_group

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = defaults.SLO_DIR
DATA = Path(__file__).parent / "data" / "slo"


@pytest.fixture(scope="module")
def policies() -> PolicySet:
    return load_policy()


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return conventions_catalogue()


@pytest.fixture(scope="module")
def shipped(policies: PolicySet, catalogue: Catalogue) -> dict[str, SLO]:
    result = load_specs(SHIPPED, catalogue, policies)
    assert result.warnings == ()
    return {slo.id: slo for slo in result.slos}


def test_the_shipped_specs_implement_the_catalogue(shipped: dict[str, SLO]) -> None:
    assert set(shipped) == {
        "s1-call-setup",
        "s1-call-setup-national",
        "s1-call-setup-monthly",
        "s2-setup-latency-under-1s",
        "s2-setup-latency-under-3s",
        "s3-reachability",
        "o1-telemetry-freshness",
    }


def test_s1_counts_setups_without_caller_hangups(shipped: dict[str, SLO]) -> None:
    s1 = shipped["s1-call-setup"]
    assert s1.objective == pytest.approx(0.9995)
    assert s1.sli == RatioSLI(
        "samu.call.setups",
        good=CountFilter(frozenset({"success"})),
        valid=CountFilter(frozenset({"success", "failed", "rejected", "timeout"})),
    )
    assert s1.window == RollingWindow(timedelta(days=28))
    assert s1.scope == "samu" and s1.by_component
    assert shipped["s1-call-setup-national"].objective == pytest.approx(0.9999)
    assert shipped["s1-call-setup-national"].scope == "national"
    monthly = shipped["s1-call-setup-monthly"]
    assert monthly.window == CalendarWindow("month", "Europe/Paris")
    assert not monthly.alerting.enabled


def test_s2_is_two_slos_on_bucket_bounds(shipped: dict[str, SLO]) -> None:
    fast, slow = shipped["s2-setup-latency-under-1s"], shipped["s2-setup-latency-under-3s"]
    assert fast.sli == LatencySLI("samu.call.setup.duration", 1.0, CountFilter())
    assert slow.sli == LatencySLI("samu.call.setup.duration", 3.0, CountFilter())
    assert (fast.objective, slow.objective) == (pytest.approx(0.99), pytest.approx(0.999))
    assert fast.spec_id == slow.spec_id == "s2-setup-latency"


def test_s3_and_o1_budget_minutes_and_silence_is_bad(shipped: dict[str, SLO]) -> None:
    s3 = shipped["s3-reachability"]
    assert s3.budgeting == Timeslices(slice_minutes=1, slice_target=1.0, no_data="bad")
    assert isinstance(s3.sli, RatioSLI) and s3.sli.metric == "samu.probe.calls"
    assert s3.alerting.guards.probe_failed_minutes == 2
    o1 = shipped["o1-telemetry-freshness"]
    assert o1.sli == FreshnessSLI(max_lag_s=60.0, min_points=1)
    assert o1.budgeting == Timeslices(1, 1.0, "bad")
    assert not o1.alerting.pages  # class low: tickets only


def test_s4_is_a_guard_without_a_budget(policies: PolicySet, catalogue: Catalogue) -> None:
    guards = load_specs(SHIPPED, catalogue, policies).guards
    assert [g.id for g in guards] == ["s4-traffic-plausibility"]
    collapse = guards[0].collapse
    assert (collapse.below_fraction, collapse.for_minutes, collapse.min_baseline_events) == (
        pytest.approx(0.2),
        10,
        5,
    )
    assert guards[0].baseline.holidays == "FR"


@pytest.mark.parametrize(
    ("file", "expected"),
    [
        ("unknown-key.yaml", ":12: sli.treshold: unknown key 'treshold'"),
        ("latency-off-bound.yaml", ":10: sli.threshold: threshold 1.5 s is not a bucket bound"),
        ("rolling-with-timezone.yaml", ":11: window: a rolling window has no time zone"),
        ("good-not-valid.yaml", ":10: sli.good: good counts ['caller_cancelled'] that valid"),
        ("unknown-outcome.yaml", ":10: sli.good.outcome: unknown outcome(s) ['sucess']"),
        ("objective-out-of-range.yaml", ":6: objective: Input should be less than 100"),
        ("timeslice-occurrences.yaml", ":11: budgeting: a timeslice SLI budgets time slices"),
        ("unknown-timezone.yaml", ":11: window.timezone: unknown time zone 'Europe/Pariss'"),
        ("wrong-api-version.yaml", ":1: apiVersion: unsupported apiVersion 'openslo/v1'"),
        ("unknown-policy.yaml", ":13: alerting.policy: unknown alert policy 'sloth'"),
        ("duplicate-key.yaml", ":7: objective: duplicate key"),
        ("override-bad-samu.yaml", ":13: overrides[0].samu.ids[0]: 'samu75' is not a SAMU id"),
    ],
)
def test_known_bad_specs_fail_with_file_line_and_path(
    file: str, expected: str, policies: PolicySet, catalogue: Catalogue
) -> None:
    path = DATA / "bad" / file
    report = check_text(path.read_text(encoding="utf-8"), str(path), policies, catalogue)
    assert report.slos == ()
    messages = [str(issue) for issue in report.errors]
    assert len(messages) == 1, messages
    assert messages[0].startswith(f"{path}{expected}"), messages


def test_every_known_bad_file_is_covered(policies: PolicySet, catalogue: Catalogue) -> None:
    reports = check_dir(DATA / "bad", catalogue, policies)
    assert len(reports) == 12
    assert all(report.errors for report in reports)


def test_loading_a_bad_directory_raises_every_error(
    policies: PolicySet, catalogue: Catalogue
) -> None:
    with pytest.raises(SpecError) as caught:
        load_specs(DATA / "bad", catalogue, policies)
    assert len(caught.value.issues) == 12


def test_an_objective_that_looks_like_a_fraction_is_warned(
    policies: PolicySet, catalogue: Catalogue
) -> None:
    result = load_specs(DATA / "good" / "objective-fraction.yaml", catalogue, policies)
    assert [slo.objective for slo in result.slos] == [pytest.approx(0.00999)]
    assert [str(w) for w in result.warnings] == [
        f"{DATA / 'good' / 'objective-fraction.yaml'}:7: objective: {UNIT_WARNING}"
    ]


def test_fleet_selection_and_per_samu_overrides(policies: PolicySet, catalogue: Catalogue) -> None:
    slos = {
        slo.id: slo
        for slo in load_specs(DATA / "good" / "fleet-overrides.yaml", catalogue, policies).slos
    }
    slo = slos["s1-overseas"]
    assert slo.window == CalendarWindow("quarter", "America/Guadeloupe")
    assert slo.fleet == SamuSelector(
        all=False,
        match=(("overseas", frozenset({"true"})),),
        exclude=frozenset({"fr.health.samu976"}),
    )
    overseas = {"overseas": True, "region": "Guadeloupe"}
    assert slo.fleet.matches("fr.health.samu971", overseas)
    assert not slo.fleet.matches("fr.health.samu976", overseas)
    assert not slo.fleet.matches("fr.health.samu075", {"overseas": False})
    assert slo.sli == RatioSLI(
        "samu.call.setups",
        CountFilter(frozenset({"success"}), components=frozenset({"telephony", "carrier"})),
        CountFilter(
            frozenset({"success", "failed", "rejected", "timeout"}),
            components=frozenset({"telephony", "carrier"}),
        ),
    )
    gpe = slo.target_for("fr.health.samu971", overseas)
    assert gpe.objective == pytest.approx(0.995) and gpe.guards.min_bad_events == 10
    guyane = slo.target_for("fr.health.samu973", {"overseas": True, "region": "Guyane"})
    assert guyane.objective == pytest.approx(0.999)
    assert guyane.guards.probe_failed_minutes == 3 and guyane.guards.budget_forecast is None
    other = slo.target_for("fr.health.samu974", {"overseas": True, "region": "La Réunion"})
    assert other.guards == slo.alerting.guards
    assert not slo.alerting.pages and slo.labels == (("team", "outre-mer"),)
    slices = slos["s2-latency-slices"]
    assert slices.sli == LatencySLI("samu.call.setup.duration", 1.0, CountFilter())
    assert slices.budgeting == Timeslices(5, 0.95, "skip")


def test_an_id_defined_twice_is_an_error(
    tmp_path: Path, policies: PolicySet, catalogue: Catalogue
) -> None:
    text = (SHIPPED / "s1-call-setup.yaml").read_text(encoding="utf-8")
    (tmp_path / "a.yaml").write_text(text, encoding="utf-8")
    (tmp_path / "b.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(SpecError, match="'s1-call-setup' already defined in"):
        load_specs(tmp_path, catalogue, policies)


def test_invalid_yaml_reports_its_line(policies: PolicySet, catalogue: Catalogue) -> None:
    report = check_text(
        "apiVersion: vigie/v1\nkind: SLO\nid: [unclosed\n", "x.yaml", policies, catalogue
    )
    assert len(report.errors) == 1
    assert str(report.errors[0]).startswith("x.yaml:")
    assert "invalid YAML" in str(report.errors[0])


def test_a_missing_key_is_reported_at_its_parent(policies: PolicySet, catalogue: Catalogue) -> None:
    text = "apiVersion: vigie/v1\nkind: SLO\nid: x\nname: X\nclass: high\nobjective: 99\n"
    text += "sli:\n  kind: ratio\n  metric: samu.call.setups\nwindow: {rolling: 28d}\n"
    report = check_text(text, "x.yaml", policies, catalogue)
    assert [str(e) for e in report.errors] == ["x.yaml:7: sli.good: missing required key"]


def test_mapping_does_not_mutate_the_spec(policies: PolicySet, catalogue: Catalogue) -> None:
    data = yaml.safe_load((SHIPPED / "s1-call-setup.yaml").read_text(encoding="utf-8"))
    spec = s.SloSpec.model_validate(data)
    before = copy.deepcopy(spec.model_dump())
    map_document(spec, policies, catalogue)
    map_document(spec, policies, catalogue)
    assert spec.model_dump() == before


def test_cli_validate_accepts_the_shipped_specs() -> None:
    result = CliRunner().invoke(slo_group, ["validate", str(SHIPPED)])
    assert result.exit_code == 0, result.output
    assert f"OK {SHIPPED / 's1-call-setup.yaml'}: s1-call-setup" in result.output


def test_cli_validate_fails_on_errors_and_prints_warnings() -> None:
    bad = CliRunner().invoke(slo_group, ["validate", str(DATA / "bad")])
    assert bad.exit_code == 1
    assert "unknown-key.yaml:12: sli.treshold: unknown key 'treshold'" in bad.output
    good = CliRunner().invoke(slo_group, ["validate", str(DATA / "good")])
    assert good.exit_code == 0
    assert "warning:" in good.output and "objective looks like 0–1" in good.output
