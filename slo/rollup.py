"""National and regional roll-ups: event-weighted composites and how many SAMU are burning.

A composite adds the SAMU's good and bad counts (events or slices) window by window and judges
the sum; it is never an average of per-SAMU ratios.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta

from slo.evaluate import NATIONAL, MinuteTally, SloStatus, Totals, status_of
from slo.layout import slice_rule
from slo.model import SLO


@dataclass(frozen=True)
class BurningView:
    """For one SLO: how many SAMU are evaluated, burning, exhausted, without data, alerting."""

    slo: str
    samu: int
    burning: int
    exhausted: int
    no_data: int
    alerting: int


def _totals(st: SloStatus) -> tuple[Totals, dict[timedelta, Totals]]:
    window = Totals(st.budget.good, st.budget.bad)
    burns = {w: Totals(b.valid_events - b.bad_events, b.bad_events) for w, b in st.burns.items()}
    return window, burns


def composite(slo: SLO, name: str, members: Sequence[SloStatus]) -> SloStatus | None:
    """The event-weighted composite of per-SAMU statuses of one SLO (None without members)."""
    if not members:
        return None
    window, burns = Totals(), {w: Totals() for w in members[0].burns}
    for st in members:
        w, b = _totals(st)
        window = window + w
        for key, t in b.items():
            burns[key] = burns.get(key, Totals()) + t
    first = members[0]
    sliced = slice_rule(slo) is not None
    minutes = (
        sum(st.budget.window_minutes for st in members) if sliced else first.budget.window_minutes
    )
    tally = None
    if sliced:
        tally = MinuteTally()
        for st in members:
            tally = tally + (st.minutes or MinuteTally())
    guards = slo.alerting.guards
    return status_of(
        slo,
        name,
        slo.objective,
        guards.min_bad_events,
        window,
        burns,
        minutes,
        first.window_start,
        first.at,
        _components(members),
        tally,
    )


def _components(members: Iterable[SloStatus]) -> dict[str, Totals]:
    out: dict[str, Totals] = {}
    for st in members:
        for comp, t in st.components.items():
            out[comp] = out.get(comp, Totals()) + t
    return out


def composites(
    slos: Sequence[SLO], statuses: Sequence[SloStatus], regions: Mapping[str, str]
) -> list[SloStatus]:
    """National and per-region composites of every per-SAMU SLO (conditions not alerted on)."""
    out: list[SloStatus] = []
    by_slo: dict[str, list[SloStatus]] = {}
    for st in statuses:
        if st.samu in regions:
            by_slo.setdefault(st.slo, []).append(st)
    for slo in slos:
        members = by_slo.get(slo.id, [])
        if slo.scope != "samu" or not members:
            continue
        groups: dict[str, list[SloStatus]] = {NATIONAL: members}
        for st in members:
            groups.setdefault(f"region:{regions[st.samu]}", []).append(st)
        for name, group in groups.items():
            made = composite(slo, name, group)
            if made is not None:
                out.append(made)
    return out


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
