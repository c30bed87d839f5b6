"""Known-good and known-bad alertmanager.yml files: each bad one fails with its reason and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from alerts.config import load_config, parse_config
from alerts.errors import ConfigError
from alerts.matchers import MatchType

DATA = Path(__file__).parent / "data" / "alertmanager"

GOOD = sorted(p.name for p in DATA.glob("good_*.yml"))

BAD = [
    ("bad_root_matchers.yml", 1, "root route must not have any matchers"),
    ("bad_root_continue.yml", 3, "cannot have continue in root route"),
    ("bad_root_no_receiver.yml", 1, "root route must specify a default receiver"),
    ("bad_undefined_receiver.yml", 5, "undefined receiver 'oncall-paris' used in route"),
    ("bad_duplicate_receiver.yml", 5, "receiver name 'default' is not unique"),
    ("bad_undefined_interval.yml", 5, "undefined time interval 'weekend' used in route"),
    ("bad_duration.yml", 5, "not a valid duration string: '5x'"),
    ("bad_group_by_wildcard.yml", 3, "cannot have wildcard group_by"),
    ("bad_regex_lookahead.yml", 4, "error parsing regexp"),
    ("bad_unknown_key.yml", 5, "route.routes[0].recevier: unknown field 'recevier'"),
    ("bad_matcher_quote.yml", 4, "unescaped double quote"),
    ("bad_weekday.yml", 8, "funday is not a valid weekday"),
    ("bad_zero_group_interval.yml", 3, "group_interval cannot be zero"),
    ("bad_duplicate_key.yml", 5, "mapping key 'route' already defined"),
    ("bad_email_no_smarthost.yml", 6, "no global SMTP smarthost set"),
    ("bad_time_zone.yml", 9, "unknown time zone 'Europe/Lutece'"),
    ("bad_empty.yml", None, "no route provided in config"),
    ("vigie_bad_slack.yml", 5, "receiver type 'slack_configs' is not supported by Vigie 15"),
    ("vigie_bad_sms_number.yml", 7, "receivers[0].sms_configs[0].to[0]"),
]


@pytest.mark.parametrize("name", GOOD)
def test_known_good_files_load(name: str) -> None:
    config = load_config(DATA / name)
    assert config.route.opts.receiver in config.receivers


def test_every_bad_file_in_the_folder_has_an_expectation() -> None:
    on_disk = {p.name for p in DATA.glob("*.yml")} - set(GOOD)
    assert on_disk == {name for name, _, _ in BAD}


@pytest.mark.parametrize(("name", "line", "reason"), BAD, ids=[b[0] for b in BAD])
def test_known_bad_files_fail_with_file_line_and_reason(
    name: str, line: int | None, reason: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(DATA / name)
    first = caught.value.problems[0]
    where = f"{DATA / name}:{line}: " if line else f"{DATA / name}: "
    assert first.startswith(where), first
    assert reason in first


def test_every_problem_is_reported_not_only_the_first() -> None:
    text = "route:\n  receiver: nope\n  routes:\n  - receiver: nada\nreceivers: [{name: x}]\n"
    with pytest.raises(ConfigError) as caught:
        parse_config(text, source="am.yml")
    assert caught.value.problems == [
        "am.yml:2: route.receiver: undefined receiver 'nope' used in route",
        "am.yml:4: route.routes[0].receiver: undefined receiver 'nada' used in route",
    ]


def test_legacy_syntax_maps_to_matchers_like_alertmanager() -> None:
    config = load_config(DATA / "good_legacy.yml")
    crit = config.route.routes[0]
    assert crit.key == '{}/{samu=~"^(?:0[0-9]{2})$",service="500",severity="critical"}'
    assert crit.opts.group_by_all
    rule = config.inhibit_rules[0]
    assert [(m.type, m.name) for m in rule.target_matchers] == [(MatchType.REGEXP, "alertname")]
    assert rule.equal == frozenset({"instance"})
    assert set(config.time_intervals) == {"maintenance"}


def test_yaml_anchors_and_merge_keys_work() -> None:
    text = (
        "route:\n  receiver: r\n  routes:\n  - &page {matchers: [a=b], receiver: r}\n"
        "  - <<: *page\n    matchers: [a=c]\nreceivers: [{name: r}]\n"
    )
    route = parse_config(text).route
    assert [r.key for r in route.routes] == ['{}/{a="b"}', '{}/{a="c"}']


def test_email_settings_fall_back_to_global() -> None:
    config = load_config(DATA / "good_samu.yml")
    email = config.receivers["noc-national"].email_configs
    assert email is not None
    assert email[0].smarthost == "smtp.vigie15.sante.local:587"
    assert email[0].from_ == "vigie15@ans.sante.local"
    assert email[0].require_tls is True
    assert config.templates == (str(DATA / "templates/*.tmpl"),)
