"""Expected call rate of one SAMU: daily volume × local diurnal shape × day type × surge.

`daily_calls` is the mean day of an ordinary week (weekends included, holidays not): a weekday
gets `daily_calls × 7 / (5 + saturday + sunday)`, a Saturday `saturday` times that, and so on.
The diurnal shape and the day type are read in the SAMU's own time zone (overseas SAMU keep
their local time without DST), and DST days are 23 or 25 hours long like the civil day.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Protocol
from zoneinfo import ZoneInfo

import holidays
import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]

# Relative call volume by local hour: night trough 03:00–05:00 at ~0.22 of the evening peak.
HOURLY_SHAPE: tuple[float, ...] = (
    0.62,
    0.48,
    0.38,
    0.29,
    0.27,
    0.31,
    0.42,
    0.62,
    0.86,
    1.02,
    1.12,
    1.17,
    1.15,
    1.10,
    1.09,
    1.12,
    1.16,
    1.20,
    1.24,
    1.22,
    1.12,
    0.98,
    0.86,
    0.74,
)
_SHAPE = np.array(HOURLY_SHAPE) / np.mean(HOURLY_SHAPE)
# Linear interpolation between hour centres (h + 0.5), periodic: the daily mean stays 1.
_KNOTS_X = np.arange(-0.5, 25.0, 1.0)
_KNOTS_Y = np.concatenate(([_SHAPE[-1]], _SHAPE, [_SHAPE[0]]))

# Departments whose local public holidays differ from the national calendar (holidays' subdiv).
_SUBDIVISIONS = {"57": "57", "67": "6AE", "68": "6AE"} | {
    d: d for d in ("971", "972", "973", "974", "976")
}


class SamuInfo(Protocol):
    """What the traffic model needs from a registry SAMU (store.registry.Samu has all of it)."""

    @property
    def id(self) -> str: ...
    @property
    def departments(self) -> Sequence[str]: ...
    @property
    def daily_calls(self) -> int: ...
    @property
    def backup_id(self) -> str | None: ...
    @property
    def zone(self) -> ZoneInfo: ...


@dataclass(frozen=True)
class DayTypes:
    """Volume factors of non-ordinary days, relative to an ordinary weekday."""

    saturday: float = 1.6
    sunday: float = 1.7
    holiday: float = 1.9

    @property
    def weekday_share(self) -> float:
        """An ordinary weekday's volume as a fraction of the mean day of an ordinary week."""
        return 7.0 / (5.0 + self.saturday + self.sunday)


def diurnal(local_hours: FloatArray) -> FloatArray:
    """The diurnal shape at fractional local hours [0, 24), normalised to a daily mean of 1."""
    shape: FloatArray = np.interp(local_hours, _KNOTS_X, _KNOTS_Y)
    return shape


@lru_cache(maxsize=256)
def _holiday_dates(subdiv: str, year: int) -> frozenset[date]:
    calendar = holidays.country_holidays("FR", subdiv=subdiv or None, years=year)
    return frozenset(calendar.keys())


def subdivision(departments: Sequence[str]) -> str:
    """The `holidays` subdivision whose calendar applies to a SAMU ('' = national)."""
    for dept in departments:
        if dept in _SUBDIVISIONS:
            return _SUBDIVISIONS[dept]
    return ""


def is_holiday(day: date, departments: Sequence[str] = ()) -> bool:
    """Whether `day` is a French public holiday where these departments are."""
    return day in _holiday_dates(subdivision(departments), day.year)


def day_factor(day: date, departments: Sequence[str], types: DayTypes) -> float:
    """Volume factor of a local calendar day: holiday, Sunday, Saturday or ordinary weekday."""
    if is_holiday(day, departments):
        return types.holiday
    if day.weekday() == 6:
        return types.sunday
    if day.weekday() == 5:
        return types.saturday
    return 1.0


@dataclass(frozen=True, eq=False)
class LocalTime:
    """Per instant: local fractional hour and the local day's volume factor."""

    hours: FloatArray
    day_factors: FloatArray


def local_time(samu: SamuInfo, epochs: FloatArray, types: DayTypes) -> LocalTime:
    """Local hour and day factor at each epoch second (vectorised; exact across DST changes)."""
    if len(epochs) == 0:
        return LocalTime(np.zeros(0), np.zeros(0))
    first = datetime.fromtimestamp(float(epochs[0]), UTC)
    last = datetime.fromtimestamp(float(epochs[-1]), UTC)
    off_first = first.astimezone(samu.zone).utcoffset()
    off_last = last.astimezone(samu.zone).utcoffset()
    if off_first == off_last and off_first is not None:
        local = epochs + off_first.total_seconds()
    else:
        local = np.array([e + _offset(samu.zone, float(e)) for e in epochs])
    days = np.floor(local / 86400.0)
    hours = (local - days * 86400.0) / 3600.0
    factors = np.ones(len(epochs))
    epoch_day = date(1970, 1, 1)
    for day_index in np.unique(days):
        day = epoch_day + timedelta(days=int(day_index))
        factors[days == day_index] = day_factor(day, samu.departments, types)
    return LocalTime(hours, factors)


def _offset(zone: ZoneInfo, epoch: float) -> float:
    offset = datetime.fromtimestamp(epoch, UTC).astimezone(zone).utcoffset()
    return offset.total_seconds() if offset is not None else 0.0


def expected_calls(
    samu: SamuInfo, when: LocalTime, slot_s: float, types: DayTypes, surge: float = 1.0
) -> FloatArray:
    """Expected number of calls in slots of `slot_s` seconds starting at the given local times."""
    per_second = samu.daily_calls * types.weekday_share / 86400.0
    return per_second * slot_s * diurnal(when.hours) * when.day_factors * surge


def samu_rng(seed: int, samu_id: str) -> np.random.Generator:
    """A SAMU's own random stream: its traffic does not depend on which others are simulated."""
    return np.random.default_rng([seed, zlib.crc32(samu_id.encode())])
