"""The waves package's errors, translated at the boundary (CLI message, HTTP 400/404)."""

from __future__ import annotations


class WavesError(Exception):
    """Base of every error of the waves package."""


class PlanError(WavesError):
    """A plan (file or wave) is invalid; the message says where (file:line) and why."""

    def __init__(self, message: str, problems: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.problems = problems or (message,)


class WaveNotFound(WavesError, LookupError):
    """No wave has this id."""
