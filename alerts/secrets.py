"""Secrets of the alerting configuration: typed where the spec declares them, shown as `<secret>`.

A spec field annotated `Secret` (or `SecretUrl`) holds a password, a shared secret or a URL that
carries a token (Alertmanager's `Secret` and `SecretURL`). `masked(document, ConfigSpec)` walks a
parsed configuration alongside the spec and replaces each such value with `<secret>`, as
Alertmanager prints its configuration in `/api/v2/status`; `Opaque` blocks (`http_config`,
Prometheus' client configuration) hide Prometheus' secret fields by name. A new field typed
`Secret` is masked without touching this module.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BaseModel

MASK = "<secret>"


@dataclass(frozen=True)
class Marker:
    """Metadata that types a spec field: `secret` (mask it) or `opaque` (mask by field name)."""

    kind: str


SECRET = Marker("secret")
OPAQUE = Marker("opaque")
Secret = Annotated[str, SECRET]
Opaque = Annotated[dict[str, Any], OPAQUE]  # accepted as-is (http_config, tls_config)
# Secret fields of Prometheus' HTTP client configuration (basic_auth, authorization, oauth2...).
OPAQUE_SECRETS = frozenset({"password", "credentials", "bearer_token", "client_secret"})


class SecretRepr(BaseModel):
    """A spec whose repr shows its secrets as `<secret>` (a spec printed in a log line)."""

    def __repr_args__(self) -> Any:
        fields = type(self).model_fields
        return list(masked({name: getattr(self, name) for name in fields}, type(self)).items())


def masked(document: Any, spec: type[BaseModel]) -> Any:
    """A copy of a parsed configuration with every secret value replaced by `<secret>`."""
    if not isinstance(document, dict):
        return document
    hints = typing.get_type_hints(spec, include_extras=True)
    out: dict[str, Any] = {}
    for key, value in document.items():
        name = _field_name(spec, key)
        out[key] = value if name is None else _masked_value(value, hints[name])
    return out


def _field_name(spec: type[BaseModel], key: str) -> str | None:
    for name, info in spec.model_fields.items():
        if key in (name, info.alias):
            return name
    return None


def _masked_value(value: Any, hint: Any) -> Any:
    found = set(markers(hint))
    if value in (None, ""):
        return value
    if SECRET in found:
        return [MASK for _ in value] if isinstance(value, list) else MASK
    if OPAQUE in found:
        return _masked_opaque(value)
    models = [t for t in _types(hint) if isinstance(t, type) and issubclass(t, BaseModel)]
    if not models:
        return value
    if isinstance(value, list):
        return [masked(item, models[0]) for item in value]
    return masked(value, models[0])


def _masked_opaque(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            k: MASK if k in OPAQUE_SECRETS and v not in (None, "") else _masked_opaque(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_masked_opaque(v) for v in value]
    return value


def _types(hint: Any) -> Iterator[Any]:
    """Every type inside an annotation (unions, lists, Annotated), the annotation included."""
    yield hint
    origin = typing.get_origin(hint)
    if origin is Annotated:
        yield from _types(typing.get_args(hint)[0])
        return
    if origin in (typing.Union, types.UnionType, list, tuple, dict):
        for arg in typing.get_args(hint):
            yield from _types(arg)


def markers(hint: Any) -> Iterator[Marker]:
    """The markers found anywhere in a type annotation (read with include_extras=True)."""
    for found in _types(hint):
        if typing.get_origin(found) is Annotated:
            yield from (m for m in found.__metadata__ if isinstance(m, Marker))
