"""Numbers, percentages, durations and instants as people read them: fr-FR by default (Babel's
CLDR data: decimal comma, narrow no-break space between thousands and before units), English
available. The UI and the PDF report both print through here, so a figure reads the same on the
wall screen and in the signed report.

Instants are stored in UTC and shown in Europe/Paris unless a SAMU's own zone is asked for.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from babel.numbers import format_decimal

PARIS = ZoneInfo("Europe/Paris")
NNBSP = "\u202f"  # narrow no-break space: between a number and its unit, thousands in French
NBSP = "\u00a0"
DASH = "—"  # no value (no data): never a zero, never 100 %
_LOCALES = {"fr": "fr_FR", "en": "en_GB"}
# Unit symbols of durations (days, hours, minutes, seconds).
_UNITS = {"fr": ("j", "h", "min", "s"), "en": ("d", "h", "min", "s")}


@dataclass(frozen=True)
class Formats:
    """The formatting of one language; `fr` (the default) unless `en` is asked."""

    lang: str = "fr"

    @property
    def locale(self) -> str:
        return _LOCALES.get(self.lang, "fr_FR")

    def number(self, value: float | None, digits: int = 1) -> str:
        """`12 345,7` (fr) / `12,345.7` (en); a dash for no value."""
        if value is None:
            return DASH
        pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "")
        return str(format_decimal(value, format=pattern, locale=self.locale))

    def integer(self, value: float | None) -> str:
        """A count with grouped thousands."""
        return self.number(None if value is None else round(value), 0)

    def percent(self, fraction: float | None, digits: int = 2) -> str:
        """A fraction as a percentage: 0.99953 → `99,95 %` (narrow no-break space before %)."""
        if fraction is None:
            return DASH
        space = NNBSP if self.lang == "fr" else ""
        return f"{self.number(fraction * 100, digits)}{space}%"

    def points(self, percentage: float | None, digits: int = 4) -> str:
        """A value already in percent (99.9712 → `99,9712 %`), as the report's documents hold."""
        if percentage is None:
            return DASH
        space = NNBSP if self.lang == "fr" else ""
        return f"{self.number(percentage, digits)}{space}%"

    def duration(self, value: timedelta | float | None) -> str:
        """Two largest units: `3 j 4 h`, `4 h 59 min`, `12 min`, `45 s`; a dash for none."""
        if value is None:
            return DASH
        seconds = int(value.total_seconds() if isinstance(value, timedelta) else value)
        seconds = max(seconds, 0)
        day, hour, minute, second = _UNITS.get(self.lang, _UNITS["fr"])
        d, rest = divmod(seconds, 86_400)
        h, rest = divmod(rest, 3600)
        m, s = divmod(rest, 60)
        parts = [(d, day), (h, hour), (m, minute), (s, second)]
        first = next((i for i, (n, _) in enumerate(parts) if n), 3)
        big, small = parts[first], parts[min(first + 1, 3)]
        text = f"{big[0]}{NNBSP}{big[1]}"
        if first < 3 and small[0]:
            text += (
                f" {small[0]:02d}{NNBSP}{small[1]}"
                if first > 0
                else f" {small[0]}{NNBSP}{small[1]}"
            )
        return text

    def instant(self, at: datetime | None, pattern: str = "d MMM HH:mm", zone: str = "") -> str:
        """An instant in Europe/Paris (or `zone`) with a CLDR pattern; a dash for none."""
        if at is None:
            return DASH
        tz = ZoneInfo(zone) if zone else PARIS
        return str(format_datetime(at, pattern, tzinfo=tz, locale=self.locale))

    def clock(self, at: datetime | None, zone: str = "") -> str:
        """`14:05` in Europe/Paris (or `zone`)."""
        return self.instant(at, "HH:mm", zone)

    def local(self, at: datetime, zone: str) -> str:
        """`09:05 (UTC−04:00)`: a SAMU's own clock and its offset (overseas SAMU have no DST)."""
        here = at.astimezone(ZoneInfo(zone))
        offset = here.strftime("%z")
        sign = "−" if offset.startswith("-") else "+"
        return f"{here.strftime('%H:%M')} (UTC{sign}{offset[1:3]}:{offset[3:5]})"


def formats(lang: str) -> Formats:
    """The formats of `lang` (French for anything but `en`)."""
    return Formats("en" if lang == "en" else "fr")
