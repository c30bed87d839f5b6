"""OTLP attributes to plain text: the resource's SAMU, allow-listed point attributes, series keys.

Everything here is pure and cached on the attribute tuples, since a sender repeats the same
few attribute sets on every point.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Container, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from collector import privacy
from collector.conventions import RESOURCE_ATTRIBUTES, SAMU_ID_PATTERN, AttributeRule
from collector.limits import Limits

Attrs = tuple[tuple[str, str], ...]
# A key and its scalar value as text; None for arrays, key-value lists and bytes.
RawAttrs = tuple[tuple[str, str | None], ...]

_UNSAFE = re.compile(r"[^A-Za-z0-9._:\-]")
DEFAULT_LIMITS = Limits()


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why something was refused, with the (sanitized) attribute key it concerns."""

    reason: str
    attribute: str = ""


def safe_text(text: str, limit: int = 64) -> str:
    """An outside value made fit for a log line or a stored column: short, plain characters."""
    return _UNSAFE.sub("_", text[:limit])


def scalar_text(value: Any) -> str | None:
    """An OTLP AnyValue as text (int and bool too), or None when it is not a scalar."""
    kind = value.WhichOneof("value")
    if kind == "string_value":
        return str(value.string_value)
    if kind == "int_value":
        return str(value.int_value)
    if kind == "bool_value":
        return "true" if value.bool_value else "false"
    if kind == "double_value":
        number = float(value.double_value)
        return repr(number) if math.isfinite(number) else None
    return None


def _nested_texts(value: Any) -> Iterator[str]:
    kind = value.WhichOneof("value")
    if kind == "array_value":
        for item in value.array_value.values:
            yield from _nested_texts(item)
    elif kind == "kvlist_value":
        for kv in value.kvlist_value.values:
            yield str(kv.key)
            yield from _nested_texts(kv.value)
    elif kind == "bytes_value":
        yield bytes(value.bytes_value).decode("latin-1")
    else:
        text = scalar_text(value)
        if text is not None:
            yield text


def raw_attributes(
    key_values: Sequence[Any], limits: Limits = DEFAULT_LIMITS
) -> tuple[RawAttrs, str | None]:
    """The attributes as (key, text) pairs, and why they are refused: over a limit (checked in
    the same pass, so no oversized text is scanned or cached) or personal (the privacy guard)."""
    if len(key_values) > limits.max_attributes:
        return (), "too_many_attributes"
    longest = limits.max_attribute_length
    pairs: list[tuple[str, str | None]] = []
    for kv in key_values:
        key, value = kv.key, kv.value
        # A string value is the common case: read it without asking which field is set.
        text = value.string_value or scalar_text(value)
        # An array, key-value list or bytes value: its encoded size, 4 bytes a character.
        size = len(text) if text is not None else value.ByteSize() // 4
        if size > longest or len(key) > longest:
            return (), "attribute_too_long"
        pairs.append((key, text))
    raw = tuple(pairs)
    reason = _raw_privacy(raw)
    if reason is _NESTED:
        reason = privacy.scan(t for kv in key_values for t in _nested_texts(kv.value))
    return raw, reason


_NESTED = "nested"  # arrays, key-value lists or bytes: scanned on the slow path


@lru_cache(maxsize=65_536)
def _raw_privacy(raw: RawAttrs) -> str | None:
    nested = False
    for key, text in raw:
        reason = privacy.classify(key) or (privacy.classify(text) if text is not None else None)
        if reason is not None:
            return reason
        nested = nested or text is None
    return _NESTED if nested else None


@dataclass(frozen=True, slots=True)
class Resource:
    """The kept part of an OTLP resource: its SAMU and the sender's identity."""

    samu_id: str
    service_name: str
    instance_id: str
    refusal: Refusal | None  # set when every point of the resource is refused

    @property
    def agent(self) -> str:
        """Who sent it, when no agent token says so: its instance (or service) name."""
        return "instance:" + safe_text(self.instance_id or self.service_name or "unknown")


def read_resource(
    key_values: Sequence[Any], known_samu: Container[str], limits: Limits = DEFAULT_LIMITS
) -> Resource:
    """The SAMU of a resource, checked against the limits, the privacy guard, the id shape and
    the registry."""
    raw, pii = raw_attributes(key_values, limits)
    kept = {k: v for k, v in raw if k in RESOURCE_ATTRIBUTES and v is not None}
    service, instance = kept.get("service.name", ""), kept.get("service.instance.id", "")
    if pii is not None:
        return Resource("", "", "", Refusal(pii))
    samu = kept.get("samu.id")
    if samu is None:
        return Resource("", service, instance, Refusal("missing_samu_id", "samu.id"))
    if SAMU_ID_PATTERN.fullmatch(samu) is None or samu not in known_samu:
        return Resource(safe_text(samu), service, instance, Refusal("unknown_samu", "samu.id"))
    return Resource(samu, service, instance, None)


@dataclass(frozen=True, eq=False)
class RuleSet:
    """A metric's attribute rules; compared by identity, so that caching on it is cheap."""

    rules: tuple[tuple[str, AttributeRule], ...]

    @property
    def allowed(self) -> dict[str, AttributeRule]:
        return dict(self.rules)


def rule_set(rules: dict[str, AttributeRule]) -> RuleSet:
    """The attribute rules of a metric, to build once and pass to check_attributes."""
    return RuleSet(tuple(sorted(rules.items())))


@lru_cache(maxsize=65_536)
def check_attributes(raw: RawAttrs, rules: RuleSet) -> Attrs | Refusal:
    """The sorted allow-listed attributes, or why they are refused (raw already privacy-checked)."""
    allowed = rules.allowed
    kept: dict[str, str] = {}
    for key, text in raw:
        rule = allowed.get(key)
        if rule is None:
            return Refusal("attribute_not_allowed", safe_text(key))
        if text is None or not rule.accepts(text):
            return Refusal("attribute_value", key)
        kept[key] = text
    for key, rule in rules.rules:
        if rule.required and key not in kept:
            return Refusal("missing_attribute", key)
    return tuple(sorted(kept.items()))


@lru_cache(maxsize=65_536)
def series_key(metric: str, samu_id: str, attrs: Attrs, instance_id: str, service: str) -> int:
    """A stable 64-bit id of a series: metric, SAMU, attributes and the sending instance."""
    parts = [metric, samu_id, instance_id, service]
    for key, value in attrs:
        parts.extend((key, value))
    # Length-prefixed, so that no choice of outside values can make two series collide.
    text = "".join(f"{len(part)}:{part}" for part in parts)
    digest = hashlib.blake2b(text.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")
