"""Privacy guard: spot phone numbers, French health identifiers and e-mail addresses in any text.

One definition of "looks personal", public to the modules that need it: the collector refuses
telemetry where `classify` finds something (every attribute key and value, metric and span
names), `collector.redaction` replaces what `find` finds in alert text. A hit is never logged,
stored or used as a label. Policy for look-alikes (tests/test_privacy.py and
tests/test_security_privacy_spellings.py):

- Separators people type between digits: spaces (also the no-break and thin spaces French
  typography uses), dots, dashes, slashes, each with spaces around or not.
- Phone numbers: French national `0X XX XX XX XX` in any grouping (pairs, `061 234 5678`…),
  with the prefix in parentheses (`(06)`, `(0)6`); `+33`, `0033`, `(+33)`, with `(0)` or a
  stray `0` after the country code; any `+` or `00` international number of 8 to 15 digits
  (E.164); a bare `33XXXXXXXXX` (the MSISDN form carried in SIP URIs). A run of digits that
  starts with neither `0`, `+` nor `33` is not a phone number, so a 10-digit epoch timestamp
  such as `1718000000` passes; so do `503`, `971`, `0.25` and `0.0612345678` (a decimal).
- NIR/INS: sex digit (1, 2, 3, 4, 7, 8), year, month, department (2 digits or 2A/2B),
  commune, order, and an optional 2-digit key, with optional separators. It is flagged when
  the key is valid (97 - n mod 97, 2A→19 and 2B→18), or when it is written in its groups (a
  separator after the sex digit), or when, written without separators, it is plausible as a
  birth record (month 01–12, department not 00). So an instance id such as
  `sim-1-1801010101-001` (an epoch, a dash, a suffix) passes, and a
  13-digit epoch-milliseconds timestamp such as `1718000000000` (month 80) passes, while a rare
  one whose digits form a plausible NIR is refused: refusing is the safe side. The decimals of
  a number (`128.7570112812703`) are not a NIR.
- E-mail addresses: `local@domain.tld`, whatever the case.
- Several parts: a number names the reason before an e-mail address, the longest number first
  (a NIR written with spaces holds a phone-like run).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import lru_cache

PHONE = "pii_phone_number"
HEALTH_ID = "pii_health_id"
EMAIL = "pii_email"
REASONS = (PHONE, HEALTH_ID, EMAIL)  # the first wins between parts of the same length

_SPACE = "[ \t\u00a0\u202f\u2009]"
# One separator between digits: spaces, or a dot, dash or slash with spaces around or not.
SEP = rf"(?:{_SPACE}*[.\-/\u2010-\u2013]{_SPACE}*|{_SPACE}+)?"
# Not preceded by a digit, a plus or a decimal mark: "0.0612345678" is a number, not a phone.
_START = r"(?<![\d+])(?<!\d[.,])"
_EIGHT = rf"(?:{SEP}\d){{8}}(?!\d)"  # the 8 digits after 0X, in any grouping
_PLUS33 = rf"(?:\({_SPACE}*(?:\+|00){_SPACE}*33{_SPACE}*\)|(?:\+|00){_SPACE}*33)"
PHONE_PATTERN = re.compile(
    "|".join(
        (
            rf"{_START}(?:0[1-9]|\(0[1-9]\)|\(0\){_SPACE}*[1-9]){_EIGHT}",
            rf"{_START}{_PLUS33}{SEP}(?:\(0\){SEP}|0{SEP})?[1-9]{_EIGHT}",
            rf"{_START}(?:\+|00){_SPACE}*[1-9](?:[ \t\u00a0\u202f.\-/()]{{0,3}}\d){{7,14}}(?!\d)",
            rf"{_START}33[1-9]\d{{8}}(?!\d)",
        )
    )
)
NIR_PATTERN = re.compile(
    rf"(?<![0-9A-Za-z])(?<!\d[.,])([1-478])({SEP})(\d{{2}}){SEP}(\d{{2}}){SEP}(\d{{2}}|2[AaBb]){SEP}"
    rf"(\d{{3}}){SEP}(\d{{3}})(?:{SEP}(\d{{2}}))?(?![0-9A-Za-z])"
)
EMAIL_PATTERN = re.compile(
    r"(?<![\w.%+\-])[\w.%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}(?![\w\-])"
)


def _nir_key_valid(body: str, key: str) -> bool:
    digits = body.upper().replace("2A", "19").replace("2B", "18")
    return 97 - int(digits) % 97 == int(key)


def looks_like_nir(match: re.Match[str]) -> bool:
    """Whether a NIR_PATTERN match is a health id rather than another long number."""
    sex, sep, year, month, dept, commune, order, key = match.groups()
    body = f"{sex}{year}{month}{dept}{commune}{order}"
    if key is not None and _nir_key_valid(body, key):
        return True
    if sep:  # written in its groups, `1 85 05 …`: the way a NIR is written, whatever the month
        return True
    if not match.string[match.start() : match.end(7)].isalnum():
        return False  # split elsewhere only (`1801010101-075`, an epoch and a suffix)
    return 1 <= int(month) <= 12 and dept != "00"


def find(text: str) -> Iterator[tuple[str, int, int]]:
    """Every personal-looking part of a text: (reason, start, end)."""
    if not _worth_a_look(text):
        return
    for match in PHONE_PATTERN.finditer(text):
        yield PHONE, match.start(), match.end()
    for match in NIR_PATTERN.finditer(text):
        if looks_like_nir(match):
            yield HEALTH_ID, match.start(), match.end()
    if "@" in text:
        for match in EMAIL_PATTERN.finditer(text):
            yield EMAIL, match.start(), match.end()


def _worth_a_look(text: str) -> bool:
    return "@" in text or any(c.isdigit() for c in text)


@lru_cache(maxsize=65_536)
def classify(text: str) -> str | None:
    """The privacy reason for a text (`pii_phone_number`, `pii_health_id`, `pii_email`), or
    None if it looks clean. A number names the reason before an address (`sip:336…@ims` is a
    phone number); the longest number explains the text: a NIR written `1 85 05 78 006 084`
    holds a phone-like `05 78 006 084` and is a health id."""
    found = [
        (reason != EMAIL, end - start, -REASONS.index(reason), reason)
        for reason, start, end in find(text)
    ]
    return max(found)[3] if found else None


def scan(texts: Iterable[str]) -> str | None:
    """The privacy reason of the first text that looks personal, or None if all are clean."""
    for text in texts:
        reason = classify(text)
        if reason is not None:
            return reason
    return None
