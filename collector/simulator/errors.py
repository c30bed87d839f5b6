"""The simulator's error tree."""

from __future__ import annotations


class SimulatorError(Exception):
    """Base of every simulator error."""


class ScenarioError(SimulatorError, ValueError):
    """A scenario spec could not be parsed or names an unknown SAMU."""


class CollectorUnreachable(SimulatorError):
    """The collector did not answer at the configured endpoint."""


class BackfillError(SimulatorError):
    """The collector refused a backfill request for good (not retryable, or retries exhausted)."""
