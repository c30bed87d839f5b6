"""The collector's error tree, translated to HTTP/gRPC answers at the protocol boundary."""

from __future__ import annotations


class CollectorError(Exception):
    """Base of every collector error."""


class DecodeError(CollectorError):
    """The body could not be decoded as OTLP (400, not retried)."""


class PayloadTooLarge(CollectorError):
    """The (decompressed) body exceeds the configured limit (413)."""


class UnsupportedMediaType(CollectorError):
    """Neither application/x-protobuf nor application/json (415)."""


class Overloaded(CollectorError):
    """The write queue is full; the sender should retry later (503 + Retry-After)."""
