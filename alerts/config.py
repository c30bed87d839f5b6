"""Alerting configuration in Alertmanager's YAML syntax: a strict spec and its one mapping.

`load_config(path)` reads an alertmanager.yml, validates it as Alertmanager does (plus unknown keys,
which are errors here too) and returns an `AlertingConfig` of frozen core values: the built routing
tree, inhibition rules and time intervals. Every problem is reported with `file:line: path: reason`.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from alerts.errors import ConfigError
from alerts.inhibit import InhibitRule
from alerts.matchers import Matcher, MatchType, compile_anchored, parse_matchers
from alerts.route import Route, RouteDef, build_tree
from alerts.timeintervals import (
    InclusiveRange,
    TimeInterval,
    check_location,
    parse_days_of_month,
    parse_months,
    parse_time_range,
    parse_weekdays,
    parse_years,
)
from store.durations import parse_duration
from store.yamldoc import YamlDocument, YamlPath, YamlSyntaxError, format_path, load_document

_LABEL_NAME = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")
SUPPORTED_RECEIVERS = (
    "webhook_configs",
    "email_configs",
    "sms_configs",
    "alertmanager_configs",
    "oncall_configs",
)


def _duration(value: Any) -> timedelta:
    if isinstance(value, timedelta):
        return value
    if not isinstance(value, str):
        raise ValueError(f"a duration must be a string such as '5m', not {value!r}")
    return parse_duration(value)


def _label_name(value: str) -> str:
    if not _LABEL_NAME.fullmatch(value):
        raise ValueError(f"invalid label name {value!r}")
    return value


def _url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https"):
        raise ValueError(f"unsupported scheme {parts.scheme!r} for URL")
    if not parts.hostname:
        raise ValueError("missing host for URL")
    return value


def _host_port(value: str) -> str:
    if value and not re.fullmatch(r"(\[[^\]]+\]|[^:\[\]]*):[0-9A-Za-z-]+", value):
        raise ValueError(f"address {value!r}: expected host:port")
    return value


def _matcher_line(value: str) -> str:
    parse_matchers(value)
    return value


def _regex(value: str) -> str:
    compile_anchored(value)
    return value


Duration = Annotated[timedelta, BeforeValidator(_duration)]
LabelName = Annotated[str, AfterValidator(_label_name)]
Url = Annotated[str, AfterValidator(_url)]
MatcherLine = Annotated[str, AfterValidator(_matcher_line)]
Regex = Annotated[str, AfterValidator(_regex)]
Opaque = dict[str, Any]  # accepted as-is (http_config, tls_config): used by the notifiers


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class GlobalSpec(_Spec):
    """The `global` block: defaults for the notifiers."""

    resolve_timeout: Duration = timedelta(minutes=5)
    http_config: Opaque | None = None
    smtp_from: str = ""
    smtp_hello: str = "localhost"
    smtp_smarthost: Annotated[str, AfterValidator(_host_port)] = ""
    smtp_auth_username: str = ""
    smtp_auth_password: str = ""
    smtp_auth_password_file: str = ""
    smtp_auth_secret: str = ""
    smtp_auth_identity: str = ""
    smtp_require_tls: StrictBool = True
    smtp_tls_config: Opaque | None = None


class WebhookSpec(_Spec):
    """An Alertmanager webhook receiver (JSON body of Alertmanager's webhook format)."""

    send_resolved: StrictBool = True
    url: Url | None = None
    url_file: str | None = None
    http_config: Opaque | None = None
    max_alerts: int = Field(0, ge=0)
    timeout: Duration | None = None

    @model_validator(mode="after")
    def _one_url(self) -> WebhookSpec:
        if (self.url is None) == (self.url_file is None):
            raise ValueError("one of url or url_file must be configured")
        return self


class EmailSpec(_Spec):
    """An e-mail receiver; empty fields take the `global` smtp_* values."""

    send_resolved: StrictBool = False
    to: str = Field(min_length=1)
    from_: str = Field("", alias="from")
    hello: str = ""
    smarthost: Annotated[str, AfterValidator(_host_port)] = ""
    auth_username: str = ""
    auth_password: str = ""
    auth_password_file: str = ""
    auth_secret: str = ""
    auth_identity: str = ""
    headers: dict[str, str] = Field(default_factory=dict)
    html: str | None = None
    text: str | None = None
    require_tls: StrictBool | None = None
    tls_config: Opaque | None = None


class SmsSpec(_Spec):
    """Vigie extension: an SMS gateway reached by an HTTP webhook."""

    send_resolved: StrictBool = False
    url: Url
    # On-call staff numbers (E.164); never a caller's number.
    to: list[Annotated[str, Field(pattern=r"^\+?[0-9]{6,15}$")]] = Field(min_length=1)
    text: str | None = None  # Jinja2 template of the message
    http_config: Opaque | None = None
    max_alerts: int = Field(0, ge=0)
    timeout: Duration | None = None


class AlertmanagerForwardSpec(_Spec):
    """Vigie extension: forward alerts to another Alertmanager (its /api/v2/alerts)."""

    send_resolved: StrictBool = True
    urls: list[Url] = Field(min_length=1)  # every member of an HA pair
    api_version: Literal["v2"] = "v2"
    http_config: Opaque | None = None
    timeout: Duration | None = None


class OnCallConfigSpec(_Spec):
    """Vigie extension: open an incident and escalate it with an on-call escalation policy."""

    escalation_policy: str = Field(min_length=1)
    send_resolved: StrictBool = True  # a resolved group resolves its incident


class ReceiverSpec(_Spec):
    """A named receiver and its notifier configurations."""

    name: str = Field(min_length=1)
    webhook_configs: list[WebhookSpec] | None = None
    email_configs: list[EmailSpec] | None = None
    sms_configs: list[SmsSpec] | None = None
    alertmanager_configs: list[AlertmanagerForwardSpec] | None = None
    oncall_configs: list[OnCallConfigSpec] | None = None


class RouteSpec(_Spec):
    """One node of the routing tree as written."""

    receiver: str = ""
    group_by: list[str] | None = None
    continue_: StrictBool = Field(False, alias="continue")
    match: dict[LabelName, str] | None = None
    match_re: dict[LabelName, Regex] | None = None
    matchers: list[MatcherLine] | None = None
    group_wait: Duration | None = None
    group_interval: Duration | None = None
    repeat_interval: Duration | None = None
    mute_time_intervals: list[str] | None = None
    active_time_intervals: list[str] | None = None
    routes: list[RouteSpec] | None = None

    @field_validator("group_by")
    @classmethod
    def _group_by(cls, value: list[str] | None) -> list[str] | None:
        labels = [_label_name(n) for n in value or [] if n != "..."]
        if labels and "..." in (value or []):
            raise ValueError("cannot have wildcard group_by (`...`) and other labels together")
        if len(set(labels)) != len(labels):
            raise ValueError(f"duplicated label in group_by: {labels}")
        return value

    @field_validator("group_interval", "repeat_interval")
    @classmethod
    def _not_zero(cls, value: timedelta | None, info: ValidationInfo) -> timedelta | None:
        if value == timedelta(0):
            raise ValueError(f"{info.field_name} cannot be zero")
        return value


class InhibitRuleSpec(_Spec):
    """An inhibition rule, new (`*_matchers`) or legacy (`*_match`, `*_match_re`) syntax."""

    name: str = ""
    source_match: dict[LabelName, str] | None = None
    source_match_re: dict[LabelName, Regex] | None = None
    source_matchers: list[MatcherLine] | None = None
    target_match: dict[LabelName, str] | None = None
    target_match_re: dict[LabelName, Regex] | None = None
    target_matchers: list[MatcherLine] | None = None
    equal: list[LabelName] | None = None


class TimeRangeSpec(_Spec):
    """`start_time`/`end_time` in HH:MM."""

    start_time: str = ""
    end_time: str = ""

    @model_validator(mode="after")
    def _check(self) -> TimeRangeSpec:
        parse_time_range(self.start_time, self.end_time)
        return self


def _checked(parse: Any) -> Any:
    return AfterValidator(lambda v: (parse(v), v)[1])


class TimeIntervalSpec(_Spec):
    """One time interval; all the fields given must hold."""

    times: list[TimeRangeSpec] | None = None
    weekdays: list[Annotated[str, _checked(parse_weekdays)]] | None = None
    days_of_month: list[Annotated[str, _checked(parse_days_of_month)]] | None = None
    months: list[Annotated[str, _checked(parse_months)]] | None = None
    years: list[Annotated[str, _checked(parse_years)]] | None = None
    location: Annotated[str, AfterValidator(check_location)] | None = None


class NamedTimeIntervalSpec(_Spec):
    """A named list of time intervals, referenced by routes."""

    name: str = Field(min_length=1)
    time_intervals: list[TimeIntervalSpec] | None = None


class ConfigSpec(_Spec):
    """The whole alertmanager.yml."""

    global_: GlobalSpec | None = Field(None, alias="global")
    route: RouteSpec | None = None
    receivers: list[ReceiverSpec] | None = None
    inhibit_rules: list[InhibitRuleSpec] | None = None
    templates: list[str] | None = None
    mute_time_intervals: list[NamedTimeIntervalSpec] | None = None  # deprecated form
    time_intervals: list[NamedTimeIntervalSpec] | None = None


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


def load_config(
    path: str | Path, escalation_policies: Collection[str] | None = None
) -> AlertingConfig:
    """Read and validate an alertmanager.yml; relative template paths resolve from its folder."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{file}: cannot read: {exc}") from exc
    config = parse_config(text, source=str(file), escalation_policies=escalation_policies)
    templates = tuple(str(file.parent / t) for t in config.templates)
    return AlertingConfig(**{**config.__dict__, "templates": templates})


def parse_config(
    text: str, source: str = "<config>", escalation_policies: Collection[str] | None = None
) -> AlertingConfig:
    """Validate configuration text; raise `ConfigError` listing every problem with its line.

    With `escalation_policies` (the on-call configuration's), `oncall_configs` must name one.
    """
    doc = load_yaml(text, source)
    if doc is None or doc.data is None:
        raise ConfigError(f"{source}: no route provided in config")
    if not isinstance(doc.data, dict):
        raise ConfigError(f"{source}:1: the configuration must be a mapping")
    try:
        spec = ConfigSpec.model_validate(doc.data)
    except ValidationError as exc:
        found = [_describe(e) for e in exc.errors()]
        raise ConfigError(report(found, doc, source)) from None
    problems = _cross_check(spec) + _check_policies(spec, escalation_policies)
    if problems:
        raise ConfigError(report(problems, doc, source))
    return _to_core(spec, source)


def _describe(error: Any) -> tuple[YamlPath, str]:
    path = tuple(p for p in error["loc"] if isinstance(p, str | int))
    message = str(error["msg"]).removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        key = path[-1]
        message = f"unknown field {key!r}"
        if len(path) == 3 and path[0] == "receivers" and str(key).endswith("_configs"):
            supported = ", ".join(SUPPORTED_RECEIVERS)
            message = f"receiver type {key!r} is not supported by Vigie 15 (supported: {supported})"
    return path, message


def _check_policies(
    spec: ConfigSpec, policies: Collection[str] | None
) -> list[tuple[YamlPath, str]]:
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


def _cross_check(spec: ConfigSpec) -> list[tuple[YamlPath, str]]:
    problems: list[tuple[YamlPath, str]] = []
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
) -> list[tuple[YamlPath, str]]:
    problems: list[tuple[YamlPath, str]] = []
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


def _with_global_email(receiver: ReceiverSpec, glob: GlobalSpec) -> ReceiverSpec:
    emails = []
    for email in receiver.email_configs or []:
        password = not email.auth_password and not email.auth_password_file
        emails.append(
            email.model_copy(
                update={
                    "smarthost": email.smarthost or glob.smtp_smarthost,
                    "from_": email.from_ or glob.smtp_from,
                    "hello": email.hello or glob.smtp_hello,
                    "auth_username": email.auth_username or glob.smtp_auth_username,
                    "auth_password": glob.smtp_auth_password if password else email.auth_password,
                    "auth_password_file": (
                        glob.smtp_auth_password_file if password else email.auth_password_file
                    ),
                    "auth_secret": email.auth_secret or glob.smtp_auth_secret,
                    "auth_identity": email.auth_identity or glob.smtp_auth_identity,
                    "require_tls": (
                        glob.smtp_require_tls if email.require_tls is None else email.require_tls
                    ),
                    "tls_config": email.tls_config or glob.smtp_tls_config,
                }
            )
        )
    if receiver.email_configs is None:
        return receiver
    return receiver.model_copy(update={"email_configs": emails})


def _to_core(spec: ConfigSpec, source: str) -> AlertingConfig:
    assert spec.route is not None  # checked by _cross_check
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
        receivers={r.name: _with_global_email(r, glob) for r in spec.receivers or []},
        inhibit_rules=rules,
        time_intervals={n.name: tuple(_interval(i) for i in n.time_intervals or []) for n in named},
        templates=tuple(spec.templates or ()),
        resolve_timeout=glob.resolve_timeout,
        spec=spec,
        source=source,
    )


# --- YAML with line numbers -------------------------------------------------------------------


def load_yaml(text: str, source: str) -> YamlDocument | None:
    """The one document of an Alertmanager-syntax file, scalars as text (store.yamldoc).

    A key written twice in one mapping is an error, as in Alertmanager (yaml.v2 UnmarshalStrict).
    """
    try:
        doc = load_document(text, text_scalars=True)
    except YamlSyntaxError as exc:
        where = f"{source}:{exc.line}" if exc.line is not None else source
        raise ConfigError(f"{where}: invalid YAML: {exc.problem}") from None
    if doc is not None and doc.duplicates:
        path, line = doc.duplicates[0]
        raise ConfigError(f"{source}:{line}: mapping key {path[-1]!r} already defined")
    return doc


def report(problems: list[tuple[YamlPath, str]], doc: YamlDocument, source: str) -> list[str]:
    """Format problems as `file:line: path: reason`, in the order of the file."""
    located = [(doc.line_of(path) or 0, path, message) for path, message in problems]
    out = []
    for line, path, message in sorted(located, key=lambda item: item[0]):
        where = f"{source}:{line}: " if line else f"{source}: "
        out.append(where + (f"{format_path(path)}: " if path else "") + message)
    return out
