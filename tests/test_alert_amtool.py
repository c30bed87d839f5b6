"""Our routing, trees and validation agree with the real amtool (Debian prometheus-alertmanager).

A seeded corpus of label sets runs through `amtool config routes test` for each tree; every
receiver list must equal ours. The routing tree must print exactly as `amtool config routes show`,
and every known-good/bad file must be accepted or rejected as amtool does.
"""

from __future__ import annotations

import random
import re
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml

from alerts.config import load_config
from alerts.errors import ConfigError
from alerts.matchers import Matcher
from alerts.route import Route, receivers_for
from tests.conftest import require_peer
from vigie.commands.alerts_cmds import matching_tree, routing_tree

pytestmark = pytest.mark.peer

DATA = Path(__file__).parent / "data" / "alertmanager"
VIGIE_ONLY_RECEIVERS = ("sms_configs", "alertmanager_configs")
TREES = ["good_samu.yml", "good_legacy.yml", "amtool_tricky.yaml"]
CASES_PER_TREE = 80
POOLS = {
    "alertname": ["Watchdog", "CallSetupErrors", "SamuUnreachable", "NodeDown", "X"],
    "severity": ["page", "ticket", "info", "warning", "critical", ""],
    "samu": ["075", "75", "07", "0750", "2A", "2B", "971", "974", "975", "976", "013", "092", ""],
    "slo": ["call-setup-success", "call-setup-latency", "CALL-x", "freshness", "delivery", ""],
    "component": [
        "sbc",
        "probe",
        "genesys",
        "GENESYS",
        "sip-trunk",
        "sip-",
        "acd-12",
        "é",
        "Évry",
        "x1",
        "",
    ],
    "team": ["platform", "noc", "samu", "a", ""],
    "env": ["prod", "pro", "dev", "test", "x", "prod ", ""],
    "entraide": ["972", "076", ""],
    "service": ["500", "50"],
    "quote": ['a,"b', 'She said: "Hi, all!"', "x\ny"],
    "a": ["A", "b", "\\x41", ""],
    "b": ["x", "^x$", ""],
}


def amtool_copy(name: str, folder: Path) -> Path:
    """The file as amtool can read it: Vigie-only receiver types removed."""
    data = yaml.safe_load((DATA / name).read_text(encoding="utf-8"))
    for receiver in data.get("receivers") or []:
        for key in VIGIE_ONLY_RECEIVERS:
            receiver.pop(key, None)
    path = folder / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"') + '"'


def paths(route: Route, above: tuple[Matcher, ...] = ()) -> list[tuple[Matcher, ...]]:
    """For every node, the matchers on the way down to it (its own included)."""
    here = above + route.matchers
    return [here] + [p for child in route.routes for p in paths(child, here)]


def corpus(seed: int, root: Route) -> list[dict[str, str]]:
    """Half random label sets, half aimed at one node of the tree then perturbed."""
    rng = random.Random(seed)
    targets = paths(root)
    cases = []
    for index in range(CASES_PER_TREE):
        names = [n for n in POOLS if rng.random() < 0.55]
        labels = {n: rng.choice(POOLS[n]) for n in names}
        if index % 2:
            for matcher in rng.choice(targets):
                pool = [*POOLS.get(matcher.name, []), matcher.value, ""]
                fitting = [v for v in pool if matcher.matches(v)]
                if fitting:
                    labels[matcher.name] = rng.choice(fitting)
            if rng.random() < 0.5:  # perturb one label: near misses matter most
                name = rng.choice(list(POOLS))
                labels[name] = rng.choice(POOLS[name])
        cases.append(labels)
    return cases


def amtool(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["amtool", *args], capture_output=True, text=True, timeout=30, check=False
    )


def amtool_receivers(config: Path, labels: dict[str, str]) -> str:
    args = [f"{name}={quote(value)}" for name, value in labels.items()]
    done = amtool("config", "routes", "test", f"--config.file={config}", *args)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture(scope="module", autouse=True)
def _amtool() -> None:
    require_peer("amtool")


def test_amtool_is_the_version_whose_output_we_emulate() -> None:
    done = amtool("--version")
    text = done.stdout + done.stderr
    assert re.search(r"amtool, version 0\.(2[5-9]|[3-9][0-9])", text), text


@pytest.mark.parametrize("tree", TREES)
def test_receivers_equal_amtool_on_a_seeded_corpus(tree: str, tmp_path: Path) -> None:
    config = load_config(DATA / tree)
    path = amtool_copy(tree, tmp_path)
    cases = corpus(TREES.index(tree) + 15, config.route)
    with ThreadPoolExecutor(max_workers=2) as pool:
        theirs = list(pool.map(lambda labels: amtool_receivers(path, labels), cases))
    mismatches = [
        (labels, ours, their)
        for labels, their in zip(cases, theirs, strict=True)
        if (ours := ",".join(receivers_for(config.route, labels)) + "\n") != their
    ]
    assert not mismatches, mismatches[:5]
    # The corpus must exercise the tree, not just fall through to the root.
    assert len(set(theirs)) >= 4


@pytest.mark.parametrize("tree", TREES)
def test_routing_tree_prints_exactly_as_amtool_routes_show(tree: str, tmp_path: Path) -> None:
    path = amtool_copy(tree, tmp_path)
    done = amtool("config", "routes", "show", f"--config.file={path}")
    assert done.returncode == 0, done.stderr
    assert routing_tree(load_config(DATA / tree).route) == done.stdout


@pytest.mark.parametrize("tree", TREES)
def test_matching_tree_prints_exactly_as_amtool_routes_test_tree(tree: str, tmp_path: Path) -> None:
    config = load_config(DATA / tree)
    path = amtool_copy(tree, tmp_path)
    for labels in corpus(99, config.route)[:8]:
        args = [f"{name}={quote(value)}" for name, value in labels.items()]
        done = amtool("config", "routes", "test", "--tree", f"--config.file={path}", *args)
        expected = matching_tree(config.route, labels)
        expected += ",".join(receivers_for(config.route, labels)) + "\n"
        assert done.stdout == expected, labels


CHECKED = sorted(p.name for p in DATA.glob("*.yml") if not p.name.startswith("vigie_"))


@pytest.mark.parametrize("name", CHECKED)
def test_files_are_accepted_or_rejected_as_amtool_check_config_does(
    name: str, tmp_path: Path
) -> None:
    try:
        load_config(DATA / name)
        ours = True
    except ConfigError:
        ours = False
    path = DATA / name
    if ours:  # amtool cannot read our receiver extensions
        path = amtool_copy(name, tmp_path)
    assert (amtool("check-config", str(path)).returncode == 0) is ours
