"""Privacy guard: spot caller phone numbers and French health identifiers in any text.

Runs on every attribute key and value (resource, data point, span), on metric and span
names, before the allow-list. A hit rejects the whole point; the value is never logged,
stored or used as a label. Policy for look-alikes (see tests/test_privacy.py):

- Phone numbers: French national `0X XX XX XX XX` (spaces, dots or dashes, or none),
  `+33`/`0033` forms (with an optional `(0)`), any `+` or `00` international number with 8
  to 15 digits (E.164), and a bare `33XXXXXXXXX` (the MSISDN form carried in SIP URIs).
  A run of digits that starts with neither `0`, `+` nor `33` is not a phone number, so a
  10-digit epoch timestamp such as `1718000000` passes; so do `503`, `971`, `0.25`.
- NIR/INS: sex digit (1, 2, 3, 4, 7, 8), year, month, department (2 digits or 2A/2B),
  commune, order, and an optional 2-digit key, with optional spaces or dots. It is flagged
  when the key is valid (97 - n mod 97, 2A→19 and 2B→18), or when the number is written
  with separators, or when it is plausible as a birth record (month 01–12, department not
  00). So a 13-digit epoch-milliseconds timestamp such as `1718000000000` (month 80) passes,
  while a rare one whose digits form a plausible NIR is refused: refusing is the safe side.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

PHONE = "pii_phone_number"
HEALTH_ID = "pii_health_id"

_SEP = r"[ .\-]?"
# Not preceded by a digit, a plus or a decimal mark: "0.0612345678" is a number, not a phone.
_START = r"(?<![\d+])(?<!\d[.,])"
_PHONE = re.compile(
    "|".join(
        (
            rf"{_START}0[1-9](?:{_SEP}\d{{2}}){{4}}(?!\d)",
            rf"{_START}(?:\+|00){_SEP}33{_SEP}(?:\(0\){_SEP})?[1-9](?:{_SEP}\d{{2}}){{4}}(?!\d)",
            rf"{_START}(?:\+|00) ?[1-9](?:[ .\-()]{{0,2}}\d){{7,14}}(?!\d)",
            rf"{_START}33[1-9]\d{{8}}(?!\d)",
        )
    )
)
_NIR = re.compile(
    r"(?<![0-9A-Za-z])([1-478])([ .]?)(\d{2})[ .]?(\d{2})[ .]?(\d{2}|2[AaBb])[ .]?(\d{3})"
    r"[ .]?(\d{3})(?:[ .]?(\d{2}))?(?![0-9A-Za-z])"
)


def _nir_key_valid(body: str, key: str) -> bool:
    digits = body.upper().replace("2A", "19").replace("2B", "18")
    return 97 - int(digits) % 97 == int(key)


def _looks_like_nir(match: re.Match[str]) -> bool:
    sex, sep, year, month, dept, commune, order, key = match.groups()
    body = f"{sex}{year}{month}{dept}{commune}{order}"
    if key is not None and _nir_key_valid(body, key):
        return True
    if sep or any(c in match.group(0) for c in " ."):
        return True
    return 1 <= int(month) <= 12 and dept != "00"


@lru_cache(maxsize=65_536)
def classify(text: str) -> str | None:
    """The privacy reason for a text (`pii_phone_number`, `pii_health_id`) or None if clean."""
    if not any(c.isdigit() for c in text):
        return None
    if _PHONE.search(text):
        return PHONE
    for match in _NIR.finditer(text):
        if _looks_like_nir(match):
            return HEALTH_ID
    return None


def scan(texts: Iterable[str]) -> str | None:
    """The privacy reason of the first text that looks personal, or None if all are clean."""
    for text in texts:
        reason = classify(text)
        if reason is not None:
            return reason
    return None
