"""The checks that need the whole file, made once its shape is valid (Alertmanager's Config checks).

Receiver and time-interval names are unique; a route names receivers and time intervals that
exist; the root route has a receiver and no matchers, time intervals or `continue`; an e-mail
receiver has an SMTP smarthost and sender (its own or the global one); with the on-call
configuration's policies, an `oncall_configs` receiver names one of them. Each problem is a
path in the file and a reason, so that it is reported on its line.
"""

from __future__ import annotations

from collections.abc import Collection

from alerts.config.notifiers import GlobalSpec
from alerts.config.spec import ConfigSpec, RouteSpec
from store.yamldoc import YamlPath

Problem = tuple[YamlPath, str]


def check(spec: ConfigSpec, escalation_policies: Collection[str] | None = None) -> list[Problem]:
    """Every problem of a well-shaped configuration; empty when it is valid."""
    return _cross_check(spec) + _check_policies(spec, escalation_policies)


def _check_policies(spec: ConfigSpec, policies: Collection[str] | None) -> list[Problem]:
    if policies is None:
        return []
    return [
        (
            ("receivers", index, "oncall_configs", o_index, "escalation_policy"),
            f"unknown escalation policy {oncall.escalation_policy!r}",
        )
        for index, receiver in enumerate(spec.receivers or [])
        for o_index, oncall in enumerate(receiver.oncall_configs or [])
        if oncall.escalation_policy not in policies
    ]


def _cross_check(spec: ConfigSpec) -> list[Problem]:
    problems: list[Problem] = []
    glob = spec.global_ or GlobalSpec()
    names: set[str] = set()
    for index, receiver in enumerate(spec.receivers or []):
        if receiver.name in names:
            problems.append(
                (("receivers", index, "name"), f"receiver name {receiver.name!r} is not unique")
            )
        names.add(receiver.name)
        for e_index, email in enumerate(receiver.email_configs or []):
            where: YamlPath = ("receivers", index, "email_configs", e_index)
            if not email.smarthost and not glob.smtp_smarthost:
                problems.append((where, "no global SMTP smarthost set"))
            if not email.from_ and not glob.smtp_from:
                problems.append((where, "no global SMTP from set"))
    route = spec.route
    if route is None:
        return [*problems, ((), "no route provided in config")]
    if not route.receiver:
        problems.append((("route",), "root route must specify a default receiver"))
    if route.match or route.match_re or route.matchers:
        problems.append((("route",), "root route must not have any matchers"))
    if route.mute_time_intervals:
        problems.append((("route",), "root route must not have any mute time intervals"))
    if route.active_time_intervals:
        problems.append((("route",), "root route must not have any active time intervals"))
    if route.continue_:
        problems.append((("route", "continue"), "cannot have continue in root route"))
    intervals: set[str] = set()
    for key in ("mute_time_intervals", "time_intervals"):
        for index, named in enumerate(getattr(spec, key) or []):
            if named.name in intervals:
                problems.append(
                    ((key, index, "name"), f"time interval {named.name!r} is not unique")
                )
            intervals.add(named.name)
    problems.extend(_check_refs(route, ("route",), names, intervals))
    return problems


def _check_refs(
    route: RouteSpec, path: YamlPath, receivers: set[str], intervals: set[str]
) -> list[Problem]:
    problems: list[Problem] = []
    if route.receiver and route.receiver not in receivers:
        problems.append(
            ((*path, "receiver"), f"undefined receiver {route.receiver!r} used in route")
        )
    for key in ("mute_time_intervals", "active_time_intervals"):
        for index, name in enumerate(getattr(route, key) or []):
            if name not in intervals:
                message = f"undefined time interval {name!r} used in route"
                problems.append(((*path, key, index), message))
    for index, child in enumerate(route.routes or []):
        problems.extend(_check_refs(child, (*path, "routes", index), receivers, intervals))
    return problems
