"""Aggregation groups and their timers, as Alertmanager's dispatcher, driven by an injected clock.

Each alert joins one group per matching route, keyed by (route, group labels). A new group waits
`group_wait` (or flushes at once if its alert is older than that), then flushes every
`group_interval`; whether a flush notifies anyone (changes, `repeat_interval`) is the notification
log's decision in the pipeline. Resolved alerts leave the group once a flush has notified them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from alerts.alertstore import StoredAlert
from alerts.route import Route

GroupId = tuple[str, str]  # (route id, group key)


@dataclass
class AggrGroup:
    """One aggregation group: the alerts of one route sharing the same group labels."""

    route: Route
    key: str  # Alertmanager's group key, e.g. `{}/{severity="page"}:{samu="…"}`
    labels: Mapping[str, str]
    next_flush: datetime
    alerts: dict[int, StoredAlert] = field(default_factory=dict)
    has_flushed: bool = False
    in_flight: bool = False  # a flush is being notified: the next one waits for it

    @property
    def id(self) -> GroupId:
        return (self.route.id, self.key)


@dataclass(frozen=True)
class Flush:
    """A snapshot of a group handed to the pipeline at `at`."""

    group: GroupId
    route: Route
    group_key: str
    group_labels: Mapping[str, str]
    alerts: tuple[StoredAlert, ...]
    at: datetime

    @property
    def receiver(self) -> str:
        return self.route.opts.receiver


class Dispatcher:
    """Groups alerts by route and group labels and says which groups are due to flush."""

    def __init__(self, root: Route) -> None:
        self.root = root
        self._groups: dict[GroupId, AggrGroup] = {}

    def insert(self, stored: StoredAlert, now: datetime) -> list[AggrGroup]:
        """Add or update an alert in the group of every route it matches; returns the groups."""
        joined = []
        for route in self.root.match(stored.alert.labels):
            key = route.group_key(stored.alert.labels)
            group = self._groups.get((route.id, key))
            if group is None:
                labels = route.group_labels(stored.alert.labels)
                group = AggrGroup(route, key, labels, now + route.opts.group_wait)
                self._groups[group.id] = group
            group.alerts[stored.fingerprint] = stored
            # An alert older than group_wait does not wait again (e.g. after a restart).
            if not group.has_flushed and stored.alert.starts_at + route.opts.group_wait < now:
                group.next_flush = min(group.next_flush, now)
            joined.append(group)
        return joined

    def due(self, now: datetime) -> list[Flush]:
        """Snapshots of the groups whose timer has fired; their next flush is set."""
        out = []
        for group in list(self._groups.values()):
            if not group.alerts:
                del self._groups[group.id]
                continue
            if group.in_flight or group.next_flush > now:
                continue
            group.next_flush = now + group.route.opts.group_interval
            group.has_flushed = group.in_flight = True
            alerts = tuple(sorted(group.alerts.values(), key=lambda s: s.fingerprint))
            out.append(Flush(group.id, group.route, group.key, group.labels, alerts, now))
        return out

    def done(self, flush: Flush, notified: bool) -> None:
        """After a flush: once notified, drop its resolved alerts unless updated meanwhile."""
        group = self._groups.get(flush.group)
        if group is None:
            return
        group.in_flight = False
        if not notified:
            return
        for stored in flush.alerts:
            if not stored.alert.resolved_at(flush.at):
                continue
            current = group.alerts.get(stored.fingerprint)
            if current is not None and current.updated_at == stored.updated_at:
                del group.alerts[stored.fingerprint]
        if not group.alerts:
            del self._groups[group.id]

    def next_deadline(self) -> datetime | None:
        """When the next group is due, if any."""
        return min((g.next_flush for g in self._groups.values() if g.alerts), default=None)

    def groups(self) -> Iterator[AggrGroup]:
        """The current groups, by group key then receiver."""
        yield from sorted(self._groups.values(), key=lambda g: (g.key, g.route.opts.receiver))
