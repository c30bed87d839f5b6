"""Alertmanager API v2 wire format: what Prometheus posts, and the JSON Alertmanager answers.

Parsing applies Alertmanager's defaults and validation (`PostableAlert` → `Alert`); rendering
produces its field names and time format, so that amtool, Grafana and scripts read us as they
read Alertmanager.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from alerts.errors import AlertsError
from alerts.matchers import Matcher, MatchType
from alerts.model import Alert, fingerprint_hex, go_quote
from alerts.silences import SilenceRecord
from store.clock import utc

_LABEL_NAME = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")
_STATE_ORDER = {"active": 0, "pending": 1, "expired": 2}


class WireError(AlertsError, ValueError):
    """A request body is not what the Alertmanager API accepts (answered with a 400)."""


class _Wire(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class PostableAlert(_Wire):
    """One alert as Prometheus posts it to /api/v2/alerts."""

    labels: dict[str, str]
    annotations: dict[str, str] = Field(default_factory=dict)
    starts_at: datetime | None = Field(None, alias="startsAt")
    ends_at: datetime | None = Field(None, alias="endsAt")
    generator_url: str = Field("", alias="generatorURL")


class WireMatcher(_Wire):
    """A silence matcher in the API form."""

    name: str = Field(min_length=1)
    value: str
    is_regex: bool = Field(alias="isRegex")
    is_equal: bool = Field(True, alias="isEqual")


class PostableSilence(_Wire):
    """A silence as posted to /api/v2/silences (`expireOnResolve` is a Vigie extension)."""

    id: str = ""
    matchers: list[WireMatcher]
    starts_at: datetime = Field(alias="startsAt")
    ends_at: datetime = Field(alias="endsAt")
    created_by: str = Field(alias="createdBy")
    comment: str
    expire_on_resolve: bool = Field(False, alias="expireOnResolve")


def read_json(body: bytes) -> Any:
    """Decode a JSON body or raise `WireError`."""
    try:
        return json.loads(body or b"null")
    except (ValueError, UnicodeDecodeError) as exc:
        raise WireError(f"body is not valid JSON: {exc}") from None


def validation_message(exc: ValidationError) -> str:
    """A short, path-first message for a pydantic error."""
    parts = []
    for error in exc.errors():
        where = ".".join(str(p) for p in error["loc"])
        parts.append(f"{where}: {error['msg']}" if where else str(error["msg"]))
    return "; ".join(parts)


def _utc(value: datetime | None) -> datetime | None:
    if value is None or value.year <= 1:  # Go's zero time means "not set"
        return None
    return utc(value)


def parse_alerts(body: bytes, now: datetime) -> tuple[list[Alert], list[str]]:
    """Valid alerts and one message per invalid one (Alertmanager keeps the valid ones)."""
    try:
        posted = TypeAdapter(list[PostableAlert]).validate_python(read_json(body))
    except ValidationError as exc:
        raise WireError(validation_message(exc)) from None
    alerts, errors = [], []
    for index, item in enumerate(posted):
        starts_at, ends_at = _utc(item.starts_at), _utc(item.ends_at)
        if starts_at is None:
            starts_at = ends_at or now
        problem = _invalid(item, starts_at, ends_at)
        if problem:
            errors.append(f"alert[{index}]: {problem}")
            continue
        alerts.append(Alert(item.labels, starts_at, ends_at, item.annotations, item.generator_url))
    return alerts, errors


def _invalid(item: PostableAlert, starts_at: datetime, ends_at: datetime | None) -> str:
    """Alertmanager's `Alert.Validate` message, or ''."""
    if ends_at is not None and ends_at < starts_at:
        return "start time must be before end time"
    for kind, values in (("label set", item.labels), ("annotations", item.annotations)):
        bad = next((n for n in values if not _LABEL_NAME.fullmatch(n)), None)
        if bad is not None:
            return f"invalid {kind}: invalid name {go_quote(bad)}"
    if not item.labels:
        return "at least one label pair required"
    return ""


def go_time(value: datetime) -> str:
    """RFC 3339 in UTC with milliseconds, as Alertmanager prints times."""
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def gettable_alert(
    alert: Alert,
    updated_at: datetime,
    receivers: Sequence[str],
    status: Mapping[str, Any],
) -> dict[str, Any]:
    """An alert in Alertmanager's `GettableAlert` form."""
    return {
        "labels": dict(alert.labels),
        "annotations": dict(alert.annotations),
        "startsAt": go_time(alert.starts_at),
        "endsAt": go_time(alert.ends_at) if alert.ends_at else "0001-01-01T00:00:00.000Z",
        "updatedAt": go_time(updated_at),
        "generatorURL": alert.generator_url,
        "fingerprint": fingerprint_hex(alert.labels),
        "receivers": [{"name": name} for name in receivers],
        "status": dict(status),
    }


def matches_filter(matchers: Sequence[Matcher], labels: Mapping[str, str]) -> bool:
    """Alertmanager's filter: a positive matcher needs the label present; a negative one not."""
    for m in matchers:
        negative = m.type in (MatchType.NOT_EQUAL, MatchType.NOT_REGEXP)
        if m.name not in labels and not negative:
            return False
        if not m.matches(labels.get(m.name, "")):
            return False
    return True


def gettable_silence(record: SilenceRecord, now: datetime) -> dict[str, Any]:
    """A silence in Alertmanager's `GettableSilence` form (plus `expireOnResolve`)."""
    s = record.silence
    return {
        "id": s.id,
        "status": {"state": s.state(now).value},
        "updatedAt": go_time(record.updated_at),
        "matchers": [
            {
                "name": m.name,
                "value": m.value,
                "isRegex": "~" in m.type.value,
                "isEqual": not m.type.value.startswith("!"),
            }
            for m in s.matchers
        ],
        "startsAt": go_time(s.starts_at),
        "endsAt": go_time(s.ends_at),
        "createdBy": s.created_by,
        "comment": s.comment,
        "expireOnResolve": record.expire_on_resolve,
    }


def silence_order(item: dict[str, Any]) -> tuple[int, float]:
    """Alertmanager's order: active by end, pending by start, expired most recent first."""
    state = item["status"]["state"]
    at = datetime.fromisoformat(item["startsAt" if state == "pending" else "endsAt"]).timestamp()
    return _STATE_ORDER[state], -at if state == "expired" else at
