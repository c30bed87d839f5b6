"""Files → validated specs and model objects, with `file:line` and the path of every problem.

YAML is read by `store.yamldoc`, which keeps the line of each key; pydantic and mapping problems
are located by their path inside the document. Several documents per file (`---`) are allowed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from slo import spec as s
from slo.catalogue import Catalogue
from slo.errors import Issue, SpecError
from slo.mapping import map_document
from slo.model import SLO, PlausibilityGuard
from slo.policy import POLICY_FILE, PolicySet
from slo.policy_mapping import map_policy
from slo.problems import Problem
from store.yamldoc import YamlDocument, YamlPath, YamlSyntaxError, format_path, load_documents

DEFAULT_POLICY = Path(__file__).with_name(POLICY_FILE)


def read_documents(text: str, file: str) -> list[YamlDocument]:
    """Parse every YAML document in `text`, keeping the line of each key and item."""
    try:
        docs = load_documents(text)
    except YamlSyntaxError as exc:
        raise SpecError([Issue(file, exc.line, "", f"invalid YAML: {exc.problem}")]) from exc
    duplicates = [
        Issue(file, line, format_path(path), "duplicate key")
        for doc in docs
        for path, line in doc.duplicates
    ]
    if duplicates:
        raise SpecError(duplicates)
    return docs


def _line(doc: YamlDocument, path: YamlPath) -> int:
    return doc.line_of(path) or doc.line


def _resolve(loc: YamlPath, data: Any) -> YamlPath:
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


def validation_issues(exc: ValidationError, doc: YamlDocument, file: str) -> list[Issue]:
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
        issues.append(Issue(file, _line(doc, path), format_path(path), message))
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


def _issue(problem: Problem, doc: YamlDocument, file: str) -> Issue:
    return Issue(file, _line(doc, problem.path), format_path(problem.path), problem.message)


def _header_issue(doc: YamlDocument, file: str) -> Issue | None:
    data = doc.data
    if not isinstance(data, dict):
        return Issue(file, doc.line, "", "a spec document is a mapping (apiVersion, kind, …)")
    version = data.get("apiVersion")
    if version != s.API_VERSION:
        hint = "; import OpenSLO with `vigie slo import`" if "openslo" in str(version) else ""
        path: YamlPath = ("apiVersion",)
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
