"""oncall.yaml validation (file:line problems) and the receivers' `oncall_configs`."""

from __future__ import annotations

import pytest

from alerts.config import parse_config
from alerts.errors import ConfigError
from alerts.oncall.config import load_oncall, parse_oncall
from alerts.oncall.errors import OnCallConfigError
from tests.test_oncall_support import DATA, REGISTRY, good_config


def test_the_known_good_file_maps_to_core_values() -> None:
    config = good_config()
    assert sorted(config.people) == ["alice", "bob", "carol", "dave", "erin", "gaston"]
    assert [r.delay.total_seconds() for r in config.people["alice"].rules()] == [0, 120, 300]
    assert config.policies["samu-page"].repeat == 1
    assert config.entraide.schedule_for("fr.health.samu092", "Île-de-France") == "samu92"
    assert config.entraide.schedule_for("fr.health.samu038", "Auvergne-Rhône-Alpes") == "noc"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "bad_references",
            [
                ":6: people[0].contact_methods[0].address: sms needs an E.164 number",
                ":8: people[0].notification_rules[0].contact: unknown contact method 'pager'",
                ":13: rotations[0].participants[1]: unknown person 'zoe'",
                ":18: schedules[0].layers[0].rules[0].rotation: unknown rotation 'r2'",
                ":19: schedules[0].layers[0].rules[1]: give both start_time and end_time",
                ":23: escalation_policies[0].steps[0].targets[0].schedule: unknown schedule",
                ":26: entraide.default_schedule: unknown schedule 'ghost'",
            ],
        ),
        (
            "bad_fields",
            [
                ":5: people[0].pager: unknown field 'pager'",
                ":8: rotations[0].type: Input should be 'daily' or 'weekly'",
                ":10: rotations[0].handoff: String should match pattern",
                ":12: rotations[0].time_zone: unknown time zone 'Europe/Pariss'",
                ":17: escalation_policies[0].steps[0].delay: not a valid duration string",
            ],
        ),
    ],
)
def test_known_bad_files_list_every_problem_with_its_line(name: str, expected: list[str]) -> None:
    with pytest.raises(OnCallConfigError) as caught:
        load_oncall(DATA / f"{name}.yaml", REGISTRY)
    problems = caught.value.problems
    assert len(problems) == len(expected)
    for problem, fragment in zip(problems, expected, strict=True):
        assert problem.startswith(str(DATA / f"{name}.yaml"))
        assert fragment in problem


def test_an_unknown_samu_is_refused_when_a_registry_is_given() -> None:
    text = "version: 1\npeople:\n  - {id: a, name: A, samu: fr.health.samu999}\n"
    with pytest.raises(OnCallConfigError, match=r"x\.yaml:3: people\[0\]\.samu: unknown SAMU"):
        parse_oncall(text, "x.yaml", REGISTRY)
    assert parse_oncall(text, "x.yaml").people["a"].samu == "fr.health.samu999"


ALERTING = """
route: {receiver: noc}
receivers:
  - name: noc
    oncall_configs:
      - escalation_policy: %s
"""


def test_a_receiver_names_an_escalation_policy_that_exists() -> None:
    policies = good_config().policies
    ok = parse_config(ALERTING % "samu-page", "am.yml", escalation_policies=policies)
    assert ok.receivers["noc"].oncall_configs is not None
    with pytest.raises(ConfigError, match=r"am\.yml:6: .*unknown escalation policy 'nope'"):
        parse_config(ALERTING % "nope", "am.yml", escalation_policies=policies)
    parse_config(ALERTING % "nope", "am.yml")  # without an on-call config, not checked
