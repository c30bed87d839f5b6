"""`vigie alerts check-config` and `vigie alerts route` print what an operator expects."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from vigie.commands.alerts_cmds import alerts_group

DATA = Path(__file__).parent / "data" / "alertmanager"
SAMU = str(DATA / "good_samu.yml")


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(alerts_group, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_check_config_prints_ok_and_a_summary() -> None:
    code, out, _ = run("check-config", SAMU)
    assert code == 0
    assert out.splitlines()[:3] == [
        f"OK {SAMU}",
        "  receivers: 13 (noc-national, watchdog, oncall-national, oncall-outremer, oncall-idf, "
        "oncall-telephony, entraide, tickets, platform-team, probes, samu-managers, unlabelled, "
        "telephony-vendor)",
        "  routes: 13 (depth 2)",
    ]


def test_check_config_exits_non_zero_with_the_reason() -> None:
    bad = str(DATA / "bad_undefined_receiver.yml")
    code, out, err = run("check-config", SAMU, bad)
    assert code == 1
    assert f"{bad}:5: route.routes[0].receiver: undefined receiver 'oncall-paris'" in err
    assert out.startswith(f"OK {SAMU}")


def test_route_prints_receivers_as_one_comma_separated_line() -> None:
    labels = "alertname=SamuUnreachable,severity=page,samu=971,entraide=972,env=prod"
    code, out, _ = run("route", "--config", SAMU, "--labels", labels)
    assert (code, out) == (0, "oncall-outremer,entraide,samu-managers\n")


def test_route_accepts_amtool_style_positional_labels_and_prints_group_keys() -> None:
    code, out, _ = run("route", "--config", SAMU, "--group-keys", "alertname=Watchdog")
    assert code == 0
    assert out == 'watchdog\nwatchdog\t{}/{alertname="Watchdog"}:{alertname="Watchdog"}\n'


def test_route_tree_without_labels_prints_the_routing_tree() -> None:
    code, out, _ = run("route", "--config", str(DATA / "good_minimal.yml"), "--tree")
    assert (code, out) == (0, "Routing tree:\n.\n└── default-route  receiver: default\n\n")


def test_route_refuses_non_equality_labels() -> None:
    code, _, err = run("route", "--config", SAMU, "--labels", "severity=~page")
    assert code == 2
    assert "labels must be specified as key=value pairs" in err
