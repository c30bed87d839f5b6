"""YAML documents with the line of every key: the one reader of the files people write.

Routing and on-call configuration, SLO specs and policy, and the SAMU registry report each
problem as `file:line: path: reason`, so each needs, beside the data, the line of every key and
list item by its path in the document (`("route", "routes", 0, "receiver")`). `load_documents`
composes the text with `GuardedLoader` (alias bombs, recursive aliases and deep nesting are
refused), walks the nodes once to record those lines and the keys written twice in one mapping,
then builds the data in one of two ways:

- typed (the default): YAML 1.1 as PyYAML's `safe_load` reads it (ints, floats, dates, merges);
- `text_scalars=True`: every scalar stays text except null and booleans, as Go's yaml.v2 fills
  string fields, so that Alertmanager's `code: 500` is the string "500" where a string is
  expected (alertmanager.yml and oncall.yaml).

A merge key (`<<: *defaults`) gives the merged keys the lines of the anchor they come from,
unless the mapping writes them itself. A key written twice is not an error here: each reader
decides what a duplicate means (`YamlDocument.duplicates`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import yaml

from store.yamlsafe import GuardedLoader

YamlPath = tuple[str | int, ...]
_BOOL_TRUE = ("yes", "true", "on", "y")


class YamlSyntaxError(ValueError):
    """Text that is not YAML or that the guard refuses; `line` and `column` are 1-based."""

    def __init__(self, problem: str, line: int | None = None, column: int | None = None) -> None:
        self.problem = problem
        self.line = line
        self.column = column
        super().__init__(f"line {line}: {problem}" if line is not None else problem)


@dataclass(frozen=True)
class YamlDocument:
    """One document: its data, the line of every key and list item, and the keys written twice."""

    data: Any
    lines: Mapping[YamlPath, int]  # () is the document's own first line
    duplicates: tuple[tuple[YamlPath, int], ...] = ()  # in the order of the text

    @property
    def line(self) -> int:
        """The line the document starts on."""
        return self.lines[()]

    def line_of(self, path: Iterable[str | int]) -> int | None:
        """The line of the deepest known prefix of `path` (not the document itself), or None."""
        parts = tuple(path)
        for end in range(len(parts), 0, -1):
            if parts[:end] in self.lines:
                return self.lines[parts[:end]]
        return None


def load_documents(text: str, *, text_scalars: bool = False) -> list[YamlDocument]:
    """Every non-empty document of `text` (`---` separates them); raises YamlSyntaxError."""
    loader = _loader(text)
    docs: list[YamlDocument] = []
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is not None:
                docs.append(_document(loader, node, text_scalars))
    except yaml.YAMLError as exc:
        raise _syntax_error(exc) from None
    finally:
        loader.dispose()
    return [doc for doc in docs if doc.data is not None]


def load_document(text: str, *, text_scalars: bool = False) -> YamlDocument | None:
    """The one document of `text`, None if it is empty; a second document is a YamlSyntaxError."""
    loader = _loader(text)
    try:
        node = loader.get_single_node()
        return None if node is None else _document(loader, node, text_scalars)
    except yaml.YAMLError as exc:
        raise _syntax_error(exc) from None
    finally:
        loader.dispose()


def format_path(path: Iterable[str | int]) -> str:
    """A path as people read it: `route.routes[0].matchers[1]`."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def _loader(text: str) -> GuardedLoader:
    try:
        return GuardedLoader(text)  # refuses control characters at once (ReaderError)
    except yaml.YAMLError as exc:
        raise _syntax_error(exc) from None


def _syntax_error(exc: yaml.YAMLError) -> YamlSyntaxError:
    if not isinstance(exc, yaml.MarkedYAMLError):
        return YamlSyntaxError(str(exc))
    mark = exc.problem_mark or exc.context_mark
    problem = exc.problem or str(exc)
    if mark is None:
        return YamlSyntaxError(problem)
    return YamlSyntaxError(problem, mark.line + 1, mark.column + 1)


def _document(loader: GuardedLoader, node: yaml.Node, text_scalars: bool) -> YamlDocument:
    lines: dict[YamlPath, int] = {(): node.start_mark.line + 1}
    duplicates: list[tuple[YamlPath, int]] = []
    _walk(node, (), lines, duplicates, overwrite=True)
    # Walk first: constructing flattens merge keys into the nodes themselves.
    data = _text(node) if text_scalars else loader.construct_document(node)
    return YamlDocument(data, lines, tuple(duplicates))


def _walk(
    node: yaml.Node,
    path: YamlPath,
    lines: dict[YamlPath, int],
    duplicates: list[tuple[YamlPath, int]],
    overwrite: bool,
) -> None:
    """Record the line of every key and item below `path`; merged keys never overwrite."""
    if isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _record(lines, (*path, index), item.start_mark.line + 1, overwrite)
            _walk(item, (*path, index), lines, duplicates, overwrite)
        return
    if not isinstance(node, yaml.MappingNode):
        return
    seen: set[str] = set()
    merges: list[yaml.Node] = []
    for key, value in node.value:
        if key.tag == "tag:yaml.org,2002:merge":
            merges.extend(value.value if isinstance(value, yaml.SequenceNode) else [value])
            continue
        if not isinstance(key, yaml.ScalarNode):
            mark = key.start_mark
            raise YamlSyntaxError("keys must be scalars", mark.line + 1, mark.column + 1)
        line = key.start_mark.line + 1
        if key.value in seen and overwrite:
            duplicates.append(((*path, key.value), line))
        seen.add(key.value)
        _walk(value, (*path, key.value), lines, duplicates, overwrite)
        _record(lines, (*path, key.value), line, overwrite)
    for source in merges:
        if not isinstance(source, yaml.MappingNode):
            mark = source.start_mark
            problem = "a merge key (<<) takes a mapping or a list of mappings"
            raise YamlSyntaxError(problem, mark.line + 1, mark.column + 1)
        _walk(source, path, lines, duplicates, overwrite=False)


def _record(lines: dict[YamlPath, int], path: YamlPath, line: int, overwrite: bool) -> None:
    if overwrite or path not in lines:
        lines[path] = line


def _text(node: yaml.Node) -> Any:
    """Plain data with text scalars (null and booleans resolved); merges as YAML defines them."""
    if isinstance(node, yaml.ScalarNode):
        if node.tag.endswith(":null"):
            return None
        if node.tag.endswith(":bool"):
            return node.value.lower() in _BOOL_TRUE
        return node.value
    if isinstance(node, yaml.SequenceNode):
        return [_text(item) for item in node.value]
    assert isinstance(node, yaml.MappingNode)  # keys and merge sources were checked by _walk
    own: dict[str, Any] = {}
    merged: dict[str, Any] = {}
    for key, value in node.value:
        if key.tag == "tag:yaml.org,2002:merge":
            sources = value.value if isinstance(value, yaml.SequenceNode) else [value]
            for source in sources:
                merged = {**_text(source), **merged}  # the first source named wins
        else:
            own[key.value] = _text(value)  # a key written twice: the last wins, as in YAML
    return {**merged, **own}
