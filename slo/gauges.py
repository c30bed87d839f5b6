"""The engine's Prometheus gauges: SLI, budget left and burn per SLO × SAMU (absent: no data)."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

from prometheus_client import CollectorRegistry, Gauge

from slo.evaluate import SloStatus
from slo.windows import format_duration

_label = functools.cache(format_duration)  # "1h", "5m": a handful of windows, asked every tick


class SloGauges:
    """`vigie_slo_sli`, `vigie_slo_budget_remaining`, `vigie_slo_burn_rate`; series of SLOs and
    SAMU without data are removed, never left at their last value."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.sli = Gauge(
            "vigie_slo_sli",
            "SLI over the SLO window (absent: no data)",
            ["slo", "samu"],
            registry=registry,
        )
        self.remaining = Gauge(
            "vigie_slo_budget_remaining",
            "Error budget left, fraction (negative: overspent)",
            ["slo", "samu"],
            registry=registry,
        )
        self.burn = Gauge(
            "vigie_slo_burn_rate",
            "Burn rate per alert window (absent: no data)",
            ["slo", "samu", "window"],
            registry=registry,
        )
        self._seen: set[tuple[str, ...]] = set()
        self._seen_burn: set[tuple[str, ...]] = set()
        self._children: dict[tuple[str, ...], tuple[Any, ...]] = {}  # labels() looked up once

    def export(self, statuses: Sequence[SloStatus]) -> None:
        seen: set[tuple[str, ...]] = set()
        seen_burn: set[tuple[str, ...]] = set()
        for st in statuses:
            key: tuple[str, ...] = (st.slo, st.samu)
            if st.sli is not None and st.budget.remaining is not None:
                sli, remaining = self._child(key, self.sli, self.remaining)
                sli.set(st.sli)
                remaining.set(st.budget.remaining)
                seen.add(key)
            for window, sample in st.burns.items():
                if sample.burn_rate is not None:
                    bkey: tuple[str, ...] = (*key, _label(window))
                    self._child(bkey, self.burn)[0].set(sample.burn_rate)
                    seen_burn.add(bkey)
        for key in self._seen - seen:
            self.sli.remove(*key)
            self.remaining.remove(*key)
            self._children.pop(key, None)
        for bkey in self._seen_burn - seen_burn:
            self.burn.remove(*bkey)
            self._children.pop(bkey, None)
        self._seen, self._seen_burn = seen, seen_burn

    def _child(self, key: tuple[str, ...], *gauges: Gauge) -> tuple[Any, ...]:
        found = self._children.get(key)
        if found is None:
            found = self._children[key] = tuple(g.labels(*key) for g in gauges)
        return found
