"""French by default, English on request: every visible text of the UI comes from one catalogue
(`dashboards.texts`) by key, and every number, percentage, duration and instant from
`store.formats` (Babel, fr-FR: decimal comma, narrow no-break spaces, Europe/Paris).

A third language, `qps` (pseudo-locale), is never offered to people: it wraps every catalogue
text in ⟦…⟧ so that a test can render every page and find a visible text that did not come
from the catalogue.
"""

from __future__ import annotations

from typing import Literal

from dashboards.texts import TEXTS
from store.formats import PARIS, Formats, formats

Lang = Literal["fr", "en"]
LANGS: tuple[Lang, ...] = ("fr", "en")
PSEUDO = "qps"
__all__ = ["LANGS", "PARIS", "PSEUDO", "Lang", "alert_name", "fmt", "lang_of", "slo_name", "t"]


def t(key: str, lang: str = "fr") -> str:
    """The text of `key` in `lang` (French for an unknown language); KeyError if unknown, so
    that a typo fails the tests instead of showing a key to an operator."""
    fr, en = TEXTS[key]
    if lang == PSEUDO:
        return f"⟦{fr}⟧"
    return en if lang == "en" else fr


def has(key: str) -> bool:
    """Whether the catalogue has `key`."""
    return key in TEXTS


def text_keys() -> list[str]:
    """Every text key (tests check both languages are filled)."""
    return list(TEXTS)


def lang_of(value: object) -> str:
    """A supported language from a stored or query value; French otherwise (the pseudo-locale
    passes through for the untranslated-text test)."""
    if value in ("en", PSEUDO):
        return str(value)
    return "fr"


def fmt(lang: str) -> Formats:
    """Number and time formats of `lang` (the pseudo-locale formats as French)."""
    return formats(lang)


def alert_name(alertname: str, lang: str) -> str:
    """An alert's name in words (`SLOBurnRate` → "Consommation rapide du budget"); an alert
    the catalogue does not know keeps its name (it is data from a foreign source)."""
    key = f"alert.{alertname}"
    return t(key, lang) if has(key) else alertname


def slo_name(slo_id: str, lang: str) -> str:
    """An SLO in words (`s1-call-setup` → "S1 · établissement des appels"); unknown: its id."""
    key = f"slo.{slo_id}"
    return t(key, lang) if has(key) else slo_id
