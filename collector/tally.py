"""Counting refusals while decoding, folded into Rejection values at the end."""

from __future__ import annotations

from collections import Counter

from collector.model import Rejection


class Tally:
    """Refused points counted by (reason, SAMU, metric, attribute); no attribute values kept."""

    def __init__(self) -> None:
        self._counts: Counter[tuple[str, str, str, str]] = Counter()

    def add(
        self, reason: str, samu_id: str = "", metric: str = "", attribute: str = "", count: int = 1
    ) -> None:
        """Count `count` points refused for `reason`."""
        if count > 0:
            self._counts[(reason, samu_id, metric, attribute)] += count

    def rejections(self) -> tuple[Rejection, ...]:
        """The refusals so far, in a stable order."""
        return tuple(
            Rejection(reason, count, samu_id, metric, attribute)
            for (reason, samu_id, metric, attribute), count in sorted(self._counts.items())
        )
