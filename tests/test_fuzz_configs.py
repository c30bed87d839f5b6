"""Fuzzing the configuration loaders with mutations of the known-good files.

SLO specs (native and OpenSLO), Alertmanager-syntax routing and on-call files are mutated line
by line (deleted, duplicated, re-indented, swapped, a value replaced by a hostile scalar) and
value by value (a node of the parsed document replaced, removed, or given an unknown key). The
loaders must never raise anything but their documented error, and every error says something.
Derandomized and bounded, like every hypothesis test of the suite.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alerts.config import parse_config
from alerts.errors import ConfigError
from alerts.oncall.config import parse_oncall
from alerts.oncall.errors import OnCallConfigError
from slo.catalogue import Catalogue
from slo.errors import OpenSLOError, SloError
from slo.loader import check_text, load_policy
from slo.openslo import import_openslo
from store.registry import load_registry
from vigie import defaults
from vigie.catalogue import conventions_catalogue

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
SLO_FILES = sorted([*defaults.SLO_DIR.glob("*.yaml"), *(DATA / "slo" / "good").glob("*.yaml")])
OPENSLO_FILES = sorted((DATA / "slo" / "openslo").glob("*.yaml"))
ROUTING_FILES = sorted([defaults.ALERTING, *(DATA / "alertmanager").glob("good_*.yml")])
ONCALL_FILES = [defaults.ONCALL]
POLICIES = load_policy()
REGISTRY = load_registry()
HOSTILE_SCALARS = [
    "",
    "~",
    "null",
    "-1",
    "0",
    "1e309",
    "-.inf",
    ".nan",
    "99999999999999999999999",
    "0x1F",
    "[]",
    "{}",
    "'",
    '"',
    "*undefined",
    "&anchor",
    "!!binary aGk=",
    "!!python/object:os.system",
    "yes",
    "1d",
    "5m",
    "-5m",
    "99.95",
    "100.0001",
    "\t",
    "é" * 300,
    "fr.health.samu999",
    "2A",
    "{{ .Foo }}",
    "((?=x))",
    "a" * 5000,
]


def fuzz(examples: int) -> settings:
    """Deterministic (derandomized, no example database) and bounded hypothesis settings."""
    return settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )


@st.composite
def line_mutation(draw: st.DrawFn, text: str) -> str:
    """The file with a few of its lines deleted, duplicated, re-indented, swapped or changed."""
    lines = text.splitlines()
    for _ in range(draw(st.integers(1, 4))):
        if not lines:
            break
        i = draw(st.integers(0, len(lines) - 1))
        j = draw(st.integers(0, len(lines) - 1))
        op = draw(st.sampled_from(["delete", "duplicate", "indent", "dedent", "swap", "value"]))
        if op == "delete":
            del lines[i]
        elif op == "duplicate":
            lines.insert(j, lines[i])
        elif op == "indent":
            lines[i] = " " * draw(st.integers(1, 5)) + lines[i]
        elif op == "dedent":
            lines[i] = lines[i].lstrip()
        elif op == "swap":
            lines[i], lines[j] = lines[j], lines[i]
        else:
            head, colon, _ = lines[i].partition(":")
            scalar = draw(st.sampled_from(HOSTILE_SCALARS) | st.text(max_size=12))
            lines[i] = f"{head}: {scalar}" if colon else f"{head} {scalar}"
    return "\n".join(lines) + "\n"


def _paths(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*path, index))
    return found


JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.sampled_from(HOSTILE_SCALARS),
    lambda kids: (
        st.lists(kids, max_size=3) | st.dictionaries(st.text(max_size=8), kids, max_size=3)
    ),
    max_leaves=8,
)


@st.composite
def value_mutation(draw: st.DrawFn, text: str) -> str:
    """The first document with one node replaced, removed, or given an unknown key."""
    documents = [d for d in yaml.safe_load_all(text) if d is not None]
    document = documents[0] if documents else {}
    paths = _paths(document)
    path = draw(st.sampled_from(paths))
    op = draw(st.sampled_from(["replace", "remove", "unknown key"]))
    if not path:
        document = draw(JSONISH)
    else:
        parent = document
        for step in path[:-1]:
            parent = parent[step]
        last = path[-1]
        if op == "replace":
            parent[last] = draw(JSONISH)
        elif op == "remove":
            del parent[last]
        elif isinstance(parent[last], dict):
            parent[last][draw(st.text(min_size=1, max_size=10))] = draw(JSONISH)
    return str(yaml.safe_dump(document, allow_unicode=True))


def mutations(files: list[Path]) -> st.SearchStrategy[str]:
    texts = [f.read_text(encoding="utf-8") for f in files]
    return st.sampled_from(texts).flatmap(
        lambda text: line_mutation(text) | value_mutation(text) | st.just(text)
    )


def only(expected: type[Exception], run: Callable[[], Any]) -> None:
    """Run a loader: it returns, or raises `expected` with a message; anything else fails."""
    try:
        run()
    except expected as error:
        assert str(error).strip(), f"{type(error).__name__} without a message"


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return conventions_catalogue()


def test_the_seed_files_are_valid(catalogue: Catalogue) -> None:
    for file in SLO_FILES:
        assert check_text(file.read_text(), str(file), POLICIES, catalogue).errors == ()
    for file in ROUTING_FILES:
        parse_config(file.read_text(), str(file))
    for file in ONCALL_FILES:
        parse_oncall(file.read_text(), str(file), REGISTRY)


@fuzz(600)
@given(mutations(SLO_FILES))
def test_a_mutated_slo_spec_gives_a_report_never_an_exception(
    catalogue: Catalogue, text: str
) -> None:
    report = check_text(text, "fuzzed.yaml", POLICIES, catalogue)
    for issue in (*report.errors, *report.warnings):
        assert issue.message.strip() and issue.file == "fuzzed.yaml"


@fuzz(300)
@given(mutations(OPENSLO_FILES))
def test_a_mutated_openslo_document_imports_or_raises_an_slo_error(
    catalogue: Catalogue, text: str
) -> None:
    only(SloError, lambda: import_openslo(text, POLICIES, catalogue))


@fuzz(600)
@given(mutations(ROUTING_FILES))
def test_a_mutated_routing_config_loads_or_raises_config_error(text: str) -> None:
    only(ConfigError, lambda: parse_config(text, "fuzzed.yml"))


@fuzz(300)
@given(mutations(ONCALL_FILES))
def test_a_mutated_oncall_config_loads_or_raises_oncall_config_error(text: str) -> None:
    only(OnCallConfigError, lambda: parse_oncall(text, "fuzzed.yaml", REGISTRY))


@fuzz(300)
@given(st.binary(max_size=300).map(lambda b: b.decode("utf-8", "replace")))
def test_arbitrary_text_is_refused_with_the_documented_error(text: str) -> None:
    only(ConfigError, lambda: parse_config(text, "fuzzed.yml"))
    only(OnCallConfigError, lambda: parse_oncall(text, "fuzzed.yaml"))
    only(OpenSLOError, lambda: import_openslo(text, POLICIES, conventions_catalogue()))
