"""slo/policy.yaml and guard settings → the policy model (pairs with exact budget shares)."""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction
from typing import TypeVar

from slo import spec as s
from slo.policy import (
    BurnPair,
    ClassDefaults,
    Guards,
    Policy,
    PolicySet,
    SloClass,
    TrafficCollapse,
)
from slo.problems import Path, Problem, Sink

_T = TypeVar("_T")
_CLASSES: tuple[SloClass, ...] = ("critical", "high", "low")


def merge_guards(base: Guards, spec: s.GuardsSpec | None) -> Guards:
    """`base` with every guard that `spec` sets replaced."""
    if spec is None:
        return base
    collapse = base.traffic_collapse
    if spec.traffic_collapse is not None:
        collapse = collapse_with(collapse, spec.traffic_collapse)
    forecast = base.budget_forecast
    if spec.budget_forecast is not None:
        forecast = None if spec.budget_forecast == "off" else spec.budget_forecast
    return replace(
        base,
        min_bad_events=_pick(spec.min_bad_events, base.min_bad_events),
        min_bad_events_short=_pick(spec.min_bad_events_short, base.min_bad_events_short),
        probe_failed_minutes=_pick(spec.probe_failed_minutes, base.probe_failed_minutes),
        heartbeat_failed_checks=_pick(spec.heartbeat_failed_checks, base.heartbeat_failed_checks),
        heartbeat_interval=_pick(spec.heartbeat_interval, base.heartbeat_interval),
        traffic_collapse=collapse,
        no_data_after=_pick(spec.no_data_after, base.no_data_after),
        budget_exhausted=_pick(spec.budget_exhausted, base.budget_exhausted),
        budget_forecast=forecast,
    )


def _pick(value: _T | None, default: _T) -> _T:
    return default if value is None else value


def collapse_with(
    base: TrafficCollapse, spec: s.TrafficCollapseSpec | s.PlausibilitySpec
) -> TrafficCollapse:
    """`base` with the traffic-collapse settings that `spec` sets replaced."""
    return TrafficCollapse(
        below_fraction=base.below_fraction
        if spec.below_percent is None
        else spec.below_percent / 100,
        for_minutes=base.for_minutes if spec.for_ is None else int(spec.for_.total_seconds() // 60),
        min_baseline_events=_pick(spec.min_baseline_events, base.min_baseline_events),
    )


def map_pairs(pairs: list[s.PairSpec]) -> tuple[BurnPair, ...]:
    """Burn pairs with their budget share as an exact fraction (so 14.4 is exactly 14.4)."""
    return tuple(
        BurnPair(p.name, p.severity, Fraction(repr(p.budget_percent)) / 100, p.long, p.short)
        for p in pairs
    )


def check_policy(policy: Policy, path: Path, sink: Sink) -> None:
    """Windows must nest: short < long ≤ period; pair names unique."""
    names: set[str] = set()
    for i, pair in enumerate(policy.pairs):
        if pair.name in names:
            sink.error((*path, i, "name"), f"duplicate pair name {pair.name!r}")
        names.add(pair.name)
        if not pair.short < pair.long <= policy.period:
            sink.error((*path, i), "windows must nest: short < long ≤ period")


def map_policy(doc: s.PolicyFileSpec) -> tuple[PolicySet | None, tuple[Problem, ...]]:
    """Map slo/policy.yaml to a PolicySet, or report why it cannot be used."""
    sink = Sink()
    policies = {}
    for name, body in doc.policies.items():
        policy = Policy(name, body.period, map_pairs(body.pairs))
        check_policy(policy, ("policies", name, "pairs"), sink)
        policies[name] = policy
    guards = merge_guards(Guards(), doc.guards)
    classes: dict[str, ClassDefaults] = {}
    for cls in _CLASSES:
        spec = doc.classes.get(cls)
        if spec is None:
            sink.error(("classes",), f"class {cls!r} needs defaults")
            continue
        if spec.policy not in policies:
            sink.error(("classes", cls, "policy"), f"unknown policy {spec.policy!r}")
        classes[cls] = ClassDefaults(
            cls, spec.policy, spec.pages, merge_guards(guards, spec.guards)
        )
    if sink.failed:
        return None, sink.frozen()
    return PolicySet(policies, classes, guards), sink.frozen()
