"""Problems found while mapping specs: an error or warning at a path inside a document."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    """An error or warning found while mapping, at `path` inside the document."""

    path: Path
    message: str
    level: Literal["error", "warning"] = "error"


class Sink:
    """Collects problems while a document is mapped."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def error(self, path: Path, message: str) -> None:
        self.problems.append(Problem(path, message))

    def warn(self, path: Path, message: str) -> None:
        self.problems.append(Problem(path, message, "warning"))

    @property
    def failed(self) -> bool:
        return any(p.level == "error" for p in self.problems)

    def frozen(self) -> tuple[Problem, ...]:
        return tuple(self.problems)
