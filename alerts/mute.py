"""One mute interface for inhibition, silences and time intervals (Alertmanager's `Muter`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Protocol

from alerts.route import RouteOpts
from alerts.timeintervals import TimeInterval, muted_by_time


class Muter(Protocol):
    """Something that may mute a label set at an instant."""

    def mutes(self, labels: Mapping[str, str], now: datetime) -> bool:
        """Whether the label set is muted at `now`."""
        ...


class NeverMute:
    """The no-op muter: mutes nothing."""

    def mutes(self, labels: Mapping[str, str], now: datetime) -> bool:
        """Never mutes."""
        return False


class AnyMuter:
    """Mutes when any of its muters does (e.g. inhibition, then silences)."""

    def __init__(self, *muters: Muter) -> None:
        self._muters = muters

    def mutes(self, labels: Mapping[str, str], now: datetime) -> bool:
        """Whether some muter mutes the label set at `now`."""
        return any(m.mutes(labels, now) for m in self._muters)


class RouteTimeMuter:
    """Mutes every alert of one route inside its mute intervals or outside its active ones."""

    def __init__(self, opts: RouteOpts, intervals: Mapping[str, Sequence[TimeInterval]]) -> None:
        self._opts = opts
        self._intervals = intervals

    def mutes(self, labels: Mapping[str, str], now: datetime) -> bool:
        """Whether the route is muted at `now` (labels do not matter)."""
        return muted_by_time(
            self._opts.mute_time_intervals, self._opts.active_time_intervals, self._intervals, now
        )
