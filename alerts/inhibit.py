"""Inhibition: a firing source alert mutes target alerts that share the `equal` labels."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from alerts.matchers import Matcher, matches_all
from alerts.model import Alert, fingerprint


@dataclass(frozen=True)
class InhibitRule:
    """Source alerts inhibit target alerts whose `equal` labels have the same values."""

    source_matchers: tuple[Matcher, ...]
    target_matchers: tuple[Matcher, ...]
    equal: frozenset[str] = frozenset()
    name: str = ""


class Inhibitor:
    """A `Muter` over a snapshot of alerts and the inhibition rules, as Alertmanager's Inhibitor."""

    def __init__(self, rules: Sequence[InhibitRule], alerts: Iterable[Alert]) -> None:
        snapshot = tuple(alerts)
        self._rules = tuple(rules)
        # Per rule, the alerts that match its source side (Alertmanager's per-rule source cache).
        self._sources = tuple(
            tuple(a for a in snapshot if matches_all(r.source_matchers, a.labels))
            for r in self._rules
        )

    def inhibited_by(self, labels: Mapping[str, str], now: datetime) -> list[int]:
        """Fingerprints of the firing alerts that inhibit a label set at `now`."""
        found: list[int] = []
        for rule, sources in zip(self._rules, self._sources, strict=True):
            if not matches_all(rule.target_matchers, labels):
                continue
            # An alert matching both sides does not inhibit another such alert (nor itself).
            two_sided = matches_all(rule.source_matchers, labels)
            for source in sources:
                if source.resolved_at(now):
                    continue
                if any(source.labels.get(n, "") != labels.get(n, "") for n in rule.equal):
                    continue
                if two_sided and matches_all(rule.target_matchers, source.labels):
                    continue
                found.append(fingerprint(source.labels))
        return found

    def mutes(self, labels: Mapping[str, str], now: datetime) -> bool:
        """Whether some firing source alert inhibits the label set at `now`."""
        return bool(self.inhibited_by(labels, now))
