"""The slo package's error tree; the CLI and the API translate these at their boundary.

SloError
├── SpecError        a spec or policy file is invalid (carries every issue with file:line and path)
├── OpenSLOError     an OpenSLO document cannot be imported (names the refused field)
├── WindowError      a window, duration or calendar period cannot be understood
└── PolicyError      the alert policy is inconsistent or a burn sample is missing
"""

from __future__ import annotations

from dataclasses import dataclass


class SloError(Exception):
    """Base of every error raised by the slo package."""


@dataclass(frozen=True)
class Issue:
    """One finding in a spec file: where it is (file, line, path in the document) and what."""

    file: str
    line: int | None
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class SpecError(SloError):
    """One or more spec files are invalid; `issues` lists every error found."""

    def __init__(self, issues: list[Issue] | tuple[Issue, ...]) -> None:
        self.issues = tuple(issues)
        super().__init__("\n".join(str(issue) for issue in self.issues))


class OpenSLOError(SloError):
    """An OpenSLO document uses something Vigie cannot express; the message names the field."""

    def __init__(self, field: str, reason: str) -> None:
        self.field = field
        self.reason = reason
        super().__init__(f"{field}: {reason}")


class WindowError(SloError):
    """A duration, window or calendar period label is invalid."""


class PolicyError(SloError):
    """The alert policy is inconsistent, or an evaluation lacks a window the policy needs."""
