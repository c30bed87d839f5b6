"""Plans of migration waves: YAML and CSV read to the same waves, every problem at file:line."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from store.registry import load_registry
from waves.errors import PlanError
from waves.model import Move
from waves.plan import load_plan, plan_text

DATA = Path(__file__).parent / "data" / "waves"
KNOWN = frozenset(load_registry().ids())


def problems(path: Path) -> list[str]:
    with pytest.raises(PlanError) as caught:
        load_plan(path, KNOWN)
    return list(caught.value.problems)


def test_a_yaml_plan_gives_its_waves_with_defaults_and_times_in_utc() -> None:
    plan = load_plan(DATA / "good.yaml", KNOWN)
    four, five = plan.waves
    assert four.id == "vague-4" and four.title == "Vague 4 : Grand Est"
    assert four.starts_at == datetime(2026, 11, 17, 21, tzinfo=UTC)
    assert four.ends_at == datetime(2026, 11, 18, 5, tzinfo=UTC)
    assert four.moves == (
        Move("fr.health.samu054", "hebergement-regional", "cloud-souverain"),
        Move("fr.health.samu055", "hebergement-regional", "cloud-souverain"),
        Move("fr.health.samu057", "datacentre-metz", "cloud-souverain"),
    )
    assert four.reason == "hébergeur régional en fin de contrat"
    assert five.title == "Migration vague-5"  # a wave without a title is named after its id
    assert five.starts_at == datetime(2026, 12, 1, 22, tzinfo=UTC)
    assert plan.warnings == ()


def test_a_csv_plan_exported_from_a_spreadsheet_reads_as_the_same_wave() -> None:
    """Semicolons and a byte-order mark (a French spreadsheet's CSV); later rows of a wave may
    leave its title, night and approver empty."""
    from_csv = load_plan(DATA / "good.csv", KNOWN).waves
    from_yaml = load_plan(DATA / "good.yaml", KNOWN).waves[0]
    assert len(from_csv) == 1
    assert from_csv[0].moves == from_yaml.moves
    assert (from_csv[0].starts_at, from_csv[0].ends_at) == (from_yaml.starts_at, from_yaml.ends_at)
    assert from_csv[0].approved_by == from_yaml.approved_by


def test_every_problem_of_a_yaml_plan_is_reported_at_once_with_its_line() -> None:
    found = problems(DATA / "bad.yaml")
    file = str(DATA / "bad.yaml")
    assert found == [
        f"{file}:4: waves[0].night.start: Value error, needs a UTC offset, e.g. "
        "2026-11-17T22:00:00+01:00",
        f"{file}:13: waves[0].colour: Extra inputs are not permitted",
    ]


def test_samu_and_night_problems_are_found_once_the_plan_is_well_formed(tmp_path: Path) -> None:
    text = (DATA / "bad.yaml").read_text().replace("T22:00:00,", "T22:00:00+01:00,")
    text = text.replace("    colour: blue\n", "")
    path = tmp_path / "plan.yaml"
    path.write_text(text)
    assert problems(path) == [
        f"{path}:10: waves[0].samu[1]: unknown SAMU id '057' (did you mean fr.health.samu057?)",
        f"{path}:11: waves[0].samu[2]: fr.health.samu054 is already in this wave",
        f"{path}:12: waves[0].samu[3]: moves from 'b' to the same platform",
        f"{path}:14: waves[1].night.end: a migration night lasts at most 24 h",
    ]


def test_a_samu_moved_twice_in_overlapping_nights_and_a_wave_id_used_twice_are_refused() -> None:
    file = str(DATA / "overlap.yaml")
    assert problems(DATA / "overlap.yaml") == [
        f"{file}:15: waves[2].id: wave vague-4 is already defined on line 3",
        f"{file}:9: waves[1]: fr.health.samu055 is also moved by wave vague-4 in an "
        "overlapping night",
    ]


def test_a_csv_plan_names_the_row_of_each_problem() -> None:
    file = str(DATA / "bad.csv")
    assert problems(DATA / "bad.csv") == [
        f"{file}:3: waves[0].title: 'Autre titre' differs from 'Vague 1' on line 2",
        f"{file}:3: waves[0].samu[1]: unknown SAMU id 'fr.health.samu999'",
    ]


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("p.csv", "wave,samu\nv,fr.health.samu054\n", "missing column(s) title, night_start"),
        ("p.yaml", "version: 1\nwaves: [\n", "invalid YAML"),
        ("p.yaml", "", ":1: the plan is empty"),
        ("p.yaml", "version: 2\nwaves: []\n", "version: Input should be 1"),
    ],
)
def test_malformed_plans_are_refused_in_one_sentence(name: str, text: str, message: str) -> None:
    with pytest.raises(PlanError, match=None) as caught:
        plan_text(text, name, KNOWN)
    assert message in str(caught.value)


def test_a_night_moving_more_than_ten_samu_is_accepted_with_a_warning(tmp_path: Path) -> None:
    ids = sorted(KNOWN)[:11]
    body = "\n".join(f"      - {i}" for i in ids)
    path = tmp_path / "big.yaml"
    path.write_text(
        "version: 1\nwaves:\n  - id: big\n    night: {start: 2026-11-17T22:00:00+01:00, "
        "end: 2026-11-18T06:00:00+01:00}\n    approved_by: ANS\n    from: a\n    to: b\n"
        f"    samu:\n{body}\n"
    )
    plan = load_plan(path, KNOWN)
    assert len(plan.waves[0].moves) == 11
    assert plan.warnings == (
        f"{path}:3: wave big moves 11 SAMU in one night (the largest waves so far moved 10)",
    )


def test_a_file_that_is_not_a_plan_is_named(tmp_path: Path) -> None:
    with pytest.raises(PlanError, match=r"\.yaml, \.yml or \.csv"):
        load_plan(DATA / "good.yaml.txt", KNOWN)
    with pytest.raises(PlanError, match="cannot read the plan"):
        load_plan(tmp_path / "missing.csv", KNOWN)
    missing = tmp_path / "from-to.yaml"
    missing.write_text(
        "version: 1\nwaves:\n  - id: v\n    night: {start: 2026-11-17T22:00:00+01:00, "
        "end: 2026-11-18T06:00:00+01:00}\n    approved_by: ANS\n    samu: [fr.health.samu054]\n"
    )
    with pytest.raises(PlanError, match=r":6: waves\[0\]\.samu\[0\]: the platform it moves from"):
        load_plan(missing, KNOWN)
