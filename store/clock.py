"""Time as a collaborator: the platform reads the time from a Clock, tests move a FakeClock."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """What every time-dependent piece needs: the current instant."""

    def now(self) -> datetime: ...

    def now_ns(self) -> int: ...


class SystemClock:
    """The wall clock (UTC)."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def now_ns(self) -> int:
        return time.time_ns()


class FakeClock:
    """A clock that only moves when told to; for tests and simulations."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("FakeClock needs an aware datetime")
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def now_ns(self) -> int:
        return int(self._now.timestamp()) * 1_000_000_000 + self._now.microsecond * 1000

    def advance(self, delta: timedelta) -> None:
        self._now += delta

    def set(self, at: datetime) -> None:
        self._now = at.astimezone(UTC)


# What a DateTime64 column can hold; instants from outside are checked against it at the edge.
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(2299, 12, 31, tzinfo=UTC)


def utc(value: object) -> datetime:
    """An instant as an aware UTC datetime; a naive one is UTC.

    The one reading of times that come back from the store (the driver returns naive UTC
    datetimes for columns without a time zone) and of instants given without an offset (CLI
    dates, API parameters): every package turns them into aware UTC here, never on its own.
    """
    if not isinstance(value, datetime):
        raise TypeError(f"expected a datetime, got {value!r}")
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def in_store_range(at: datetime) -> bool:
    """Whether an (aware or UTC-naive) instant can be compared with stored times."""
    return EARLIEST <= utc(at) <= LATEST
