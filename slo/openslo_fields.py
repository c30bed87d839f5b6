"""Reading OpenSLO v1 fields: the keys each object may hold, and metric queries → our metrics.

A query maps when it names a Vigie metric (dotted, or in Prometheus spelling with `_total`,
`_bucket`, `_count`), optionally inside `sum(…)`, with matchers on `outcome`, `component` or a
histogram's `le`; regex matchers must be plain alternations (`a|b`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from slo.catalogue import Catalogue, MetricInfo
from slo.errors import OpenSLOError

FIELDS: dict[str, set[str]] = {
    "doc": {"apiVersion", "kind", "metadata", "spec"},
    "metadata": {"name", "displayName", "labels", "annotations"},
    "SLO": {
        "description",
        "service",
        "indicator",
        "indicatorRef",
        "budgetingMethod",
        "timeWindow",
        "objectives",
        "alertPolicies",
    },
    "SLI": {"description", "thresholdMetric", "ratioMetric"},
    "Service": {"description"},
    "ratio": {"counter", "good", "bad", "total", "rawType", "raw"},
    "source": {"metricSourceRef", "type", "spec"},
    "window": {"duration", "isRolling", "calendar"},
    "calendar": {"startTime", "timeZone"},
    "objective": {
        "displayName",
        "op",
        "value",
        "target",
        "targetPercent",
        "timeSliceTarget",
        "timeSliceWindow",
    },
    "AlertPolicy": {
        "description",
        "alertWhenNoData",
        "alertWhenResolved",
        "alertWhenBreaching",
        "conditions",
        "notificationTargets",
    },
    "AlertCondition": {"description", "severity", "condition"},
    "condition": {"kind", "op", "threshold", "lookbackWindow", "alertAfter"},
}

_QUERY = re.compile(r"^\s*(?:sum\s*\(\s*)?([A-Za-z_][\w.:]*)\s*(?:\{(.*)\})?\s*\)?\s*$")
_MATCHER = re.compile(r'\s*([A-Za-z_][\w.]*)\s*(=~|!~|!=|=)\s*"([^"]*)"\s*')
_LITERALS = re.compile(r"^[\w.+-]+(\|[\w.+-]+)*$")


@dataclass(frozen=True)
class Query:
    """A parsed metric query: the metric, its Prometheus suffix and its matchers."""

    metric: MetricInfo
    suffix: str  # "", "bucket" or "count"
    matchers: tuple[tuple[str, str, tuple[str, ...]], ...]  # (label, op, values)


def check_fields(obj: Any, key: str, where: str) -> None:
    """Refuse a non-mapping or any key OpenSLO v1 does not define for this object."""
    if not isinstance(obj, dict):
        raise OpenSLOError(where, "expected a mapping")
    for name in obj:
        if name not in FIELDS[key]:
            raise OpenSLOError(f"{where}.{name}", "unknown or unsupported field")


def parse_query(node: Any, where: str, cat: Catalogue) -> Query:
    """The metric query of a `metricSource` node."""
    if not isinstance(node, dict) or not isinstance(node.get("metricSource"), dict):
        raise OpenSLOError(f"{where}.metricSource", "required")
    source = node["metricSource"]
    check_fields(source, "source", f"{where}.metricSource")
    text = (source.get("spec") or {}).get("query")
    if not isinstance(text, str):
        raise OpenSLOError(
            f"{where}.metricSource.spec.query", "a query naming a Vigie metric is needed"
        )
    match = _QUERY.match(text)
    if match is None:
        raise OpenSLOError(f"{where}.metricSource.spec.query", f"cannot map query {text!r}")
    metric, suffix = metric_for(match.group(1), f"{where}.metricSource.spec.query", cat)
    matchers = []
    body = (match.group(2) or "").strip().rstrip(",")
    for part in filter(None, (p.strip() for p in body.split(","))) if body else ():
        m = _MATCHER.fullmatch(part)
        if m is None:
            raise OpenSLOError(f"{where}.metricSource.spec.query", f"cannot map matcher {part!r}")
        label, op, value = m.groups()
        if label not in ("outcome", "component", "le"):
            raise OpenSLOError(
                f"{where}.metricSource.spec.query",
                f"label {label!r} is not stored per minute (outcome, component)",
            )
        if "~" in op and not _LITERALS.match(value):
            raise OpenSLOError(f"{where}.metricSource.spec.query", f"regex {value!r} is not a|b|c")
        matchers.append((label, op, tuple(value.split("|")) if "~" in op else (value,)))
    return Query(metric, suffix, tuple(matchers))


def metric_for(name: str, where: str, cat: Catalogue) -> tuple[MetricInfo, str]:
    """The Vigie metric a query name denotes, and its suffix (``, `bucket` or `count`)."""
    if name in cat.metrics:
        return cat.metrics[name], ""
    for suffix in ("_bucket", "_count", "_total", ""):
        if name.endswith(suffix):
            dotted = name.removesuffix(suffix).replace("_", ".")
            if dotted in cat.metrics:
                return cat.metrics[dotted], suffix.removeprefix("_").replace("total", "")
    raise OpenSLOError(where, f"metric {name!r} is not one Vigie stores")


def query_filter(query: Query, where: str) -> dict[str, list[str]]:
    """The matchers of a query as a vigie/v1 filter block."""
    result: dict[str, list[str]] = {}
    for label, op, values in query.matchers:
        if label == "le":
            raise OpenSLOError(where, "le is only for a histogram's good bucket")
        if op in ("=", "=~"):
            key = label
        elif label == "outcome":
            key = "outcome_not"
        else:
            raise OpenSLOError(where, f"negative matcher on {label!r} is not supported")
        if key in result:
            raise OpenSLOError(where, f"two matchers on {label!r}")
        result[key] = list(values)
    return result
