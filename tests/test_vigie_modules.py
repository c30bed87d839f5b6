"""No module of the composition root imports in a cycle (function-local imports included: a
late import that hides a cycle is still a cycle). The package graph test covers packages; this
one covers the modules inside vigie/ (issue 17.2)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "vigie"


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _graph() -> dict[str, set[str]]:
    modules = {_module_name(p): p for p in sorted((ROOT / PACKAGE).rglob("*.py"))}
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*anchor, base] if base else anchor)
                targets = [base] + [f"{base}.{alias.name}" for alias in node.names]
            graph[name] |= {t for t in targets if t in modules and t != name}
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected group of more than one module (Tarjan), sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def test_no_module_of_the_composition_root_imports_in_a_cycle() -> None:
    assert _cycles(_graph()) == []


def test_the_cycle_finder_sees_a_cycle_hidden_in_a_function() -> None:
    graph = {
        "vigie.a": {"vigie.b"},
        "vigie.b": {"vigie.c"},
        "vigie.c": {"vigie.a"},
        "vigie.d": set(),
    }
    assert _cycles(graph) == [["vigie.a", "vigie.b", "vigie.c"]]


def test_the_graph_reads_late_and_relative_imports() -> None:
    graph = _graph()
    assert "vigie.platform" in graph["vigie.assembly"]
    assert "vigie.commands" in graph["vigie.cli"]


def test_commands_hold_only_cli_parsing_and_printing() -> None:
    """No module outside vigie/commands/ imports a command module (libraries live elsewhere)."""
    graph = _graph()
    offenders = sorted(
        f"{name} imports {target}"
        for name, targets in graph.items()
        if not name.startswith(f"{PACKAGE}.commands") and name != f"{PACKAGE}.cli"
        for target in targets
        if target.startswith(f"{PACKAGE}.commands.")
    )
    assert offenders == []
