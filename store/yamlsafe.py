"""Operator YAML that cannot hang or crash a reload: alias bombs, recursive aliases, deep nesting.

Every loader of operator-supplied YAML (SLO specs and policy, routing and on-call configuration,
the SAMU registry, OpenSLO import, simulator scenarios) parses with `GuardedLoader`, PyYAML's
SafeLoader with three refusals made while composing, before anything walks the node graph:

- a "billion laughs" document, whose aliases would add more than `MAX_ALIAS_NODES` nodes once
  expanded (counted on the shared graph, in time linear in the text: nothing is expanded);
- an alias inside the node its anchor names (`&a [*a]`), which no walker can finish;
- nesting deeper than `MAX_DEPTH`, which would end in a RecursionError.

Go's yaml.v2, which Alertmanager uses, refuses the same three ("document contains excessive
aliasing", "anchor 'a' value contains itself", yaml.v3's "exceeded max depth"). The refusal is a
`yaml.MarkedYAMLError` with the line, so each loader's own translation into its config error
(file:line and message) applies unchanged.
"""

from __future__ import annotations

import yaml
from yaml.composer import ComposerError

# Nodes that aliases may add to one file once expanded. The shipped and test configs add none
# (the largest, samu.yaml, holds 2,806 nodes); a config sharing blocks through anchors might add
# a few thousand. The walkers downstream (line maps, pydantic, error messages) are linear in
# expanded nodes: 75,000 added cost 0.05-0.08 s to load, so no file can stall a reload. yaml.v2
# allows about 400,000 alias-driven decodes; a reload walks the same file several times.
MAX_ALIAS_NODES = 100_000
# Nesting depth of a document. Real files nest under 15; composing costs three Python frames a
# level, so 100 stays far below the interpreter's recursion limit from any caller.
MAX_DEPTH = 100


class YamlBombError(ComposerError):
    """A document refused before it is walked: an alias bomb, a recursive alias, or too deep."""


class GuardedLoader(yaml.SafeLoader):
    """yaml.SafeLoader that refuses alias bombs, recursive aliases and deep nesting."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.alias_budget = MAX_ALIAS_NODES  # left for this stream, shared by its documents
        self._depth = 0
        self._open: set[str] = set()  # anchors of the collections being composed

    def compose_document(self) -> yaml.Node | None:
        """Compose one document, then refuse it if its aliases expand beyond the budget."""
        node = super().compose_document()
        if node is not None:
            distinct, expanded, culprit = expansion(node, self.alias_budget)
            self.alias_budget -= expanded - distinct
            if self.alias_budget < 0:
                problem = (
                    f"the document expands to too many nodes through aliases (more than "
                    f"{MAX_ALIAS_NODES:,} added; likely a YAML alias bomb)"
                )
                raise YamlBombError(None, None, problem, culprit.start_mark)
        return node

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        """Compose one node, refusing an alias to an enclosing anchor and nesting too deep."""
        event: yaml.Event = self.peek_event()  # type: ignore[no-untyped-call]  # untyped stub
        mark = event.start_mark if isinstance(event.start_mark, yaml.Mark) else None
        if isinstance(event, yaml.AliasEvent) and event.anchor in self._open:
            problem = f"the alias *{event.anchor} refers to a node that contains it (recursive)"
            raise YamlBombError(None, None, problem, mark)
        if self._depth >= MAX_DEPTH:
            problem = f"the document nests deeper than {MAX_DEPTH} levels"
            raise YamlBombError(None, None, problem, mark)
        anchor = event.anchor if isinstance(event, yaml.CollectionStartEvent) else None
        if anchor is not None:
            self._open.add(anchor)
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1
            if anchor is not None:
                self._open.discard(anchor)


def expansion(root: yaml.Node, limit: int) -> tuple[int, int, yaml.Node]:
    """Distinct nodes, nodes with aliases expanded, and the first node to expand beyond `limit`.

    Each node's expanded size is computed once, after its children's (an iterative post-order
    walk of the acyclic graph the composer built), so the cost is the number of distinct nodes.
    """
    size: dict[int, int] = {}
    culprit = root
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if children_done:
            size[id(node)] = 1 + sum(size[id(child)] for child in _children(node))
            if size[id(node)] > limit and culprit is root:
                culprit = node  # the smallest subtree that is already too big: its line
        elif id(node) not in size:
            stack.append((node, True))
            stack.extend((child, False) for child in _children(node) if id(child) not in size)
    return len(size), size[id(root)], culprit


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []
