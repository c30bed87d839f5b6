"""The protocol layer's bounds: body size, late and future data, and the back-off it asks for."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

DAY_S = 86_400


class LimitSettings(Protocol):
    """The settings fields the limits are built from (vigie.settings.Settings has them)."""

    @property
    def max_body_bytes(self) -> int: ...

    @property
    def max_point_age_days(self) -> int: ...

    @property
    def max_point_future_s(self) -> int: ...

    @property
    def retry_after_s(self) -> int: ...


@dataclass(frozen=True)
class Limits:
    """What the receiver accepts: body size after decompression and the point time window."""

    max_body_bytes: int = 8 * 1024 * 1024
    # Late-data policy: a point older than this is rejected (too_old), younger is ingested.
    max_age_s: int = 35 * DAY_S
    max_future_s: int = 300
    # Seconds a sender is asked to wait after a 503 / UNAVAILABLE answer.
    retry_after_s: int = 5

    @classmethod
    def from_settings(cls, settings: LimitSettings) -> Limits:
        """Build the limits from the platform settings."""
        return cls(
            max_body_bytes=settings.max_body_bytes,
            max_age_s=settings.max_point_age_days * DAY_S,
            max_future_s=settings.max_point_future_s,
            retry_after_s=settings.retry_after_s,
        )
