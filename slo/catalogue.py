"""What the specs are checked against: the metrics the platform stores, passed in, not imported.

`slo` may not import `collector`, so the composition root builds a Catalogue from
collector/conventions.py (`catalogue_from(METRICS, COMPONENTS, SAMU_ID_PATTERN)`) and hands it
to the loader and the OpenSLO importer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class MetricInfo:
    """One stored metric as the SLO engine sees it."""

    name: str
    kind: str  # sum, gauge or histogram
    # The closed set of values stored in `minute_counts.outcome`; None when it has no rollup key.
    outcomes: frozenset[str] | None
    bounds: tuple[float, ...] = ()  # histogram bucket bounds (`le` values), in seconds


@dataclass(frozen=True)
class Catalogue:
    """The metrics, components and SAMU id shape that specs may refer to."""

    metrics: Mapping[str, MetricInfo]
    components: frozenset[str]
    samu_id: re.Pattern[str]

    def outcomes(self) -> dict[str, frozenset[str]]:
        """Every stored outcome, per metric that has a closed set of them."""
        return {n: m.outcomes for n, m in self.metrics.items() if m.outcomes is not None}


def catalogue_from(
    metrics: Mapping[str, Any], components: Iterable[str], samu_id: re.Pattern[str]
) -> Catalogue:
    """A Catalogue from metric specs shaped like collector.conventions.MetricSpec."""
    infos = {}
    for name, spec in metrics.items():
        outcomes = None
        if spec.rollup_key is not None:
            outcomes = frozenset(spec.attributes[spec.rollup_key].values or ())
        infos[name] = MetricInfo(name, spec.kind, outcomes, tuple(spec.bounds))
    return Catalogue(infos, frozenset(components), samu_id)
