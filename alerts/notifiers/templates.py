"""Message templates: Jinja2, French by default, English available, overridable from config.

Default templates live in `message_templates/` as `<kind>.<lang>.j2` (`email.subject.fr.j2`,
`email.html.fr.j2`, `email.text.fr.j2`, `sms.fr.j2`, `voice.fr.j2`, and `.en`). Files listed in
the configuration's `templates` (paths or glob patterns, as Alertmanager) are loaded by file
name; one named like a default replaces it. HTML templates are autoescaped. Templates run in
Jinja's sandbox.
"""

from __future__ import annotations

import glob
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from jinja2 import (
    ChainableUndefined,
    ChoiceLoader,
    DictLoader,
    FileSystemLoader,
    TemplateError,
)
from jinja2.sandbox import SandboxedEnvironment

from alerts.notifiers.retry import NotifierError

DEFAULTS = Path(__file__).with_name("message_templates")
LANGUAGES = ("fr", "en")
# `{{ template "email.default.html" . }}` in an alertmanager.yml: use our default instead.
_GO_TEMPLATE = re.compile(r'\s*\{\{-?\s*template\s+"[^"]+"\s+\.\s*-?\}\}\s*')


def is_go_template(source: str) -> bool:
    """Whether text is Alertmanager's `{{ template "name" . }}` (we then use our default)."""
    return bool(_GO_TEMPLATE.fullmatch(source))


class TemplateFailed(NotifierError):
    """A template is missing, malformed, or failed while rendering."""


def _is_html(name: str | None) -> bool:
    return name is not None and ".html" in name


def _load_extra(patterns: Sequence[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for pattern in patterns:
        paths = sorted(glob.glob(pattern)) if glob.has_magic(pattern) else [pattern]
        for path in paths:
            try:
                found[Path(path).name] = Path(path).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise TemplateFailed(f"cannot read template file {path}: {exc}") from exc
    return found


class Templates:
    """Renders the message templates of one configuration."""

    def __init__(self, paths: Sequence[str] = (), lang: str = "fr") -> None:
        if lang not in LANGUAGES:
            raise TemplateFailed(f"unknown language {lang!r} (known: {', '.join(LANGUAGES)})")
        self.lang = lang
        self._env = SandboxedEnvironment(
            loader=ChoiceLoader([DictLoader(_load_extra(paths)), FileSystemLoader(DEFAULTS)]),
            autoescape=_is_html,
            undefined=ChainableUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self._html_env = self._env.overlay(autoescape=True)

    def name(self, kind: str, lang: str | None = None) -> str:
        """The file name of a template kind (`email.subject`) in a language."""
        return f"{kind}.{lang or self.lang}.j2"

    def render(self, kind: str, context: Mapping[str, Any], lang: str | None = None) -> str:
        """Render a template kind in a language (default: this renderer's)."""
        name = self.name(kind, lang)
        try:
            return self._env.get_template(name).render(context).strip()
        except TemplateError as exc:
            raise TemplateFailed(f"template {name}: {exc}") from exc

    def render_text(
        self, source: str | None, kind: str, context: Mapping[str, Any], lang: str | None = None
    ) -> str:
        """Render inline template text from the config, or the default `kind` when unset.

        Alertmanager's `{{ template "…" . }}` form selects the default too.
        """
        if not source or is_go_template(source):
            return self.render(kind, context, lang)
        return self.render_inline(source, context, html=_is_html(kind))

    def render_inline(self, source: str, context: Mapping[str, Any], html: bool = False) -> str:
        """Render template text given in the configuration (autoescaped when `html`)."""
        env = self._html_env if html else self._env
        try:
            return env.from_string(source).render(context).strip()
        except TemplateError as exc:
            raise TemplateFailed(f"inline template {source[:40]!r}: {exc}") from exc

    def check(self) -> list[str]:
        """Compile every known template; the problems found (empty when all are fine)."""
        problems = []
        loader = self._env.loader
        assert loader is not None
        for name in sorted(set(loader.list_templates())):
            try:
                self._env.get_template(name)
            except TemplateError as exc:
                problems.append(f"template {name}: {exc}")
        return problems
