"""The routing configuration in force: its text, where it came from, its checksum, its view.

A configuration comes from the file (startup, SIGHUP, an empty reload request) or from the API
(a reload request with a YAML body). The file stays known whatever the active source, so a file
reload works after an API reload and the other way round. What people are shown is the text
with every secret masked (`alerts.secrets`), as Alertmanager's `config.original`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import yaml

from alerts.config.load import load_yaml
from alerts.config.spec import ConfigSpec
from alerts.errors import ConfigError
from alerts.secrets import MASK, masked

API = "api"


def checksum(text: str) -> str:
    """The SHA-256 of a configuration text, as `sha256sum` prints it for the file."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ConfigSource:
    """Where the configuration in force came from: `file:<path>` or `api`, and its text."""

    text: str
    file: Path | None = None  # None: posted to the reload API

    @property
    def name(self) -> str:
        return API if self.file is None else f"file:{self.file}"

    @property
    def sha256(self) -> str:
        return checksum(self.text)

    def shown(self) -> str:
        """The text as people may see it: every secret shown as `<secret>`."""
        return masked_text(self.text)


def masked_text(text: str) -> str:
    """A configuration text re-written with its secrets masked (all of it, if unreadable)."""
    try:
        document = load_yaml(text, "<config>")
    except ConfigError:
        return MASK
    if document is None or not isinstance(document.data, dict):
        return MASK
    shown = masked(document.data, ConfigSpec)
    return yaml.safe_dump(shown, sort_keys=False, allow_unicode=True, width=100)
