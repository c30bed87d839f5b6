"""The metrics Vigie 15 understands: names, kinds, units, allowed attributes and their values.

This table is the privacy allow-list too: an attribute that is not listed for a metric is
never stored. docs/metrics.md is generated from it (`vigie metrics-reference`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["sum", "gauge", "histogram"]

# Histogram bounds include every SLO threshold (1 s and 3 s for setup; 15 s and 60 s for answer).
SETUP_BOUNDS: tuple[float, ...] = (0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0)
ANSWER_BOUNDS: tuple[float, ...] = (5.0, 10.0, 15.0, 20.0, 30.0, 45.0, 60.0, 90.0, 120.0, 300.0)

COMPONENTS: frozenset[str] = frozenset({"telephony", "database", "hub", "network", "carrier"})
# Shape only; the registry (store/data/samu.yaml) decides which ids exist.
SAMU_ID_PATTERN = re.compile(r"^fr\.health\.samu(0[0-9]{2}|02[AB]|97[0-9])[a-z]?$")


@dataclass(frozen=True)
class AttributeRule:
    """A closed set of values, or a pattern a value must match in full."""

    values: frozenset[str] | None = None
    pattern: re.Pattern[str] | None = None
    required: bool = False

    def accepts(self, value: str) -> bool:
        if self.values is not None:
            return value in self.values
        if self.pattern is not None:
            return self.pattern.fullmatch(value) is not None
        return False


@dataclass(frozen=True)
class MetricSpec:
    name: str
    kind: Kind
    unit: str
    description: str
    attributes: dict[str, AttributeRule] = field(default_factory=dict)
    # The attribute whose value becomes the `outcome` column of the per-minute rollup.
    rollup_key: str | None = None
    bounds: tuple[float, ...] = ()


def _closed(*values: str, required: bool = False) -> AttributeRule:
    return AttributeRule(values=frozenset(values), required=required)


COMPONENT = _closed(*sorted(COMPONENTS))
SIP_CODE = AttributeRule(pattern=re.compile(r"[1-6][0-9]{2}"))
PEER_SAMU = AttributeRule(pattern=SAMU_ID_PATTERN)

METRICS: dict[str, MetricSpec] = {
    spec.name: spec
    for spec in (
        MetricSpec(
            "samu.call.setups",
            "sum",
            "{call}",
            "Call setup attempts by outcome (INVITE to 18x/200, RFC 6076).",
            {
                "outcome": _closed(
                    "success", "failed", "rejected", "timeout", "caller_cancelled", required=True
                ),
                "sip.status_code": SIP_CODE,
                "component": COMPONENT,
            },
            rollup_key="outcome",
        ),
        MetricSpec(
            "samu.call.setup.duration",
            "histogram",
            "s",
            "Setup delay: INVITE to the first 18x or 200, for successful setups.",
            {"component": COMPONENT},
            bounds=SETUP_BOUNDS,
        ),
        MetricSpec(
            "samu.call.answer.duration",
            "histogram",
            "s",
            "Time from the call reaching the SAMU queue to an operator answering (QS60).",
            {},
            bounds=ANSWER_BOUNDS,
        ),
        MetricSpec(
            "samu.call.abandoned",
            "sum",
            "{call}",
            "Calls the caller hung up before an answer, split at 15 s of waiting.",
            {"outcome": _closed("under_15s", "over_15s", required=True)},
            rollup_key="outcome",
        ),
        MetricSpec(
            "samu.probe.calls",
            "sum",
            "{call}",
            "Synthetic test calls placed to the SAMU (default once a minute), by result.",
            {"outcome": _closed("success", "failure", required=True), "component": COMPONENT},
            rollup_key="outcome",
        ),
        MetricSpec(
            "samu.reachability.checks",
            "sum",
            "{check}",
            "SIP OPTIONS-style reachability heartbeats to the SAMU access (default every 10 s).",
            {"outcome": _closed("ok", "fail", required=True), "component": COMPONENT},
            rollup_key="outcome",
        ),
        MetricSpec(
            "samu.entraide.transfers",
            "sum",
            "{call}",
            "Calls overflowed to (out) or received from (in) a backing SAMU (entraide).",
            {"direction": _closed("in", "out", required=True), "peer.samu.id": PEER_SAMU},
            rollup_key="direction",
        ),
        MetricSpec(
            "samu.component.up",
            "gauge",
            "1",
            "Health of a platform component as seen from the SAMU: 1 healthy, 0 failing.",
            {"component": AttributeRule(values=COMPONENTS, required=True)},
        ),
        MetricSpec(
            "samu.network.latency",
            "gauge",
            "s",
            "Round-trip network latency from the SAMU to the national platform.",
            {"component": COMPONENT},
        ),
    )
}

# Resource attributes kept (others are dropped before anything is stored). samu.id is required.
RESOURCE_ATTRIBUTES: frozenset[str] = frozenset(
    {"samu.id", "service.name", "service.instance.id", "service.version"}
)

# Spans a gateway may send instead of counters: one span per call setup.
CALL_SETUP_SPAN = "samu.call.setup"
