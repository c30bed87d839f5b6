"""K1 and the other plain counters the monthly report states beside the SLOs (DOMAIN: K1 —
reported only, never budgeted): call attempts, answered within 60 s (QS60), abandonment and
entraide. Each is a ledger column read like an SLI's sums, defined here once; planned
maintenance is not excluded from them (the report says so).
"""

from __future__ import annotations

from slo.layout import INF, CountColumn
from slo.model import CountFilter

QS60_THRESHOLD_S = 60.0
ANY = CountFilter()


def _outcome(*names: str) -> CountFilter:
    return CountFilter(outcomes=frozenset(names))


COUNTERS: dict[str, CountColumn] = {
    "calls": CountColumn("samu.call.setups", INF, ANY),  # every attempt, hang-ups included
    "answered": CountColumn("samu.call.answer.duration", INF, ANY),
    "answered_60": CountColumn("samu.call.answer.duration", QS60_THRESHOLD_S, ANY),
    "abandoned_under_15": CountColumn("samu.call.abandoned", INF, _outcome("under_15s")),
    "abandoned_over_15": CountColumn("samu.call.abandoned", INF, _outcome("over_15s")),
    "entraide_in": CountColumn("samu.entraide.transfers", INF, _outcome("in")),
    "entraide_out": CountColumn("samu.entraide.transfers", INF, _outcome("out")),
}


def ratio(num: float, den: float) -> float | None:
    """num / den, or None without a denominator (no data, never 100 %)."""
    return num / den if den > 0 else None


def qs60(
    answered_60: float, answered: float, under_15: float, over_15: float
) -> tuple[float | None, float | None, float | None]:
    """(QS60 raw, QS60 without caller hang-ups under 15 s, abandonment) from the counters."""
    offered = answered + under_15 + over_15
    return (
        ratio(answered_60, offered),
        ratio(answered_60, offered - under_15),
        ratio(under_15 + over_15, offered),
    )
