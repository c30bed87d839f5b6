"""Inhibition: a firing source alert mutes target alerts that share the `equal` labels.

Per rule, the firing source alerts are indexed by the values of their `equal` labels, so that
checking a label set costs one dictionary look-up per rule instead of a scan of every source:
a tick that checks every held alert stays linear in the alerts held, not quadratic.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from alerts.matchers import Matcher, matches_all
from alerts.model import Alert, fingerprint

# The values of a rule's `equal` labels (sorted by name), '' for an absent label.
EqualKey = tuple[str, ...]


@dataclass(frozen=True)
class InhibitRule:
    """Source alerts inhibit target alerts whose `equal` labels have the same values."""

    source_matchers: tuple[Matcher, ...]
    target_matchers: tuple[Matcher, ...]
    equal: frozenset[str] = frozenset()
    name: str = ""


@dataclass(frozen=True)
class _Source:
    """A source alert of one rule, with what the look-ups need computed once."""

    alert: Alert
    key: EqualKey
    two_sided: bool  # it matches the rule's target side too


@dataclass(frozen=True)
class _FiringIndex:
    """One rule's sources firing at one instant, by `equal` key, in snapshot order."""

    every: Mapping[EqualKey, tuple[Alert, ...]]
    # Without the sources that match both sides: what a two-sided target may be inhibited by.
    one_sided: Mapping[EqualKey, tuple[Alert, ...]]


def equal_key(names: Sequence[str], labels: Mapping[str, str]) -> EqualKey:
    """The values of the `equal` labels of a label set ('' for an absent label)."""
    return tuple(labels.get(n, "") for n in names)


class Inhibitor:
    """A `Muter` over a snapshot of alerts and the inhibition rules, as Alertmanager's Inhibitor."""

    def __init__(self, rules: Sequence[InhibitRule], alerts: Iterable[Alert]) -> None:
        snapshot = tuple(alerts)
        self._rules = tuple(rules)
        self._equal = tuple(tuple(sorted(r.equal)) for r in self._rules)
        # Per rule, the alerts that match its source side (Alertmanager's per-rule source cache).
        self._sources = tuple(
            tuple(
                _Source(a, equal_key(names, a.labels), matches_all(r.target_matchers, a.labels))
                for a in snapshot
                if matches_all(r.source_matchers, a.labels)
            )
            for r, names in zip(self._rules, self._equal, strict=True)
        )
        self._indexed: tuple[datetime, tuple[_FiringIndex, ...]] | None = None
        # Fingerprints by id(alert), computed only for the alerts reported as inhibiting.
        self._fingerprints: dict[int, int] = {}

    def _index(self, now: datetime) -> tuple[_FiringIndex, ...]:
        # Built once per instant (a tick asks at one `now`), in time linear in the sources.
        cached = self._indexed
        if cached is not None and cached[0] == now:
            return cached[1]
        built = tuple(_firing_index(sources, now) for sources in self._sources)
        self._indexed = (now, built)
        return built

    def _candidates(self, labels: Mapping[str, str], now: datetime) -> Iterable[tuple[Alert, ...]]:
        for rule, names, index in zip(self._rules, self._equal, self._index(now), strict=True):
            if not matches_all(rule.target_matchers, labels):
                continue
            # An alert matching both sides does not inhibit another such alert (nor itself).
            two_sided = matches_all(rule.source_matchers, labels)
            table = index.one_sided if two_sided else index.every
            found = table.get(equal_key(names, labels))
            if found:
                yield found

    def inhibited_by(self, labels: Mapping[str, str], now: datetime) -> list[int]:
        """Fingerprints of the firing alerts that inhibit a label set at `now`."""
        return [self._fingerprint(a) for found in self._candidates(labels, now) for a in found]

    def _fingerprint(self, alert: Alert) -> int:
        fp = self._fingerprints.get(id(alert))
        if fp is None:
            fp = self._fingerprints[id(alert)] = fingerprint(alert.labels)
        return fp

    def mutes(self, labels: Mapping[str, str], now: datetime) -> bool:
        """Whether some firing source alert inhibits the label set at `now`."""
        return next(iter(self._candidates(labels, now)), None) is not None


def _firing_index(sources: Sequence[_Source], now: datetime) -> _FiringIndex:
    every: dict[EqualKey, list[Alert]] = {}
    one_sided: dict[EqualKey, list[Alert]] = {}
    for source in sources:
        if source.alert.resolved_at(now):
            continue
        every.setdefault(source.key, []).append(source.alert)
        if not source.two_sided:
            one_sided.setdefault(source.key, []).append(source.alert)
    return _FiringIndex(
        {k: tuple(v) for k, v in every.items()}, {k: tuple(v) for k, v in one_sided.items()}
    )
