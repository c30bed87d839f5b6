"""The alerts package's error tree: every error it raises derives from `AlertsError`."""

from __future__ import annotations


class AlertsError(Exception):
    """Root of every error raised by the alerts package."""


class MatcherError(AlertsError, ValueError):
    """A label matcher or its regular expression is malformed."""


class TimeIntervalError(AlertsError, ValueError):
    """A time interval field (times, weekdays, days, months, years, location) is malformed."""


class SilenceError(AlertsError, ValueError):
    """A silence is invalid (no matcher, matches everything, ends before it starts)."""


class ConfigError(AlertsError):
    """An alerting configuration file is invalid; `problems` lists every reason found."""

    def __init__(self, problems: list[str] | str) -> None:
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("\n".join(self.problems))


class ConfigTooLarge(ConfigError):
    """A configuration over a size limit, refused before it is parsed; `limit` names it."""

    def __init__(self, limit: str, problem: str) -> None:
        self.limit = limit
        super().__init__(problem)
