"""Generated documentation: the configuration table of the README, from the Settings model."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import SecretStr

from vigie.settings import Settings

SECRET = "<secret>"  # how a secret setting is shown (its value never is)
START, END = "<!-- configuration:start -->", "<!-- configuration:end -->"


def _default(value: Any) -> str:
    if isinstance(value, SecretStr):
        return f"`{SECRET}`" if value.get_secret_value() else f"(none; a secret, shown `{SECRET}`)"
    if value is None or value == "":
        return "(none)"
    if isinstance(value, Path):
        return f"`{value}`"
    return f"`{value}`"


def configuration_table() -> str:
    """Markdown rows for every setting: environment variable, default, meaning."""
    lines = ["| variable | default | meaning |", "|---|---|---|"]
    for name, field in Settings.model_fields.items():
        description = (field.description or "").replace("|", "\\|")
        lines.append(f"| `VIGIE_{name.upper()}` | {_default(field.default)} | {description} |")
    return "\n".join(lines)


def with_configuration(readme: str) -> str:
    """The README with its configuration table regenerated between the markers."""
    head, _, rest = readme.partition(START)
    _, _, tail = rest.partition(END)
    return f"{head}{START}\n{configuration_table()}\n{END}{tail}"
