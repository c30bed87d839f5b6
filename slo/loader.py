"""Files → validated specs and model objects, with `file:line` and the path of every problem.

YAML is composed node by node so that each key keeps its line; pydantic and mapping problems
are located by their path inside the document. Several documents per file (`---`) are allowed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from slo import spec as s
from slo.catalogue import Catalogue
from slo.errors import Issue, SpecError
from slo.mapping import map_document
from slo.model import SLO, PlausibilityGuard
from slo.policy import POLICY_FILE, PolicySet
from slo.policy_mapping import map_policy
from slo.problems import Problem
from store.yamlsafe import GuardedLoader

Loc = tuple[str | int, ...]
DEFAULT_POLICY = Path(__file__).with_name(POLICY_FILE)


@dataclass(frozen=True)
class Document:
    """One YAML document: its data, the line of every key path, the line it starts on."""

    data: Any
    lines: dict[Loc, int]
    line: int


def read_documents(text: str, file: str) -> list[Document]:
    """Parse every YAML document in `text`, keeping the line of each key and item."""
    try:
        loader = GuardedLoader(text)  # refuses control characters at once (ReaderError)
    except yaml.YAMLError as exc:
        raise SpecError([Issue(file, None, "", f"invalid YAML: {exc}")]) from exc
    docs: list[Document] = []
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is None:
                continue
            lines: dict[Loc, int] = {}
            duplicates: list[Issue] = []
            _walk(node, (), lines, duplicates, file)
            if duplicates:
                raise SpecError(duplicates)
            data = loader.construct_document(node)
            if data is not None:
                docs.append(Document(data, lines, node.start_mark.line + 1))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        raise SpecError([Issue(file, line, "", f"invalid YAML: {exc.problem or exc}")]) from exc
    finally:
        loader.dispose()
    return docs


def _walk(node: yaml.Node, path: Loc, lines: dict[Loc, int], dup: list[Issue], file: str) -> None:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            name = str(key.value)
            if name in seen:
                dup.append(
                    Issue(file, key.start_mark.line + 1, _dotted((*path, name)), "duplicate key")
                )
            seen.add(name)
            _walk(value, (*path, name), lines, dup, file)
            lines[(*path, name)] = key.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _walk(item, (*path, i), lines, dup, file)


def _dotted(path: Iterable[str | int]) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def _line(doc: Document, path: Loc) -> int:
    for end in range(len(path), -1, -1):
        if path[:end] in doc.lines:
            return doc.lines[path[:end]]
    return doc.line


def _resolve(loc: Loc, data: Any) -> Loc:
    """The data path of a pydantic error location, without union and discriminator tags."""
    path: list[str | int] = []
    node = data
    for i, part in enumerate(loc):
        in_dict = isinstance(node, dict) and part in node
        in_list = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        if in_dict or in_list:
            path.append(part)
            node = node[part]
        elif i == len(loc) - 1 and isinstance(part, str):
            path.append(part)  # a missing key: report it at its parent's line
    return tuple(path)


def validation_issues(exc: ValidationError, doc: Document, file: str) -> list[Issue]:
    """Pydantic errors as Issues with the line and path of the offending key."""
    issues = []
    for err in exc.errors():
        path = _resolve(tuple(err["loc"]), doc.data)
        if err["type"] == "extra_forbidden":
            message = f"unknown key {path[-1]!r}"
        elif err["type"] == "missing":
            message = "missing required key"
        else:
            message = str(err["msg"]).removeprefix("Value error, ")
        issues.append(Issue(file, _line(doc, path), _dotted(path), message))
    return issues


@dataclass(frozen=True)
class FileReport:
    """Everything one spec file yields: model objects, warnings and errors."""

    file: str
    slos: tuple[SLO, ...] = ()
    guards: tuple[PlausibilityGuard, ...] = ()
    warnings: tuple[Issue, ...] = ()
    errors: tuple[Issue, ...] = ()

    def ids(self) -> list[tuple[str, str]]:
        """(id, source) of every SLO and guard the file defines."""
        return [(o.id, o.source) for o in self.slos] + [(g.id, g.source) for g in self.guards]


@dataclass(frozen=True)
class LoadResult:
    """All SLOs and guards of a spec directory, and the warnings found on the way."""

    slos: tuple[SLO, ...]
    guards: tuple[PlausibilityGuard, ...] = ()
    warnings: tuple[Issue, ...] = field(default=())


_KINDS: dict[str, type[s.SloSpec] | type[s.GuardSpec]] = {"SLO": s.SloSpec, "Guard": s.GuardSpec}


def check_text(text: str, file: str, policies: PolicySet, catalogue: Catalogue) -> FileReport:
    """Validate and map every document of one spec file's text."""
    try:
        docs = read_documents(text, file)
    except SpecError as exc:
        return FileReport(file, errors=exc.issues)
    slos: list[SLO] = []
    guards: list[PlausibilityGuard] = []
    warnings: list[Issue] = []
    errors: list[Issue] = []
    for doc in docs:
        header = _header_issue(doc, file)
        if header is not None:
            errors.append(header)
            continue
        model = _KINDS[doc.data["kind"]]
        try:
            parsed = model.model_validate(doc.data)
        except ValidationError as exc:
            errors.extend(validation_issues(exc, doc, file))
            continue
        mapped = map_document(parsed, policies, catalogue, f"{file}:{doc.line}")
        for problem in mapped.problems:
            target = errors if problem.level == "error" else warnings
            target.append(_issue(problem, doc, file))
        slos.extend(mapped.slos)
        guards.extend(mapped.guards)
    return FileReport(file, tuple(slos), tuple(guards), tuple(warnings), tuple(errors))


def _issue(problem: Problem, doc: Document, file: str) -> Issue:
    return Issue(file, _line(doc, problem.path), _dotted(problem.path), problem.message)


def _header_issue(doc: Document, file: str) -> Issue | None:
    data = doc.data
    if not isinstance(data, dict):
        return Issue(file, doc.line, "", "a spec document is a mapping (apiVersion, kind, …)")
    version = data.get("apiVersion")
    if version != s.API_VERSION:
        hint = "; import OpenSLO with `vigie slo import`" if "openslo" in str(version) else ""
        path: Loc = ("apiVersion",)
        return Issue(
            file,
            _line(doc, path),
            "apiVersion",
            f"unsupported apiVersion {version!r} (expected {s.API_VERSION}){hint}",
        )
    if not isinstance(data.get("kind"), str) or data["kind"] not in _KINDS:
        return Issue(
            file,
            _line(doc, ("kind",)),
            "kind",
            f"unknown kind {data.get('kind')!r} (expected one of {', '.join(_KINDS)})",
        )
    return None


def spec_files(target: Path) -> list[Path]:
    """The YAML files of a directory (sorted), or the file itself."""
    if target.is_file():
        return [target]
    return sorted(p for p in target.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())


def check_dir(
    target: Path, catalogue: Catalogue, policies: PolicySet | None = None
) -> list[FileReport]:
    """A report per spec file; an id defined twice is an error on its second definition."""
    policies = policies or load_policy()
    reports: list[FileReport] = []
    seen: dict[str, str] = {}
    for path in spec_files(target):
        report = check_text(path.read_text(encoding="utf-8"), str(path), policies, catalogue)
        extra: list[Issue] = []
        for obj_id, source in report.ids():
            if obj_id in seen:
                extra.append(
                    Issue(str(path), None, "id", f"{obj_id!r} already defined in {seen[obj_id]}")
                )
            seen.setdefault(obj_id, source)
        if extra:
            report = FileReport(report.file, (), (), report.warnings, report.errors + tuple(extra))
        reports.append(report)
    return reports


def load_specs(
    target: Path | str, catalogue: Catalogue, policies: PolicySet | None = None
) -> LoadResult:
    """Every SLO and guard under `target`; raises SpecError listing every error found."""
    reports = check_dir(Path(target), catalogue, policies)
    errors = [issue for report in reports for issue in report.errors]
    if errors:
        raise SpecError(errors)
    return LoadResult(
        tuple(slo for r in reports for slo in r.slos),
        tuple(g for r in reports for g in r.guards),
        tuple(w for r in reports for w in r.warnings),
    )


def load_policy(path: Path | str | None = None) -> PolicySet:
    """The alert policy file (default: the shipped slo/policy.yaml); raises SpecError."""
    file = Path(path) if path is not None else DEFAULT_POLICY
    docs = read_documents(file.read_text(encoding="utf-8"), str(file))
    if len(docs) != 1:
        raise SpecError([Issue(str(file), None, "", "the policy file holds exactly one document")])
    doc = docs[0]
    try:
        parsed = s.PolicyFileSpec.model_validate(doc.data)
    except ValidationError as exc:
        raise SpecError(validation_issues(exc, doc, str(file))) from exc
    policy_set, problems = map_policy(parsed)
    errors = [_issue(p, doc, str(file)) for p in problems if p.level == "error"]
    if policy_set is None or errors:
        raise SpecError(errors)
    return policy_set
