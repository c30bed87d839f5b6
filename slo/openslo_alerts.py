"""OpenSLO AlertPolicy/AlertCondition → our burn pairs.

A burnrate condition with threshold T over lookbackWindow L spends T × L / period of the
budget; it becomes a pair with that budget share (the factor is derived back from it) and the
Workbook short window L/12. Hold durations (`alertAfter`) have no equivalent and are refused.
"""

from __future__ import annotations

import re
from datetime import timedelta
from fractions import Fraction
from typing import Any

from slo.errors import OpenSLOError, WindowError
from slo.openslo_fields import check_fields
from slo.policy import PolicySet
from slo.windows import format_duration, parse_duration

_PAGE = {"page", "critical", "sev1", "p1", "high"}
_TICKET = {"ticket", "warning", "sev2", "sev3", "p2", "p3", "low", "info"}


def alert_pairs(
    refs: list[Any],
    by_kind: dict[str, dict[str, dict[str, Any]]],
    policies: PolicySet,
    where: str,
    notes: list[str],
) -> list[dict[str, Any]]:
    """The pairs of every alert policy an SLO refers to (by name, by ref or inline)."""
    period = next(iter(policies.policies.values())).period
    pairs = []
    for i, ref in enumerate(refs):
        pwhere = f"{where}.alertPolicies[{i}]"
        policy = _resolve(ref, "AlertPolicy", "alertPolicyRef", by_kind, pwhere)
        pspec = policy.get("spec") or {}
        check_fields(pspec, "AlertPolicy", f"{pwhere}.spec")
        if pspec.get("notificationTargets"):
            notes.append(f"{pwhere}: notificationTargets ignored; routing is configured in alerts")
        for j, cref in enumerate(pspec.get("conditions") or []):
            cwhere = f"{pwhere}.spec.conditions[{j}]"
            cond = _resolve(cref, "AlertCondition", "conditionRef", by_kind, cwhere)
            pairs.append(_pair(cond, period, cwhere))
    return pairs


def _resolve(
    ref: Any, kind: str, ref_key: str, by_kind: dict[str, dict[str, dict[str, Any]]], where: str
) -> dict[str, Any]:
    name = ref if isinstance(ref, str) else (ref.get(ref_key) if isinstance(ref, dict) else None)
    if name is not None:
        found = by_kind.get(kind, {}).get(name)
        if found is None:
            raise OpenSLOError(where, f"{kind} {name!r} is not in the file")
        return found
    if isinstance(ref, dict) and ref.get("kind") == kind:
        return ref
    raise OpenSLOError(where, f"expected a {kind} or a {ref_key}")


def _pair(cond: dict[str, Any], period: timedelta, where: str) -> dict[str, Any]:
    spec = cond.get("spec") or {}
    check_fields(spec, "AlertCondition", f"{where}.spec")
    c = spec.get("condition") or {}
    check_fields(c, "condition", f"{where}.spec.condition")
    if c.get("kind", "burnrate") != "burnrate":
        raise OpenSLOError(f"{where}.spec.condition.kind", "only burnrate conditions are supported")
    if c.get("op", "gt") not in ("gt", "gte"):
        raise OpenSLOError(
            f"{where}.spec.condition.op", "a burn-rate alert fires above its threshold"
        )
    if parse_or_zero(c.get("alertAfter"), f"{where}.spec.condition.alertAfter"):
        raise OpenSLOError(
            f"{where}.spec.condition.alertAfter",
            "hold durations are not supported; Vigie pairs each window with a "
            "short window (1/12 of it) instead — remove alertAfter",
        )
    threshold = c.get("threshold")
    if not isinstance(threshold, int | float) or threshold <= 0:
        raise OpenSLOError(f"{where}.spec.condition.threshold", "a positive burn rate is needed")
    try:
        lookback = parse_duration(str(c.get("lookbackWindow")))
    except WindowError as exc:
        raise OpenSLOError(f"{where}.spec.condition.lookbackWindow", str(exc)) from exc
    share = (
        Fraction(repr(float(threshold)))
        * Fraction(int(lookback.total_seconds()))
        / Fraction(int(period.total_seconds()))
    )
    if not 0 < share < 1:
        raise OpenSLOError(
            f"{where}.spec.condition.threshold",
            f"threshold × lookbackWindow spends {float(share):.0%} of the budget",
        )
    severity = str(spec.get("severity", "")).lower()
    if severity not in _PAGE | _TICKET:
        raise OpenSLOError(f"{where}.spec.severity", f"{severity!r}: use page or ticket")
    name = (cond.get("metadata") or {}).get("name") or f"pair-{format_duration(lookback)}"
    return {
        "name": name,
        "severity": "page" if severity in _PAGE else "ticket",
        "budget_percent": float(share * 100),
        "long": format_duration(lookback),
        "short": format_duration(lookback / 12),
    }


def parse_or_zero(value: Any, where: str) -> timedelta:
    """A duration shorthand where `0`, `0m` or absence mean zero."""
    if value in (None, 0, "0") or (isinstance(value, str) and re.fullmatch(r"0+[a-z]*", value)):
        return timedelta(0)
    try:
        return parse_duration(str(value))
    except WindowError as exc:
        raise OpenSLOError(where, str(exc)) from exc
