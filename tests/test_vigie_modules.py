"""The composition root's own rules (issue 17.2), on the module graph tests/test_architecture.py
reads (every import, function-local ones included): no module of vigie/ imports in a cycle, and
commands/ holds only CLI parsing and printing."""

from __future__ import annotations

from tests.test_architecture import cycles, module_graph

PACKAGE = "vigie"


def test_no_module_of_the_composition_root_imports_in_a_cycle() -> None:
    graph = {m: {t for t in ts if t.startswith(PACKAGE)} for m, ts in module_graph().items()}
    assert [c for c in cycles(graph) if c[0].startswith(PACKAGE)] == []


def test_the_graph_reads_late_and_relative_imports() -> None:
    graph = module_graph()
    assert "vigie.platform" in graph["vigie.assembly"]  # at the top
    assert "vigie.commands" in graph["vigie.cli"]  # inside a function


def test_commands_hold_only_cli_parsing_and_printing() -> None:
    """No module of vigie/ outside commands/ imports a command module (libraries live elsewhere;
    tests and benchmarks may drive the commands)."""
    offenders = sorted(
        f"{name} imports {target}"
        for name, targets in module_graph().items()
        if name.startswith(f"{PACKAGE}.")
        and not name.startswith(f"{PACKAGE}.commands")
        and name != f"{PACKAGE}.cli"
        for target in targets
        if target.startswith(f"{PACKAGE}.commands.")
    )
    assert offenders == []
