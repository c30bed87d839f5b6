"""How many SAMU are burning, per SLO (the national and regional composites themselves are
computed with the statuses, in `slo.evaluate.evaluate_all`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from slo.evaluate import SloStatus


@dataclass(frozen=True)
class BurningView:
    """For one SLO: how many SAMU are evaluated, burning, exhausted, without data, alerting."""

    slo: str
    samu: int
    burning: int
    exhausted: int
    no_data: int
    alerting: int


def burning(statuses: Iterable[SloStatus], regions: Mapping[str, str]) -> list[BurningView]:
    """Per SLO, the "how many SAMU are burning" view (per-SAMU statuses only)."""
    views: dict[str, list[int]] = {}
    for st in statuses:
        if st.samu not in regions:
            continue
        v = views.setdefault(st.slo, [0, 0, 0, 0, 0])
        v[0] += 1
        v[1] += st.state == "burning"
        v[2] += st.state == "exhausted"
        v[3] += st.state == "no_data"
        v[4] += bool(st.conditions)
    return [BurningView(slo, *v) for slo, v in sorted(views.items())]
