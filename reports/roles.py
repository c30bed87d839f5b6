"""Which shipped SLO specs the report states as S1, S2, S3 and national S1, and the objectives
and definitions its method section prints — taken from the specs, never re-typed."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from reports.model import Objectives
from slo.kpi import QS60_THRESHOLD_S
from slo.model import SLO, LatencySLI, RatioSLI

# The report's roles and the spec ids that fill them (the first found wins).
S1_IDS = ("s1-call-setup-monthly", "s1-call-setup")
NATIONAL_IDS = ("s1-call-setup-national",)
S2_IDS = ("s2-setup-latency-under-1s",)
S3_IDS = ("s3-reachability",)


@dataclass(frozen=True)
class Roles:
    """The specs behind each figure of the report (None: not shipped, the figure is empty)."""

    s1: SLO | None
    national: SLO | None
    s2: SLO | None
    s3: SLO | None
    known_outcomes: Mapping[str, frozenset[str]]  # metric → outcomes (for "excluded" wording)

    @property
    def used(self) -> list[SLO]:
        return [slo for slo in (self.s1, self.national, self.s2, self.s3) if slo is not None]

    def objectives(self) -> Objectives:
        """Objectives and definitions as the method section states them."""
        base = Objectives()
        good: tuple[str, ...] = base.s1_good
        excluded: tuple[str, ...] = base.s1_excluded
        if self.s1 is not None and isinstance(self.s1.sli, RatioSLI):
            sli = self.s1.sli
            good = tuple(sorted(sli.good.outcomes or ()))
            valid = sli.valid.outcomes
            known = self.known_outcomes.get(sli.metric)
            if valid is not None and known is not None:
                excluded = tuple(sorted(known - valid))
            else:
                excluded = tuple(sorted(sli.valid.not_outcomes))
        threshold = base.s2_threshold_s
        if self.s2 is not None and isinstance(self.s2.sli, LatencySLI):
            threshold = self.s2.sli.threshold_s
        return Objectives(
            s1=self.s1.objective if self.s1 else base.s1,
            s1_national=self.national.objective if self.national else base.s1_national,
            s2=self.s2.objective if self.s2 else base.s2,
            s2_threshold_s=threshold,
            s3=self.s3.objective if self.s3 else base.s3,
            s1_good=good,
            s1_excluded=excluded,
            qs60_threshold_s=QS60_THRESHOLD_S,
            versions=tuple((slo.id, slo.source.rsplit("/", 1)[-1]) for slo in self.used),
        )


def _first(slos: Sequence[SLO], ids: Sequence[str]) -> SLO | None:
    by_id = {slo.id: slo for slo in slos}
    return next((by_id[i] for i in ids if i in by_id), None)


def roles_of(
    slos: Sequence[SLO], known_outcomes: Mapping[str, frozenset[str]] | None = None
) -> Roles:
    """The report's specs among `slos`; `known_outcomes` (metric → every outcome the platform
    stores, from the catalogue) lets the method name the outcomes S1 excludes."""
    return Roles(
        _first(slos, S1_IDS),
        _first(slos, NATIONAL_IDS),
        _first(slos, S2_IDS),
        _first(slos, S3_IDS),
        known_outcomes or {},
    )
