"""The one mapping from the spec to the values the engine works on (an `AlertingConfig`).

Routes become the routing tree (`alerts.route.build_tree`), legacy `match`/`match_re` and
`matchers` become one list of matchers (as Alertmanager does: a legacy regex keeps its anchored
text), inhibition rules and named time intervals become their core values, and each e-mail
receiver is completed from `global`. Called only on a spec that passed `alerts.config.checks`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from alerts.config.notifiers import GlobalSpec, ReceiverSpec, with_global_email
from alerts.config.spec import ConfigSpec, RouteSpec, TimeIntervalSpec
from alerts.inhibit import InhibitRule
from alerts.matchers import Matcher, MatchType, parse_matchers
from alerts.route import Route, RouteDef, build_tree
from alerts.timeintervals import (
    InclusiveRange,
    TimeInterval,
    parse_days_of_month,
    parse_months,
    parse_time_range,
    parse_weekdays,
    parse_years,
)


@dataclass(frozen=True)
class AlertingConfig:
    """A validated configuration, mapped to the core values the engine works on."""

    route: Route
    receivers: Mapping[str, ReceiverSpec]  # e-mail fields completed from `global`
    inhibit_rules: tuple[InhibitRule, ...]
    time_intervals: Mapping[str, tuple[TimeInterval, ...]]
    templates: tuple[str, ...]
    resolve_timeout: timedelta
    spec: ConfigSpec
    source: str


def _matchers(
    equal: Mapping[str, str] | None, regex: Mapping[str, str] | None, lines: list[str] | None
) -> tuple[Matcher, ...]:
    found = [Matcher(MatchType.EQUAL, n, v) for n, v in (equal or {}).items()]
    # Alertmanager keeps the compiled legacy regex's text, so the key shows `^(?:…)$`.
    found += [Matcher(MatchType.REGEXP, n, f"^(?:{v})$") for n, v in (regex or {}).items()]
    for line in lines or []:
        found.extend(parse_matchers(line))
    return tuple(found)


def _route_def(spec: RouteSpec) -> RouteDef:
    labels = tuple(n for n in spec.group_by or [] if n != "...")
    return RouteDef(
        receiver=spec.receiver,
        group_by=labels or None,
        group_by_all="..." in (spec.group_by or []),
        matchers=_matchers(spec.match, spec.match_re, spec.matchers),
        continue_=spec.continue_,
        group_wait=spec.group_wait,
        group_interval=spec.group_interval,
        repeat_interval=spec.repeat_interval,
        mute_time_intervals=tuple(spec.mute_time_intervals or ()),
        active_time_intervals=tuple(spec.active_time_intervals or ()),
        routes=tuple(_route_def(child) for child in spec.routes or ()),
    )


def _interval(spec: TimeIntervalSpec) -> TimeInterval:
    def ranges(values: list[str] | None, parse: Any) -> tuple[InclusiveRange, ...] | None:
        return None if values is None else tuple(parse(v) for v in values)

    times = spec.times
    return TimeInterval(
        times=None
        if times is None
        else tuple(parse_time_range(t.start_time, t.end_time) for t in times),
        weekdays=ranges(spec.weekdays, parse_weekdays),
        days_of_month=ranges(spec.days_of_month, parse_days_of_month),
        months=ranges(spec.months, parse_months),
        years=ranges(spec.years, parse_years),
        location=spec.location,
    )


def to_core(spec: ConfigSpec, source: str) -> AlertingConfig:
    """The core values of a checked spec; `source` names the file it came from."""
    assert spec.route is not None  # checked by alerts.config.checks
    glob = spec.global_ or GlobalSpec()
    named = [*(spec.mute_time_intervals or []), *(spec.time_intervals or [])]
    rules = tuple(
        InhibitRule(
            source_matchers=_matchers(r.source_match, r.source_match_re, r.source_matchers),
            target_matchers=_matchers(r.target_match, r.target_match_re, r.target_matchers),
            equal=frozenset(r.equal or ()),
            name=r.name,
        )
        for r in spec.inhibit_rules or []
    )
    return AlertingConfig(
        route=build_tree(_route_def(spec.route)),
        receivers={r.name: with_global_email(r, glob) for r in spec.receivers or []},
        inhibit_rules=rules,
        time_intervals={n.name: tuple(_interval(i) for i in n.time_intervals or []) for n in named},
        templates=tuple(spec.templates or ()),
        resolve_timeout=glob.resolve_timeout,
        spec=spec,
        source=source,
    )
