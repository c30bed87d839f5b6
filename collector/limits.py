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


@dataclass(frozen=True, slots=True)
class Window:
    """The accepted time span of points, from the late-data policy and `now`."""

    oldest_ns: int
    newest_ns: int

    @classmethod
    def around(cls, now_ns: int, limits: Limits) -> Window:
        """The window for a request received at now_ns."""
        return cls(now_ns - limits.max_age_s * 10**9, now_ns + limits.max_future_s * 10**9)

    def refuse(self, time_ns: int) -> str | None:
        """too_old, future, or None when time_ns is inside the window."""
        if time_ns < self.oldest_ns:
            return "too_old"
        if time_ns > self.newest_ns:
            return "future"
        return None
