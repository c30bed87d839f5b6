"""YAML alias bombs, recursive aliases and deep nesting are refused by every config loader.

Each loader of operator YAML is given a hostile document and must raise its own config error at
once, with a clear message: the guard (`store.yamlsafe.GuardedLoader`) counts expanded nodes on
the shared node graph, so refusing never expands anything. A known-good file rewritten to share
its repeated values through anchors and aliases must still load to the same result.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from alerts.config import load_config
from alerts.errors import ConfigError
from alerts.oncall.config import load_oncall
from alerts.oncall.errors import OnCallConfigError
from alerts.route import Route
from collector.simulator.errors import ScenarioError
from collector.simulator.scenario_spec import load_scenarios
from slo.catalogue import Catalogue
from slo.errors import OpenSLOError, SpecError
from slo.loader import load_policy, load_specs
from slo.openslo import import_openslo
from store.errors import RegistryError
from store.registry import load_registry
from store.yamlsafe import MAX_ALIAS_NODES, MAX_DEPTH, GuardedLoader, YamlBombError, expansion
from vigie.catalogue import conventions_catalogue

ROOT = Path(__file__).resolve().parent.parent
POLICIES = load_policy()
REGISTRY = load_registry()
CATALOGUE: Catalogue = conventions_catalogue()
SLO_SPEC = """\
apiVersion: vigie/v1
kind: SLO
id: s1-antilles
name: Établissement des appels (Antilles)
class: high
objective: 99.9
sli:
  kind: ratio
  metric: samu.call.setups
  good: {outcome: [success]}
  valid: {outcome_not: [caller_cancelled], component: [telephony, carrier]}
window: {rolling: 28d}
samu: [fr.health.samu971, fr.health.samu972]
overrides:
  - samu: fr.health.samu971
    objective: 99.5
    guards: {min_bad_events: 10, probe_failed_minutes: 3}
  - samu: fr.health.samu972
    objective: 99.5
    guards: {min_bad_events: 10, probe_failed_minutes: 3}
labels: {team: outre-mer}
"""
SCENARIOS = (
    "version: 1\nscenarios:\n"
    "  - {kind: outage, samu: [fr.health.samu075], at: +10m, duration: 15m}\n"
    "  - {kind: trunk, samu: ['013'], at: +5m, duration: 20m, params: {fraction: 0.3}}\n"
    "  - {kind: trunk, samu: ['013'], at: +45m, duration: 20m, params: {fraction: 0.3}}\n"
)


def laughs(levels: int, width: int = 9) -> str:
    """A "billion laughs" document: each level is a list of `width` aliases to the one below."""
    rows = ["l0: &l0 [" + ", ".join(["lol"] * width) + "]"]
    rows += [f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * width) + "]" for i in range(1, levels)]
    return "\n".join(rows) + "\n"


def laughs_size(levels: int, width: int = 9) -> int:
    """The nodes of `laughs(levels)` with every alias expanded, its mapping and keys included."""
    sizes = [1 + width]
    for _ in range(levels - 1):
        sizes.append(1 + width * sizes[-1])
    return 1 + levels + sum(sizes)


def _slo_specs(path: Path) -> Any:
    result = load_specs(path.parent, CATALOGUE, POLICIES)
    # The spec's file:line differs once the file is rewritten; everything else must not.
    return [dataclasses.replace(o, source="") for o in (*result.slos, *result.guards)]


def _tree(route: Route) -> Any:
    return route.opts, route.matchers, route.continue_, route.id, [_tree(r) for r in route.routes]


def _routing(path: Path) -> Any:
    config = load_config(path)  # everything but the folder that template paths resolve from
    return (
        config.spec,
        config.receivers,
        config.inhibit_rules,
        config.time_intervals,
        _tree(config.route),
    )


def _openslo(path: Path) -> Any:
    return import_openslo(path.read_text(encoding="utf-8"), POLICIES, CATALOGUE)


def _registry(path: Path) -> Any:
    return list(load_registry(path))


def _oncall(path: Path) -> Any:
    return dataclasses.replace(load_oncall(path, REGISTRY), source="")


@dataclass(frozen=True)
class Loader:
    """A config loader: a known-good file, how to load a file, and the error it documents."""

    name: str
    seed: str  # the known-good text
    file: str  # the name it is loaded under
    load: Callable[[Path], Any]
    error: type[Exception]


def _read(relative: str) -> str:
    return (ROOT / relative).read_text(encoding="utf-8")


LOADERS = [
    Loader("SLO specs", SLO_SPEC, "spec.yaml", _slo_specs, SpecError),
    Loader("the SLO policy", _read("slo/policy.yaml"), "policy.yaml", load_policy, SpecError),
    Loader("routing", _read("vigie/defaults/alertmanager.yml"), "am.yml", _routing, ConfigError),
    Loader(
        "on-call", _read("vigie/defaults/oncall.yaml"), "oncall.yaml", _oncall, OnCallConfigError
    ),
    Loader(
        "the SAMU registry", _read("store/data/samu.yaml"), "samu.yaml", _registry, RegistryError
    ),
    Loader(
        "OpenSLO import",
        _read("tests/data/slo/openslo/latency-and-probe.yaml"),
        "openslo.yaml",
        _openslo,
        OpenSLOError,
    ),
    Loader("simulator scenarios", SCENARIOS, "scenarios.yaml", load_scenarios, ScenarioError),
]
HOSTILE = [
    ("a billion laughs of 8 levels", laughs(8), "expands to too many nodes through aliases"),
    ("a billion laughs of 40 levels", laughs(40), "likely a YAML alias bomb"),
    ("an alias inside its own anchor", "a: &a [1, {b: *a}]\n", r"alias \*a refers to a node"),
    ("a mapping that holds itself", "a: &m {b: {c: *m}}\n", r"alias \*m refers to a node"),
    ("nesting 5,000 levels deep", "a: " + "[" * 5000 + "]" * 5000, "nests deeper than 100"),
]


@pytest.mark.parametrize("loader", LOADERS, ids=lambda loader: loader.name)
@pytest.mark.parametrize(("name", "text", "message"), HOSTILE, ids=[h[0] for h in HOSTILE])
def test_a_hostile_document_is_refused_with_the_loaders_own_error(
    tmp_path: Path, loader: Loader, name: str, text: str, message: str
) -> None:
    path = tmp_path / loader.file
    path.write_text(text, encoding="utf-8")
    with pytest.raises(loader.error, match=message) as refused:
        loader.load(path)
    assert loader.file in str(refused.value) or loader.error is OpenSLOError  # it has no file


def shared(data: Any) -> Any:
    """The same data with equal values (lists, mappings, strings) made one shared object."""
    seen: dict[str, Any] = {}

    def intern(value: Any) -> Any:
        if isinstance(value, dict):
            value = {key: intern(item) for key, item in value.items()}
        elif isinstance(value, list):
            value = [intern(item) for item in value]
        elif not isinstance(value, str):
            return value
        return seen.setdefault(f"{type(value).__name__}:{value!r}", value)

    return intern(data)


class SharingDumper(yaml.SafeDumper):
    """Writes a value used twice as an anchor and an alias, strings included."""

    def ignore_aliases(self, data: Any) -> bool:
        return not isinstance(data, (str, list, dict))


def with_aliases(text: str) -> str:
    """`text` rewritten so that every repeated value is an anchor and its aliases."""
    documents = [shared(d) for d in yaml.safe_load_all(text)]
    return yaml.dump_all(documents, Dumper=SharingDumper, sort_keys=False, allow_unicode=True)


@pytest.mark.parametrize("loader", LOADERS, ids=lambda loader: loader.name)
def test_a_good_file_sharing_values_through_aliases_loads_as_before(
    tmp_path: Path, loader: Loader
) -> None:
    (tmp_path / "plain").mkdir()
    (tmp_path / "aliased").mkdir()
    plain = tmp_path / "plain" / loader.file
    aliased = tmp_path / "aliased" / loader.file
    plain.write_text(loader.seed, encoding="utf-8")
    aliased.write_text(with_aliases(loader.seed), encoding="utf-8")
    assert re.search(r"\*id\d+", aliased.read_text(encoding="utf-8"))
    assert loader.load(aliased) == loader.load(plain)


def _compose(text: str) -> yaml.Node:
    node = yaml.compose(text, Loader=yaml.SafeLoader)
    assert node is not None
    return node


@pytest.mark.parametrize(
    ("name", "text", "distinct", "expanded"),
    [
        ("a file without aliases counts each node once", "a: [1, 2]\nb: {c: 3}\n", 9, 9),
        ("an alias counts its whole anchor again", "a: &x [1, 2]\nb: *x\n", 6, 9),
        ("a bomb of 30 levels is counted, never expanded", laughs(30), 70, laughs_size(30)),
    ],
)
def test_expansion_counts_every_distinct_node_once(
    name: str, text: str, distinct: int, expanded: int
) -> None:
    assert expansion(_compose(text), MAX_ALIAS_NODES)[:2] == (distinct, expanded)


BUDGET_COPIES = MAX_ALIAS_NODES // 1_000  # aliases to a 1,000-node anchor that spend the budget


def _aliases(copies: int) -> str:
    """An anchor of 999 scalars (1,000 nodes) and `copies` aliases to it."""
    return "a: &a [" + ", ".join(["x"] * 999) + "]\nb: [" + ", ".join(["*a"] * copies) + "]\n"


def _nested(depth: int) -> str:
    return "[" * (depth - 1) + "x" + "]" * (depth - 1)


HALF = BUDGET_COPIES // 2 + 10


@pytest.mark.parametrize(
    ("name", "text", "refusal"),
    [
        ("aliases adding exactly the budget are accepted", _aliases(BUDGET_COPIES), None),
        (
            "one alias more than the budget is refused",
            _aliases(BUDGET_COPIES + 1),
            "too many nodes",
        ),
        (
            "documents of one file under the budget together are accepted",
            _aliases(HALF - 20) + "---\n" + _aliases(HALF - 20),
            None,
        ),
        (
            "documents of one file over the budget together are refused",
            _aliases(HALF) + "---\n" + _aliases(HALF),
            "too many nodes",
        ),
        ("a merge key through an alias is accepted", "d: &d {x: 1}\ne: {<<: *d, y: 2}\n", None),
        (f"{MAX_DEPTH} levels of nesting are accepted", _nested(MAX_DEPTH), None),
        ("one level more is refused", _nested(MAX_DEPTH + 1), "nests deeper"),
    ],
)
def test_the_guard_holds_its_limits_exactly(name: str, text: str, refusal: str | None) -> None:
    if refusal is not None:
        with pytest.raises(YamlBombError, match=refusal):
            list(yaml.load_all(text, Loader=GuardedLoader))
    else:
        plain = list(yaml.load_all(text, Loader=yaml.SafeLoader))
        assert list(yaml.load_all(text, Loader=GuardedLoader)) == plain


def test_a_refusal_points_at_the_first_anchor_too_big_to_expand() -> None:
    with pytest.raises(YamlBombError) as refused:
        yaml.compose(laughs(8), Loader=GuardedLoader)
    mark = refused.value.problem_mark
    assert mark is not None and mark.line + 1 == 6  # l5 expands to 597,871 nodes; l4 to 66,430
    assert laughs_size(8) > 47_000_000  # what a walker with aliases expanded would have visited
