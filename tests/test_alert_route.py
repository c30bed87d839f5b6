"""Routing: depth-first with `continue`, inherited options and Alertmanager's group keys."""

from __future__ import annotations

import copy
from datetime import timedelta
from pathlib import Path

import pytest

from alerts.config import AlertingConfig, load_config, parse_config
from alerts.route import receivers_for

DATA = Path(__file__).parent / "data" / "alertmanager"
PAGE = '{}/{severity="page"}'


@pytest.fixture(scope="module")
def samu() -> AlertingConfig:
    return load_config(DATA / "good_samu.yml")


ROUTING_CASES = [
    (
        "the watchdog goes to the dead man's switch only",
        {"alertname": "Watchdog"},
        [("watchdog", '{}/{alertname="Watchdog"}:{alertname="Watchdog"}')],
    ),
    (
        "a Paris page goes to Île-de-France on-call (grouped by all labels) and the managers",
        {
            "alertname": "CallSetupErrors",
            "severity": "page",
            "samu": "075",
            "slo": "call-setup-success",
            "component": "sbc",
            "env": "prod",
        },
        [
            (
                "oncall-idf",
                PAGE + '/{samu=~"0?75|9[2-4]"}:{alertname="CallSetupErrors", component="sbc", '
                'env="prod", samu="075", severity="page", slo="call-setup-success"}',
            ),
            (
                "samu-managers",
                '{}/{samu!="",team!~"platform|noc"}:{alertname="CallSetupErrors", samu="075"}',
            ),
        ],
    ),
    (
        "an overseas page also informs the entraide partner thanks to continue",
        {
            "alertname": "SamuUnreachable",
            "severity": "page",
            "samu": "971",
            "entraide": "972",
            "env": "prod",
        },
        [
            (
                "oncall-outremer",
                PAGE + '/{samu=~"97[1-46]"}:{alertname="SamuUnreachable", samu="971"}',
            ),
            (
                "entraide",
                '{}/{entraide!="",severity="page"}:{alertname="SamuUnreachable", samu="971"}',
            ),
            (
                "samu-managers",
                '{}/{samu!="",team!~"platform|noc"}:{alertname="SamuUnreachable", samu="971"}',
            ),
        ],
    ),
    (
        "a page no child matches stays on the continuing parent (a probe in Marseille)",
        {
            "alertname": "SetupLatency",
            "severity": "page",
            "samu": "013",
            "team": "noc",
            "component": "probe",
            "slo": "call-setup-latency",
            "env": "prod",
        },
        [("oncall-national", PAGE + ':{alertname="SetupLatency", samu="013"}')],
    ),
    (
        "a freshness ticket goes to the platform team, grouped by the parent's samu and slo",
        {
            "alertname": "TelemetryLate",
            "severity": "ticket",
            "samu": "2A",
            "slo": "freshness",
            "team": "platform",
        },
        [
            (
                "platform-team",
                '{}/{severity=~"ticket|info"}/{slo=~"^(?:freshness|delivery)$"}'
                ':{samu="2A", slo="freshness"}',
            )
        ],
    ),
    (
        "nothing matches: the root receiver, grouped by alertname only",
        {"alertname": "DiskFull", "severity": "warning", "team": "noc", "env": "prod"},
        [("noc-national", '{}:{alertname="DiskFull"}')],
    ),
    (
        'an absent env matches env="" and continues to the vendor route',
        {"alertname": "TrunkDown", "component": "sip-trunk"},
        [
            ("unlabelled", '{}/{env=""}:{alertname="TrunkDown"}'),
            ("telephony-vendor", '{}/{component=~"(?i)GENESYS|sip-.+"}:{alertname="TrunkDown"}'),
        ],
    ),
    (
        "a case-insensitive regex matches a lower-case component",
        {"alertname": "AcdDown", "component": "genesys", "env": "prod"},
        [("telephony-vendor", '{}/{component=~"(?i)GENESYS|sip-.+"}:{alertname="AcdDown"}')],
    ),
]


@pytest.mark.parametrize(
    ("name", "labels", "expected"), ROUTING_CASES, ids=[c[0] for c in ROUTING_CASES]
)
def test_samu_tree_routes_and_group_keys(
    samu: AlertingConfig, name: str, labels: dict[str, str], expected: list[tuple[str, str]]
) -> None:
    routes = samu.route.match(labels)
    assert [(r.opts.receiver, r.group_key(labels)) for r in routes] == expected
    assert receivers_for(samu.route, labels) == [receiver for receiver, _ in expected]


def test_options_are_inherited_with_alertmanager_defaults(samu: AlertingConfig) -> None:
    by_receiver = {r.opts.receiver: r.opts for r in samu.route.walk()}
    assert by_receiver["noc-national"].group_wait == timedelta(seconds=30)
    assert by_receiver["oncall-telephony"].group_wait == timedelta(seconds=10)
    assert by_receiver["watchdog"].repeat_interval == timedelta(minutes=1)
    assert by_receiver["platform-team"].repeat_interval == timedelta(days=1)
    assert by_receiver["platform-team"].group_by == frozenset({"samu", "slo"})
    assert by_receiver["oncall-idf"].group_by_all


def test_defaults_apply_when_nothing_is_configured() -> None:
    config = parse_config("route: {receiver: r}\nreceivers: [{name: r}]\n")
    opts = config.route.opts
    assert (opts.group_wait, opts.group_interval, opts.repeat_interval) == (
        timedelta(seconds=30),
        timedelta(minutes=5),
        timedelta(hours=4),
    )
    assert opts.group_by == frozenset() and not opts.group_by_all
    assert config.route.group_key({"a": "b"}) == "{}:{}"


TREE = """
route:
  receiver: root
  group_by: [alertname]
  routes:
    - matchers: [a="1"]
      group_by: ['...']
      mute_time_intervals: [night]
      routes:
        - matchers: [b="1"]
        - matchers: [b="2"]
          group_by: []
          routes:
            - matchers: [c="1"]
              group_by: [c]
              receiver: leaf
receivers: [{name: root}, {name: leaf}]
time_intervals:
  - name: night
    time_intervals: [{times: [{start_time: "00:00", end_time: "06:00"}]}]
"""


def test_group_by_quirks_and_intervals_are_not_inherited() -> None:
    route = parse_config(TREE).route
    parent = route.routes[0]
    child, empty_group_by = parent.routes
    assert child.opts.group_by_all and child.opts.receiver == "root"
    # `group_by: []` names no label, so Alertmanager keeps the parent's grouping (all).
    assert empty_group_by.opts.group_by_all
    leaf = empty_group_by.routes[0]
    assert leaf.opts.group_by == frozenset({"c"}) and not leaf.opts.group_by_all
    assert parent.opts.mute_time_intervals == ("night",)
    assert child.opts.mute_time_intervals == ()


def test_route_keys_and_ids_follow_alertmanager() -> None:
    route = parse_config(TREE).route
    assert [r.key for r in route.walk()] == [
        "{}",
        '{}/{a="1"}',
        '{}/{a="1"}/{b="1"}',
        '{}/{a="1"}/{b="2"}',
        '{}/{a="1"}/{b="2"}/{c="1"}',
    ]
    assert [r.id for r in route.walk()][:3] == ["{}", '{}/{a="1"}/0', '{}/{a="1"}/{b="1"}/0']


def test_routing_does_not_mutate_its_inputs(samu: AlertingConfig) -> None:
    labels = {"alertname": "X", "severity": "page", "samu": "075"}
    before_labels = copy.deepcopy(labels)
    before_keys = [(r.id, r.opts) for r in samu.route.walk()]
    for route in samu.route.match(labels):
        route.group_key(labels)
        route.group_labels(labels)["samu"] = "changed"
    assert labels == before_labels
    assert [(r.id, r.opts) for r in samu.route.walk()] == before_keys
