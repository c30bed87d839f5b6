"""The field types of alertmanager.yml: durations, label names, URLs, host:port, matchers, regexes.

Each is a string checked as Alertmanager checks it when it reads the file (its config/common
types), so a bad value is reported on its own line with Alertmanager's words.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import AfterValidator, BeforeValidator, ConfigDict

from alerts.matchers import compile_anchored, parse_matchers
from alerts.secrets import SecretRepr
from store.durations import parse_duration

_LABEL_NAME = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")
_HOST_PORT = re.compile(r"(\[[^\]]+\]|[^:\[\]]*):[0-9A-Za-z-]+")


class Spec(SecretRepr):
    """A block of the file as written: strict (an unknown key is an error), frozen; its repr
    shows its secrets as `<secret>`."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


def _duration(value: Any) -> timedelta:
    if isinstance(value, timedelta):
        return value
    if not isinstance(value, str):
        raise ValueError(f"a duration must be a string such as '5m', not {value!r}")
    return parse_duration(value)


def label_name(value: str) -> str:
    """`value` if it is a valid Prometheus label name, else a ValueError naming it."""
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
    if value and not _HOST_PORT.fullmatch(value):
        raise ValueError(f"address {value!r}: expected host:port")
    return value


def _matcher_line(value: str) -> str:
    parse_matchers(value)
    return value


def _regex(value: str) -> str:
    compile_anchored(value)
    return value


def checked(parse: Any) -> Any:
    """A validator that keeps the text as written once `parse` accepts it."""
    return AfterValidator(lambda v: (parse(v), v)[1])


Duration = Annotated[timedelta, BeforeValidator(_duration)]
LabelName = Annotated[str, AfterValidator(label_name)]
Url = Annotated[str, AfterValidator(_url)]
HostPort = Annotated[str, AfterValidator(_host_port)]
MatcherLine = Annotated[str, AfterValidator(_matcher_line)]
Regex = Annotated[str, AfterValidator(_regex)]
