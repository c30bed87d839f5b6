"""Reading an alertmanager.yml: text → YAML document → spec → checks → `AlertingConfig`.

`load_config(path)` validates the file as Alertmanager does (plus unknown keys, which are errors
here too) and reports every problem at once as `file:line: path: reason`, in the order of the
file. `load_yaml`, `validate` and `report` serve oncall.yaml too, which is written in
the same dialect.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from alerts.config.checks import Problem, check
from alerts.config.mapping import AlertingConfig, to_core
from alerts.config.notifiers import SUPPORTED_RECEIVERS
from alerts.config.spec import ConfigSpec
from alerts.config_limits import ConfigLimits, check_routes, check_size
from alerts.errors import ConfigError
from store.yamldoc import YamlDocument, YamlSyntaxError, format_path, load_document

SpecT = TypeVar("SpecT", bound=BaseModel)
DEFAULT_LIMITS = ConfigLimits()


def load_config(
    path: str | Path,
    escalation_policies: Collection[str] | None = None,
    limits: ConfigLimits = DEFAULT_LIMITS,
) -> AlertingConfig:
    """Read and validate an alertmanager.yml; relative template paths resolve from its folder."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{file}: cannot read: {exc}") from exc
    config = parse_config(text, str(file), escalation_policies, limits)
    return replace(config, templates=tuple(str(file.parent / t) for t in config.templates))


def parse_config(
    text: str,
    source: str = "<config>",
    escalation_policies: Collection[str] | None = None,
    limits: ConfigLimits = DEFAULT_LIMITS,
) -> AlertingConfig:
    """Validate configuration text; raise `ConfigError` listing every problem with its line.

    With `escalation_policies` (the on-call configuration's), `oncall_configs` must name one.
    Over a limit of `limits` it is `ConfigTooLarge`, found before the costly validation.
    """
    check_size(text, source, limits)
    doc = load_yaml(text, source)
    check_routes(None if doc is None else doc.data, source, limits)
    if doc is None or doc.data is None:
        raise ConfigError(f"{source}: no route provided in config")
    if not isinstance(doc.data, dict):
        raise ConfigError(f"{source}:1: the configuration must be a mapping")
    spec = validate(ConfigSpec, doc, source)
    found = check(spec, escalation_policies)
    if found:
        raise ConfigError(report(found, doc, source))
    return to_core(spec, source)


def validate(
    spec: type[SpecT], doc: YamlDocument, source: str, error: type[ConfigError] = ConfigError
) -> SpecT:
    """The document as a `spec`, or `error` listing every problem pydantic found, with its line."""
    try:
        return spec.model_validate(doc.data)
    except ValidationError as exc:
        raise error(report([_describe(e) for e in exc.errors()], doc, source)) from None


def _describe(error: Any) -> Problem:
    path = tuple(p for p in error["loc"] if isinstance(p, str | int))
    message = str(error["msg"]).removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        key = path[-1]
        message = f"unknown field {key!r}"
        if len(path) == 3 and path[0] == "receivers" and str(key).endswith("_configs"):
            supported = ", ".join(SUPPORTED_RECEIVERS)
            message = f"receiver type {key!r} is not supported by Vigie 15 (supported: {supported})"
    return path, message


def load_yaml(text: str, source: str) -> YamlDocument | None:
    """The one document of an Alertmanager-syntax file, scalars as text (store.yamldoc).

    A key written twice in one mapping is an error, as in Alertmanager (yaml.v2 UnmarshalStrict).
    """
    try:
        doc = load_document(text, text_scalars=True)
    except YamlSyntaxError as exc:
        where = f"{source}:{exc.line}" if exc.line is not None else source
        raise ConfigError(f"{where}: invalid YAML: {exc.problem}") from None
    if doc is not None and doc.duplicates:
        path, line = doc.duplicates[0]
        raise ConfigError(f"{source}:{line}: mapping key {path[-1]!r} already defined")
    return doc


def report(problems: list[Problem], doc: YamlDocument, source: str) -> list[str]:
    """Format problems as `file:line: path: reason`, in the order of the file."""
    located = [(doc.line_of(path) or 0, path, message) for path, message in problems]
    out = []
    for line, path, message in sorted(located, key=lambda item: item[0]):
        where = f"{source}:{line}: " if line else f"{source}: "
        out.append(where + (f"{format_path(path)}: " if path else "") + message)
    return out
