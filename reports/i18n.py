"""Words and number formats of the PDF, French by default, English available.

Numbers, percentages, durations and instants are printed by `store.formats` (Babel, fr-FR:
decimal comma, narrow no-break spaces; Europe/Paris), the same as the UI; the sentences agree
with their numbers ("Aucun incident", "Un incident", "3 incidents") and an overspent budget is
said in words.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType
from typing import Any

from reports.errors import ReportError
from reports.wording import EN, FR
from store.formats import NBSP, NNBSP, Formats, formats

__all__ = ["LANGS", "NBSP", "NNBSP", "Formatter", "formatter"]
LANGS = MappingProxyType({"fr": MappingProxyType(FR), "en": MappingProxyType(EN)})
_VOWELS = "aeiouyàâéèêëîïôûùh"


@dataclass(frozen=True)
class Formatter:
    """Numbers and sentences as the PDF prints them in one language."""

    lang: str

    @property
    def words(self) -> MappingProxyType[str, str]:
        return LANGS[self.lang]

    @property
    def formats(self) -> Formats:
        return formats(self.lang)

    def pct(self, value: float | None, digits: int = 4) -> str:
        """A percentage already rounded by the document (99.9712 → `99,9712 %` in French)."""
        if value is None:
            return self.words["no_data"]
        return self.formats.points(value, digits)

    def count(self, value: int | None) -> str:
        """An integer with grouped thousands (`12 345` in French, `12,345` in English)."""
        if value is None:
            return self.words["no_data"]
        return self.formats.integer(value)

    def duration(self, seconds: int | None) -> str:
        """A duration in two units: `1 h 05 min`, `3 min 20 s`, `45 s`."""
        return self.formats.duration(seconds)

    def budget(self, left_pct: float | None) -> str:
        """A budget left: a percentage, or "épuisé" when overspent (never a negative %)."""
        if left_pct is None:
            return self.words["no_data"]
        return self.pct(left_pct, 2) if left_pct > 0 else self.words["exhausted"]

    def when(self, stamp: str | datetime | None) -> str:
        """An instant (ISO 8601 UTC or aware) in Europe/Paris: `1 octobre 2026 à 00:00`."""
        if stamp is None:
            return "—"
        at = stamp if isinstance(stamp, datetime) else _parse(stamp)
        if self.lang != "fr":
            return self.formats.instant(at, "d MMMM y 'at' HH:mm")
        day = self.formats.instant(at, "d")
        rest = self.formats.instant(at, "MMMM y 'à' HH:mm")
        return f"{'1er' if day == '1' else day} {rest}"  # le 1er octobre, le 2 octobre

    def short(self, stamp: str | None) -> str:
        """An instant in Europe/Paris for a table cell: `05/10 14:03`."""
        if stamp is None:
            return "—"
        return self.formats.instant(_parse(stamp), "dd/MM HH:mm")

    def month(self, month: str) -> str:
        """`2026-10` → "le mois d'octobre 2026" / "October 2026" (the article elided)."""
        year, number = (int(p) for p in month.split("-"))
        name = self.formats.instant(datetime(year, number, 15, 12), "MMMM y")
        if self.lang != "fr":
            return name
        return f"le mois d'{name}" if name[0] in _VOWELS else f"le mois de {name}"

    def trend(self, previous: float | None, year: float | None) -> str:
        """The comparison with the previous month and last year, said whole when one is missing."""
        key = {
            (True, True): "trend_both",
            (True, False): "trend_previous",
            (False, True): "trend_year",
            (False, False): "trend_none",
        }[(previous is not None, year is not None)]
        return self.words[key].format(previous=self.pct(previous), year=self.pct(year))

    def counted(self, key: str, n: int) -> str:
        """The sentence `key_0`, `key_1` or `key_n` for `n` (French and English agreement)."""
        form = "0" if n == 0 else "1" if n == 1 else "n"
        return self.words[f"{key}_{form}"].format(n=self.count(n))

    def unjudged(self, rows: Sequence[Mapping[str, Any]]) -> str:
        """The S3 minutes no SAMU was judged on, summed over `rows` (the document's SAMU rows):
        "12 minutes sans données et une minute de trou de collecte Vigie n'ont été jugées…";
        "" when the report has no S3 figures."""
        no_data = [r["s3_minutes_no_data"] for r in rows if r["s3_minutes_no_data"] is not None]
        gap = [r["s3_minutes_gap"] for r in rows if r["s3_minutes_gap"] is not None]
        if not no_data and not gap:
            return ""
        counts = (("no_data_minutes", sum(no_data)), ("gap_minutes", sum(gap)))
        parts = [
            self.words[f"{key}_{'1' if n == 1 else 'n'}"].format(n=self.count(n))
            for key, n in counts
            if n > 0
        ]
        if not parts:
            return self.words["unjudged_none"]
        what = f" {self.words['and']} ".join(parts)
        total = sum(n for _, n in counts)
        sentence = self.words["unjudged_1" if total == 1 else "unjudged_n"]
        return sentence.format(what=what[0].upper() + what[1:])

    def samu_sentence(self, met: int, missed: int, none: int) -> str:
        """ "98 SAMU respectent leurs objectifs, un les manque et un n'a transmis aucune donnée."""
        joined = f"{self.counted('samu_met', met)}, {self.counted('samu_missed', missed)}"
        word = " et " if self.lang == "fr" else " and "
        return joined + word + self.counted("samu_none", none)


def _parse(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


def formatter(lang: str) -> Formatter:
    """The formatter of `lang` (fr or en)."""
    if lang not in LANGS:
        raise ReportError(f"unknown report language {lang!r}: use one of {', '.join(LANGS)}")
    return Formatter(lang)
