"""The on-call error tree, rooted in the alerts package's `AlertsError`."""

from __future__ import annotations

from alerts.errors import AlertsError, ConfigError


class OnCallError(AlertsError):
    """Root of every error raised by the on-call subpackage."""


class OnCallConfigError(ConfigError, OnCallError):
    """An `oncall.yaml` file is invalid; `problems` lists every reason with file:line."""


class IncidentNotFound(OnCallError, LookupError):
    """No incident has this id."""


class InvalidTransition(OnCallError, ValueError):
    """The action is not allowed in the incident's state (e.g. ack a resolved incident)."""


class LinkError(OnCallError, ValueError):
    """A signed action link is forged, malformed or expired."""


class UnknownMonitor(OnCallError, LookupError):
    """No heartbeat monitor has this check-in token."""
