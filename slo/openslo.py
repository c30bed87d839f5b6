"""OpenSLO v1 import: Service, SLI, SLO and AlertPolicy/AlertCondition documents → vigie/v1 specs.

What maps: ratioMetric good/total or bad/total over our counters (`samu.call.setups{outcome=
"success"}`, Prometheus spelling `samu_call_setups_total` too); latency as good =
`<histogram>_bucket{le="1"}` over total = `<histogram>_count`; thresholdMetric over our histogram
with `op: lt|lte` on a bucket bound; rolling and 1M/1Q/1Y calendar windows; Occurrences and
Timeslices; burnrate AlertConditions (factor T over window L becomes a pair spending T × L /
period of the budget, short window L/12). Anything else is refused with the field named.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import yaml
from pydantic import ValidationError

from slo import spec as s
from slo.catalogue import Catalogue
from slo.errors import OpenSLOError, WindowError
from slo.mapping import map_document
from slo.openslo_alerts import alert_pairs
from slo.openslo_fields import FIELDS, Query, check_fields, parse_query, query_filter
from slo.policy import PolicySet
from slo.windows import format_duration, parse_duration
from store.yamlsafe import GuardedLoader

API = "openslo/v1"
_IGNORED_KINDS = {"DataSource", "AlertNotificationTarget"}
_CALENDAR = {"1M": "month", "1Q": "quarter", "1Y": "year"}


@dataclass(frozen=True)
class ImportResult:
    """The vigie/v1 documents produced (plain, validated data) and notes on what was dropped."""

    documents: tuple[dict[str, Any], ...]
    notes: tuple[str, ...] = field(default=())


def import_openslo(text: str, policies: PolicySet, catalogue: Catalogue) -> ImportResult:
    """Translate OpenSLO v1 YAML into vigie/v1 spec documents, or raise OpenSLOError."""
    try:
        raw = [d for d in yaml.load_all(text, Loader=GuardedLoader) if d is not None]
    except yaml.YAMLError as exc:
        raise OpenSLOError("(file)", f"invalid YAML: {exc}") from exc
    objects = [o for d in raw for o in (d if isinstance(d, list) else [d])]
    by_kind: dict[str, dict[str, dict[str, Any]]] = {}
    notes: list[str] = []
    for obj in objects:
        kind, name = _header(obj)
        if kind in _IGNORED_KINDS:
            notes.append(
                f"{kind} {name}: ignored (Vigie reads its own store and routes alerts itself)"
            )
            continue
        by_kind.setdefault(kind, {})[name] = obj
    slos = by_kind.get("SLO", {})
    if not slos:
        raise OpenSLOError("kind", "no SLO document to import")
    docs = []
    for name, obj in slos.items():
        try:
            docs.append(_slo(name, obj, by_kind, policies, catalogue, notes))
        except (AttributeError, KeyError, TypeError, ValueError, IndexError) as exc:
            # A field of the wrong shape (a list where a mapping belongs, a missing spec...):
            # the checks above name the common mistakes; this names the SLO for the rest.
            raise OpenSLOError(
                f"SLO {name}", f"unexpected document structure ({type(exc).__name__}: {exc})"
            ) from exc
    return ImportResult(tuple(docs), tuple(notes))


def _header(obj: Any) -> tuple[str, str]:
    if not isinstance(obj, dict):
        raise OpenSLOError("(document)", "an OpenSLO document is a mapping")
    if obj.get("apiVersion") != API:
        raise OpenSLOError("apiVersion", f"{obj.get('apiVersion')!r} is not supported (only {API})")
    kind = obj.get("kind")
    known = {"SLO", "SLI", "Service", "AlertPolicy", "AlertCondition", *_IGNORED_KINDS}
    if not isinstance(kind, str) or kind not in known:  # a list or mapping is unhashable
        raise OpenSLOError("kind", f"{kind!r} is not an OpenSLO v1 kind Vigie imports")
    name = obj.get("metadata", {}).get("name") if isinstance(obj.get("metadata"), dict) else None
    if not isinstance(name, str):
        raise OpenSLOError(f"{kind}.metadata.name", "required")
    where = f"{kind} {name}"
    check_fields(obj, "doc", where)
    check_fields(obj["metadata"], "metadata", f"{where}: metadata")
    if kind in FIELDS:
        check_fields(obj.get("spec") or {}, kind, f"{where}: spec")
    return kind, name


def _slo(
    name: str,
    obj: dict[str, Any],
    by_kind: dict[str, dict[str, dict[str, Any]]],
    policies: PolicySet,
    cat: Catalogue,
    notes: list[str],
) -> dict[str, Any]:
    where = f"SLO {name}: spec"
    spec = obj["spec"]
    if "indicator" in spec:
        indicator = spec["indicator"]
        ind_where = f"{where}.indicator.spec"
        check_fields(indicator.get("spec"), "SLI", ind_where)
    elif spec.get("indicatorRef") in by_kind.get("SLI", {}):
        indicator = by_kind["SLI"][spec["indicatorRef"]]
        ind_where = f"SLI {spec['indicatorRef']}: spec"
    else:
        raise OpenSLOError(
            f"{where}.indicatorRef", "no inline indicator and no such SLI in the file"
        )
    method = spec.get("budgetingMethod")
    if method not in ("Occurrences", "Timeslices"):
        raise OpenSLOError(f"{where}.budgetingMethod", "must be Occurrences or Timeslices")
    objectives = spec.get("objectives") or []
    if not objectives:
        raise OpenSLOError(f"{where}.objectives", "at least one objective is required")
    for i, o in enumerate(objectives):
        check_fields(o, "objective", f"{where}.objectives[{i}]")
    sli, thresholds = _indicator(indicator["spec"], ind_where, method, objectives, where, cat)
    doc: dict[str, Any] = {
        "apiVersion": s.API_VERSION,
        "kind": "SLO",
        "id": name,
        "name": obj["metadata"].get("displayName") or name,
    }
    if spec.get("description"):
        doc["description"] = spec["description"]
    doc["class"] = "high"
    notes.append(f"SLO {name}: class set to high (OpenSLO has no SLO class); review it")
    doc.update(_objectives(objectives, thresholds, where))
    doc["sli"] = sli
    doc["window"] = _window(spec.get("timeWindow"), f"{where}.timeWindow")
    doc["budgeting"] = method.lower()
    doc["samu"] = "all"
    if spec.get("service"):
        doc["labels"] = {"service": str(spec["service"])}
    pairs = alert_pairs(spec.get("alertPolicies") or [], by_kind, policies, where, notes)
    if pairs:
        doc["alerting"] = {"pairs": pairs}
    _validate(doc, policies, cat, name)
    return doc


def _indicator(
    sli: dict[str, Any],
    where: str,
    method: str,
    objectives: list[dict[str, Any]],
    slo_where: str,
    cat: Catalogue,
) -> tuple[dict[str, Any], list[float | None]]:
    """Our `sli` block and the latency threshold of each objective (None for ratios)."""
    if "thresholdMetric" in sli:
        return _threshold_metric(
            sli["thresholdMetric"], f"{where}.thresholdMetric", method, objectives, slo_where, cat
        )
    ratio = sli.get("ratioMetric")
    if ratio is None:
        raise OpenSLOError(where, "ratioMetric or thresholdMetric is required")
    rwhere = f"{where}.ratioMetric"
    check_fields(ratio, "ratio", rwhere)
    if "raw" in ratio or "rawType" in ratio:
        raise OpenSLOError(
            f"{rwhere}.raw", "precomputed ratios are not supported: Vigie sums exact counts"
        )
    if ratio.get("counter") is False:
        raise OpenSLOError(f"{rwhere}.counter", "gauges are not supported; give counters of events")
    for i, o in enumerate(objectives):
        for key in ("op", "value"):
            if key in o:
                raise OpenSLOError(f"{slo_where}.objectives[{i}].{key}", "only for thresholdMetric")
    if "total" not in ratio or ("good" in ratio) == ("bad" in ratio):
        raise OpenSLOError(rwhere, "give total and exactly one of good or bad")
    total = parse_query(ratio["total"], f"{rwhere}.total", cat)
    part_key = "good" if "good" in ratio else "bad"
    part = parse_query(ratio[part_key], f"{rwhere}.{part_key}", cat)
    if part.metric.kind == "histogram":
        return _bucket_ratio(part, total, part_key, rwhere, method, objectives, slo_where)
    if part.metric is not total.metric:
        raise OpenSLOError(
            f"{rwhere}.{part_key}", f"{part_key} and total must count the same metric"
        )
    valid = query_filter(total, f"{rwhere}.total")
    if part_key == "good":
        good = query_filter(part, f"{rwhere}.good")
    else:
        bad = query_filter(part, f"{rwhere}.bad")
        if "component" in bad:
            raise OpenSLOError(f"{rwhere}.bad", "a component matcher on bad cannot be inverted")
        allowed = part.metric.outcomes or frozenset()
        accepted = set(valid.get("outcome", allowed)) - set(valid.get("outcome_not", ()))
        excluded = set(bad.get("outcome", allowed)) - set(bad.get("outcome_not", ()))
        good = {"outcome": sorted(accepted - excluded)}
    block: dict[str, Any] = {
        "kind": "timeslice" if method == "Timeslices" else "ratio",
        "metric": part.metric.name,
        "good": good,
        "valid": valid,
    }
    block.update(_slices(method, objectives, slo_where))
    return block, [None] * len(objectives)


def _bucket_ratio(
    part: Query,
    total: Query,
    part_key: str,
    where: str,
    method: str,
    objectives: list[dict[str, Any]],
    slo_where: str,
) -> tuple[dict[str, Any], list[float | None]]:
    if part_key != "good" or part.suffix != "bucket":
        raise OpenSLOError(f"{where}.{part_key}", "a histogram ratio is good = <name>_bucket{le=…}")
    if total.metric is not part.metric or total.suffix not in ("count", "bucket"):
        raise OpenSLOError(f"{where}.total", "total must be the same histogram's _count")
    les = [m for m in part.matchers if m[0] == "le"]
    if len(les) != 1 or les[0][1] != "=" or len(les[0][2]) != 1:
        raise OpenSLOError(f"{where}.good", 'name one bucket with le="<bound>"')
    threshold = float(les[0][2][0])
    block: dict[str, Any] = {"kind": "latency", "metric": part.metric.name}
    comps = query_filter(
        Query(part.metric, "", tuple(m for m in total.matchers if m[0] != "le")), f"{where}.total"
    )
    if comps:
        block["valid"] = comps
    if method == "Timeslices":
        block.update(_slices(method, objectives, slo_where), kind="timeslice")
    return block, [threshold] * len(objectives)


def _threshold_metric(
    metric: dict[str, Any],
    where: str,
    method: str,
    objectives: list[dict[str, Any]],
    slo_where: str,
    cat: Catalogue,
) -> tuple[dict[str, Any], list[float | None]]:
    query = parse_query(metric, where, cat)
    if query.metric.kind != "histogram":
        raise OpenSLOError(
            where,
            "threshold metrics are supported only over Vigie's latency "
            "histograms (e.g. samu.call.setup.duration); use a ratioMetric",
        )
    thresholds: list[float | None] = []
    for i, o in enumerate(objectives):
        if o.get("op") not in ("lt", "lte"):
            raise OpenSLOError(
                f"{slo_where}.objectives[{i}].op", "only lt/lte map to latency buckets"
            )
        if not isinstance(o.get("value"), int | float):
            raise OpenSLOError(
                f"{slo_where}.objectives[{i}].value", "a number of seconds is needed"
            )
        thresholds.append(float(o["value"]))
    block: dict[str, Any] = {"kind": "latency", "metric": query.metric.name}
    if method == "Timeslices":
        block.update(_slices(method, objectives, slo_where), kind="timeslice")
    return block, thresholds


def _slices(method: str, objectives: list[dict[str, Any]], where: str) -> dict[str, Any]:
    if method != "Timeslices":
        return {}
    pairs = {(o.get("timeSliceTarget"), o.get("timeSliceWindow")) for o in objectives}
    if len(pairs) != 1:
        raise OpenSLOError(f"{where}.objectives", "all objectives must share one time slice")
    target, window = pairs.pop()
    if not isinstance(target, int | float) or not 0 < target <= 1:
        raise OpenSLOError(f"{where}.objectives[0].timeSliceTarget", "a number in (0, 1] is needed")
    if isinstance(window, int | float):
        window = f"{window}m"
    try:
        slice_ = parse_duration(str(window or "1m"))
    except WindowError as exc:
        raise OpenSLOError(f"{where}.objectives[0].timeSliceWindow", str(exc)) from exc
    return {
        "slice": format_duration(slice_),
        "slice_target": round(target * 100, 10),
        "no_data": "skip",
    }


def _objectives(
    objectives: list[dict[str, Any]], thresholds: list[float | None], where: str
) -> dict[str, Any]:
    entries = []
    for i, (o, threshold) in enumerate(zip(objectives, thresholds, strict=True)):
        if ("target" in o) == ("targetPercent" in o):
            raise OpenSLOError(
                f"{where}.objectives[{i}]", "give exactly one of target, targetPercent"
            )
        percent = float(o["targetPercent"]) if "targetPercent" in o else float(o["target"]) * 100
        entry: dict[str, Any] = {
            "name": _slug(o.get("displayName"), threshold, i),
            "objective": round(percent, 10),
        }
        if o.get("displayName"):
            entry["display_name"] = o["displayName"]
        if threshold is not None:
            entry["threshold"] = threshold
        entries.append(entry)
    if len(entries) == 1 and "threshold" not in entries[0]:
        return {"objective": entries[0]["objective"]}
    return {"objectives": entries}


def _slug(text: Any, threshold: float | None, index: int) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", str(text or "").lower()).strip("-")
    if not slug and threshold is not None:
        slug = "under-" + format_duration(timedelta(seconds=threshold))
    return slug or f"o{index + 1}"


def _window(windows: Any, where: str) -> dict[str, Any]:
    if not isinstance(windows, list) or len(windows) != 1:
        raise OpenSLOError(where, "exactly one time window is required")
    w = windows[0]
    check_fields(w, "window", f"{where}[0]")
    duration = str(w.get("duration", ""))
    if w.get("isRolling", "calendar" not in w):
        try:
            return {"rolling": format_duration(parse_duration(duration))}
        except WindowError as exc:
            raise OpenSLOError(
                f"{where}[0].duration", f"{exc}; a rolling window has a fixed length"
            ) from exc
    if duration not in _CALENDAR:
        raise OpenSLOError(f"{where}[0].duration", "calendar windows are 1M, 1Q or 1Y")
    calendar = w.get("calendar") or {}
    check_fields(calendar, "calendar", f"{where}[0].calendar")
    unit = _CALENDAR[duration]
    start = calendar.get("startTime")
    if start is not None:
        _check_start(str(start), unit, f"{where}[0].calendar.startTime")
    return {"calendar": unit, "timezone": calendar.get("timeZone", "Europe/Paris")}


def _check_start(text: str, unit: str, where: str) -> None:
    try:
        start = datetime.fromisoformat(text)
    except ValueError as exc:
        raise OpenSLOError(where, f"cannot read {text!r} as a date and time") from exc
    step = {"month": 1, "quarter": 3, "year": 12}[unit]
    if (start.day, start.hour, start.minute, start.second) != (1, 0, 0, 0) or (
        start.month - 1
    ) % step:
        raise OpenSLOError(
            where, f"Vigie's {unit}s start at midnight on the first day of the {unit}"
        )


def _validate(doc: dict[str, Any], policies: PolicySet, cat: Catalogue, name: str) -> None:
    try:
        parsed = s.SloSpec.model_validate(doc)
    except ValidationError as exc:
        err = exc.errors()[0]
        raise OpenSLOError(
            f"SLO {name}", f"{'.'.join(map(str, err['loc']))}: {err['msg']}"
        ) from exc
    mapped = map_document(parsed, policies, cat)
    for problem in mapped.problems:
        if problem.level == "error":
            path = ".".join(map(str, problem.path))
            raise OpenSLOError(f"SLO {name}", f"{path}: {problem.message}")
