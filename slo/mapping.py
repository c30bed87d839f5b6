"""Spec → model: the one place where user YAML (pydantic) becomes the engine's frozen dataclasses.

Shape errors are pydantic's; everything that needs the metric conventions, the policy or a
cross-field look (bucket bounds, outcome values, good ⊆ valid, budgeting vs SLI kind) is checked
here and reported as a Problem with the path of the offending key.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from slo import spec as s
from slo.catalogue import Catalogue, MetricInfo
from slo.model import (
    SLI,
    SLO,
    Alerting,
    Baseline,
    Budgeting,
    CountFilter,
    FreshnessSLI,
    LatencySLI,
    Occurrences,
    PlausibilityGuard,
    RatioSLI,
    SamuOverride,
    SamuSelector,
    Timeslices,
)
from slo.policy import Guards, Policy, PolicySet
from slo.policy_mapping import check_policy, collapse_with, map_pairs, merge_guards
from slo.problems import Path, Problem, Sink
from slo.windows import DEFAULT_TIMEZONE, CalendarWindow, RollingWindow, Window

_LABEL = re.compile(r"^[a-z_][a-z0-9_.]*$")
UNIT_WARNING = "objective looks like 0–1, it is a percentage 0–100 (99.9 means 99.9 %)"


@dataclass(frozen=True)
class Mapped:
    """What one document maps to; empty slos/guards when `problems` holds an error."""

    slos: tuple[SLO, ...] = ()
    guards: tuple[PlausibilityGuard, ...] = ()
    problems: tuple[Problem, ...] = ()

    @property
    def ok(self) -> bool:
        return all(p.level != "error" for p in self.problems)


def map_document(
    doc: s.SloSpec | s.GuardSpec, policies: PolicySet, catalogue: Catalogue, source: str = ""
) -> Mapped:
    """Map one validated spec document to model objects, with every problem found."""
    sink = Sink()
    if isinstance(doc, s.GuardSpec):
        guard = _map_guard(doc, policies, catalogue, source, sink)
        return Mapped(guards=(guard,) if guard and not sink.failed else (), problems=sink.frozen())
    slos = _map_slo(doc, policies, catalogue, source, sink)
    return Mapped(slos=() if sink.failed else slos, problems=sink.frozen())


def _map_slo(
    doc: s.SloSpec, policies: PolicySet, cat: Catalogue, source: str, sink: Sink
) -> tuple[SLO, ...]:
    targets = _objectives(doc, sink)
    metric = _metric(doc.sli, cat, sink)
    budgeting = _budgeting(doc, sink)
    window = _window(doc.window)
    fleet = _selector(doc.samu, ("samu",), cat, sink)
    alerting = _alerting(doc, policies, sink)
    overrides = _overrides(doc, alerting, cat, sink)
    if isinstance(window, RollingWindow) and alerting is not None:
        longest = max(alerting.policy.windows(), default=None)
        if longest is not None and window.duration < longest:
            sink.warn(("window", "rolling"), "window is shorter than the longest alert window")
    for key in doc.labels:
        if not _LABEL.match(key):
            sink.error(("labels", key), "label names are lower-case identifiers")
    slos = []
    for suffix, name, objective, threshold, path in targets:
        sli = _sli(doc.sli, metric, threshold, path, cat, sink)
        if sink.failed or sli is None or alerting is None or budgeting is None:
            continue
        slos.append(
            SLO(
                id=f"{doc.id}-{suffix}" if suffix else doc.id,
                name=name,
                description=doc.description,
                slo_class=doc.slo_class,
                objective=objective / 100,
                sli=sli,
                budgeting=budgeting,
                window=window,
                fleet=fleet,
                scope=doc.scope,
                by_component=doc.component_breakdown,
                alerting=alerting,
                overrides=overrides,
                labels=tuple(sorted(doc.labels.items())),
                spec_id=doc.id,
                source=source,
            )
        )
    return tuple(slos)


_Target = tuple[str, str, float, float | None, Path]


def _objectives(doc: s.SloSpec, sink: Sink) -> list[_Target]:
    if (doc.objective is None) == (doc.objectives is None):
        sink.error(("objective",), "give exactly one of `objective` or `objectives`")
        return []
    if doc.objective is not None:
        _warn_unit(doc.objective, ("objective",), sink)
        return [("", doc.name, doc.objective, None, ("sli", "threshold"))]
    entries = doc.objectives or []
    if not entries:
        sink.error(("objectives",), "list at least one objective")
    seen: set[str] = set()
    targets: list[_Target] = []
    for i, entry in enumerate(entries):
        if entry.name in seen:
            sink.error(("objectives", i, "name"), f"duplicate objective name {entry.name!r}")
        seen.add(entry.name)
        _warn_unit(entry.objective, ("objectives", i, "objective"), sink)
        name = entry.display_name or f"{doc.name} ({entry.name})"
        targets.append(
            (entry.name, name, entry.objective, entry.threshold, ("objectives", i, "threshold"))
        )
    return targets


def _warn_unit(value: float, path: Path, sink: Sink) -> None:
    if value < 1:
        sink.warn(path, UNIT_WARNING)


def _metric(sli: s.SliSpec, cat: Catalogue, sink: Sink) -> MetricInfo | None:
    if isinstance(sli, s.FreshnessSliSpec):
        return None
    metric = cat.metrics.get(sli.metric)
    if metric is None:
        sink.error(
            ("sli", "metric"), f"unknown metric {sli.metric!r} (known: {', '.join(cat.metrics)})"
        )
        return None
    wanted = {"ratio": ("sum",), "latency": ("histogram",), "timeslice": ("sum", "histogram")}
    if metric.kind not in wanted[sli.kind]:
        sink.error(
            ("sli", "metric"),
            f"{sli.metric} is a {metric.kind}; a {sli.kind} SLI needs a "
            + " or ".join(wanted[sli.kind]),
        )
        return None
    return metric


def _sli(
    sli: s.SliSpec,
    metric: MetricInfo | None,
    threshold: float | None,
    path: Path,
    cat: Catalogue,
    sink: Sink,
) -> SLI | None:
    if isinstance(sli, s.FreshnessSliSpec):
        return FreshnessSLI(sli.max_lag.total_seconds(), sli.min_points)
    if metric is None:
        return None
    valid = _filter(sli.valid, metric, ("sli", "valid"), cat, sink)
    if isinstance(sli, s.LatencySliSpec) or metric.kind == "histogram":
        if isinstance(sli, s.TimesliceSliSpec) and sli.good is not None:
            sink.error(("sli", "good"), "a histogram slice is judged by `threshold`, not `good`")
        own: float | None = getattr(sli, "threshold", None)
        bound = _bound(threshold if threshold is not None else own, metric, path, sink)
        return None if bound is None else LatencySLI(metric.name, bound, valid)
    if threshold is not None or getattr(sli, "threshold", None) is not None:
        sink.error(path, f"`threshold` is for histogram metrics; {metric.name} is a counter")
    good_spec = getattr(sli, "good", None)
    if good_spec is None:
        sink.error(("sli", "good"), "a counter SLI needs `good` (which outcomes are good)")
        return None
    good = _filter(good_spec, metric, ("sli", "good"), cat, sink)
    _check_subset(good, valid, sink)
    return RatioSLI(metric.name, _narrow(good, valid), valid)


def _bound(value: float | None, metric: MetricInfo, path: Path, sink: Sink) -> float | None:
    if value is None:
        sink.error(path, "a latency SLI needs a `threshold` (e.g. 1s)")
        return None
    for bound in metric.bounds:
        if math.isclose(bound, value, rel_tol=1e-9):
            return bound
    bounds = ", ".join(f"{b:g}" for b in metric.bounds)
    sink.error(
        path,
        f"threshold {value:g} s is not a bucket bound of {metric.name} (bounds: {bounds} s); "
        "the SLI would be inexact",
    )
    return None


def _filter(
    f: s.FilterSpec, metric: MetricInfo, path: Path, cat: Catalogue, sink: Sink
) -> CountFilter:
    components = None
    if f.component is not None:
        unknown = sorted(set(f.component) - cat.components)
        if unknown:
            sink.error(
                (*path, "component"), f"unknown component(s) {unknown}: {sorted(cat.components)}"
            )
        components = frozenset(f.component)
    if metric.outcomes is None:
        if f.outcome is not None or f.outcome_not is not None:
            sink.error(path, f"{metric.name} has no outcome; filter it by `component` only")
        return CountFilter(components=components)
    allowed = metric.outcomes
    for key, values in (("outcome", f.outcome), ("outcome_not", f.outcome_not)):
        unknown = sorted(set(values or ()) - allowed)
        if unknown:
            sink.error(
                (*path, key), f"unknown outcome(s) {unknown} for {metric.name}: {sorted(allowed)}"
            )
    outcomes = frozenset(f.outcome) & allowed if f.outcome is not None else allowed
    return CountFilter(outcomes - frozenset(f.outcome_not or ()), frozenset(), components)


def _check_subset(good: CountFilter, valid: CountFilter, sink: Sink) -> None:
    extra = sorted((good.outcomes or frozenset()) - (valid.outcomes or frozenset()))
    if valid.outcomes is not None and extra:
        sink.error(("sli", "good"), f"good counts {extra} that valid excludes; good ⊆ valid")
    comps = (good.components, valid.components)
    if comps[0] is not None and comps[1] is not None and not comps[0] <= comps[1]:
        sink.error(("sli", "good", "component"), "good components must be valid components")
    if good == valid:
        sink.warn(("sli", "good"), "good equals valid: this SLI is always 100 %")


def _narrow(good: CountFilter, valid: CountFilter) -> CountFilter:
    components = good.components if good.components is not None else valid.components
    return CountFilter(good.outcomes, good.not_outcomes, components)


def _budgeting(doc: s.SloSpec, sink: Sink) -> Budgeting | None:
    sli = doc.sli
    if isinstance(sli, s.RatioSliSpec | s.LatencySliSpec):
        if doc.budgeting == "timeslices":
            sink.error(
                ("budgeting",), f"a {sli.kind} SLI budgets occurrences; use sli.kind: timeslice"
            )
            return None
        return Occurrences()
    if doc.budgeting == "occurrences":
        sink.error(("budgeting",), f"a {sli.kind} SLI budgets time slices")
        return None
    if isinstance(sli, s.FreshnessSliSpec):
        return Timeslices(1, 1.0, sli.no_data)
    minutes = sli.slice.total_seconds() / 60
    if minutes < 1 or minutes != int(minutes):
        sink.error(("sli", "slice"), "a slice is a whole number of minutes (counts are per minute)")
        return None
    if sli.slice_target < 1:
        sink.warn(("sli", "slice_target"), UNIT_WARNING.replace("objective", "slice_target"))
    return Timeslices(int(minutes), sli.slice_target / 100, sli.no_data)


def _window(w: s.WindowSpec) -> Window:
    if w.rolling is not None:
        return RollingWindow(w.rolling)
    assert w.calendar is not None  # the spec guarantees exactly one kind
    return CalendarWindow(w.calendar, w.timezone or DEFAULT_TIMEZONE)


def _selector(sel: s.SelectorSpec, path: Path, cat: Catalogue, sink: Sink) -> SamuSelector:
    for key, ids in (("ids", sel.ids), ("exclude", sel.exclude)):
        for i, samu_id in enumerate(ids):
            if not cat.samu_id.match(samu_id):
                sink.error((*path, key, i), f"{samu_id!r} is not a SAMU id (fr.health.samuNNN)")
    match = []
    for key, value in sel.match.items():
        if not _LABEL.match(key):
            sink.error((*path, "match", key), "label names are lower-case identifiers")
        values = value if isinstance(value, list) else [value]
        match.append((key, frozenset(_text(v) for v in values)))
    if sel.all and (sel.ids or sel.match):
        sink.error(path, "`all` selects every SAMU; drop `ids`/`match` or `all`")
    return SamuSelector(sel.all, frozenset(sel.ids), tuple(sorted(match)), frozenset(sel.exclude))


def _text(value: str | bool) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def _alerting(doc: s.SloSpec, policies: PolicySet, sink: Sink) -> Alerting | None:
    defaults = policies.classes.get(doc.slo_class)
    if defaults is None:
        sink.error(("class",), f"class {doc.slo_class!r} has no defaults in the policy")
        return None
    spec = doc.alerting
    name = spec.policy or defaults.policy
    policy = policies.policies.get(name)
    if policy is None:
        known = ", ".join(sorted(policies.policies))
        sink.error(("alerting", "policy"), f"unknown alert policy {name!r} (known: {known})")
        return None
    if spec.pairs is not None:
        policy = Policy(f"{doc.id}-inline", policy.period, map_pairs(spec.pairs))
        check_policy(policy, ("alerting", "pairs"), sink)
    guards = merge_guards(defaults.guards, spec.guards)
    pages = defaults.pages if spec.pages is None else spec.pages
    return Alerting(spec.enabled, policy, pages, guards)


def _overrides(
    doc: s.SloSpec, alerting: Alerting | None, cat: Catalogue, sink: Sink
) -> tuple[SamuOverride, ...]:
    if doc.overrides and doc.scope != "samu":
        sink.error(("overrides",), f"per-SAMU overrides need scope: samu (this is {doc.scope})")
    base = alerting.guards if alerting else Guards()
    result = []
    for i, o in enumerate(doc.overrides):
        selector = _selector(o.samu, ("overrides", i, "samu"), cat, sink)
        if o.objective is not None:
            _warn_unit(o.objective, ("overrides", i, "objective"), sink)
        objective = None if o.objective is None else o.objective / 100
        guards = None if o.guards is None else merge_guards(base, o.guards)
        result.append(SamuOverride(selector, objective, guards))
    return tuple(result)


def _map_guard(
    doc: s.GuardSpec, policies: PolicySet, cat: Catalogue, source: str, sink: Sink
) -> PlausibilityGuard | None:
    p = doc.plausibility
    metric = cat.metrics.get(p.metric)
    if metric is None or metric.kind != "sum":
        sink.error(("plausibility", "metric"), f"{p.metric!r} is not a known counter")
        return None
    valid = _filter(p.valid, metric, ("plausibility", "valid"), cat, sink)
    if p.for_ is not None and p.for_.total_seconds() % 60:
        sink.error(("plausibility", "for"), "`for` is a whole number of minutes")
    return PlausibilityGuard(
        id=doc.id,
        name=doc.name,
        description=doc.description,
        metric=metric.name,
        valid=valid,
        collapse=collapse_with(policies.guards.traffic_collapse, p),
        baseline=Baseline(p.baseline.lookback_weeks, p.baseline.holidays),
        fleet=_selector(doc.samu, ("samu",), cat, sink),
        severity=doc.severity,
        source=source,
    )
