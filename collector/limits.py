"""The receiver's bounds on every input, each a setting with a documented default.

Body size after decompression (413), the late-data window (too_old, future), attribute length
and count (attribute_too_long, too_many_attributes), data points or spans per request
(too_many_points: the first ones are kept), distinct series per SAMU (too_many_series: the
series already admitted keep flowing), and plausible numbers (implausible_value; NaN, infinity
and negative counters are bad_value). A refusal names its reason in the OTLP answer's
`partial_success` message and in `vigie_ingest_points_rejected_total{agent, samu, reason}`;
everything else of the same request is kept.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Protocol

from store.clock import Clock

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

    @property
    def max_attribute_length(self) -> int: ...

    @property
    def max_attributes(self) -> int: ...

    @property
    def max_points_per_request(self) -> int: ...

    @property
    def max_series_per_samu(self) -> int: ...

    @property
    def max_value(self) -> float: ...


class SeriesBudget:
    """Distinct series admitted per SAMU; a new series over the budget is refused.

    A series unseen for IDLE_S frees its place (a renamed instance, a retired gateway), so the
    budget bounds what one SAMU's agents can make the store and the delta state hold at once.
    Thread-safe: the HTTP and gRPC receivers decode in several threads.
    """

    IDLE_S = DAY_S

    def __init__(self, max_series: int, clock: Clock) -> None:
        self.max_series = max_series
        self._clock = clock
        self._seen: dict[str, dict[int, float]] = {}
        self._swept: dict[str, float] = {}
        self._lock = threading.Lock()

    def admit(self, samu_id: str, series_key: int) -> bool:
        """Whether a point of this series may be stored (and note that it was seen now)."""
        now = self._clock.now().timestamp()
        with self._lock:
            seen = self._seen.setdefault(samu_id, {})
            if series_key not in seen and len(seen) >= self.max_series:
                self._sweep(samu_id, seen, now)
                if len(seen) >= self.max_series:
                    return False
            seen[series_key] = now
            return True

    def _sweep(self, samu_id: str, seen: dict[int, float], now: float) -> None:
        if now - self._swept.get(samu_id, float("-inf")) < 60:
            return  # at most one sweep a minute per SAMU, however hard it is pushed
        self._swept[samu_id] = now
        for key in [k for k, at in seen.items() if now - at > self.IDLE_S]:
            del seen[key]


@dataclass(frozen=True)
class Limits:
    """What the receiver accepts (the defaults are the settings' defaults)."""

    max_body_bytes: int = 8 * 1024 * 1024
    # Late-data policy: a point older than this is rejected (too_old), younger is ingested.
    max_age_s: int = 35 * DAY_S
    max_future_s: int = 300
    # Seconds a sender is asked to wait after a 503 / UNAVAILABLE answer.
    retry_after_s: int = 5
    # Characters of an attribute key or text value (bytes of an array or bytes value).
    max_attribute_length: int = 256
    max_attributes: int = 64  # per resource, per data point, per span
    max_points_per_request: int = 100_000  # data points, or spans
    # Largest plausible counter, gauge, histogram count or sum: 1e12 calls or seconds is
    # centuries of a national platform; 1e308 is an attack on the sums.
    max_value: float = 1e12
    series: SeriesBudget | None = field(default=None, compare=False)

    @classmethod
    def from_settings(cls, settings: LimitSettings, clock: Clock | None = None) -> Limits:
        """Build the limits from the platform settings (the series budget needs the clock)."""
        budget = settings.max_series_per_samu
        return cls(
            max_body_bytes=settings.max_body_bytes,
            max_age_s=settings.max_point_age_days * DAY_S,
            max_future_s=settings.max_point_future_s,
            retry_after_s=settings.retry_after_s,
            max_attribute_length=settings.max_attribute_length,
            max_attributes=settings.max_attributes,
            max_points_per_request=settings.max_points_per_request,
            max_value=settings.max_value,
            series=SeriesBudget(budget, clock) if clock is not None and budget > 0 else None,
        )

    def point_refusal(
        self, samu_id: str, series_key: int, value: float, total: float = 0.0
    ) -> str | None:
        """Why a point otherwise valid is refused by the limits, or None: implausible_value when
        its value (or histogram sum) is beyond max_value either way, too_many_series when it
        would be a new series over its SAMU's budget (an admitted point marks its series seen)."""
        largest = self.max_value
        if value > largest or value < -largest or total > largest or total < -largest:
            return "implausible_value"
        budget = self.series
        if budget is not None and not budget.admit(samu_id, series_key):
            return "too_many_series"
        return None


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
