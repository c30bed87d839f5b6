"""The privacy guard: phone numbers and NIR/INS are caught, look-alikes pass."""

from __future__ import annotations

import pytest

from collector.privacy import HEALTH_ID, PHONE, classify, scan


def nir_with_key(body: str) -> str:
    """A NIR with its valid key (2A→19, 2B→18 for the computation)."""
    digits = body.upper().replace("2A", "19").replace("2B", "18")
    return f"{body}{97 - int(digits) % 97:02d}"


CAUGHT = [
    ("a French mobile number written plain", "0612345678", PHONE),
    ("a French number with spaces", "06 12 34 56 78", PHONE),
    ("a French number with dots", "01.45.67.89.10", PHONE),
    ("a French number with dashes", "04-72-11-22-33", PHONE),
    ("a +33 number", "+33612345678", PHONE),
    ("a +33 number with spaces", "+33 6 12 34 56 78", PHONE),
    ("a +33 number with the (0) habit", "+33 (0)6 12 34 56 78", PHONE),
    ("a 0033 number", "0033612345678", PHONE),
    ("an overseas number from Guadeloupe", "0590 12 34 56", PHONE),
    ("an international E.164 number", "+14155552671", PHONE),
    ("a 00-prefixed international number", "0044 20 7946 0958", PHONE),
    ("an MSISDN as carried in a SIP URI", "sip:33612345678@ims.example", PHONE),
    ("a number after a dot in a name", "calls.from.0612345678", PHONE),
    ("a number inside free text", "rappeler le 06 12 34 56 78 svp", PHONE),
    ("a NIR with its key", nir_with_key("1850578006084"), HEALTH_ID),
    ("a NIR with spaces", "1 85 05 78 006 084 " + nir_with_key("1850578006084")[-2:], HEALTH_ID),
    ("a Corsican NIR (2A) with key", nir_with_key("284122A123456"), HEALTH_ID),
    ("a Corsican NIR (2B) with spaces", "1 72 03 2B 051 012", HEALTH_ID),
    ("a NIR without key", "2840712345678", HEALTH_ID),
    ("a temporary NIA (sex digit 7) with key", nir_with_key("7850512345678"), HEALTH_ID),
]

PASSING = [
    ("a SIP status code", "503"),
    ("a Corsican department code", "2A"),
    ("an overseas department code", "971"),
    ("a SAMU id", "fr.health.samu075"),
    ("a Corsican SAMU id", "fr.health.samu02B"),
    ("an overseas SAMU id", "fr.health.samu974"),
    ("a duration in seconds", "0.25"),
    ("a small duration with many digits", "0.0612345678"),
    ("an epoch timestamp in seconds (10 digits, no leading 0)", "1718000000"),
    ("an epoch timestamp in milliseconds (month 80 is not a birth month)", "1718000000000"),
    ("an ISO timestamp", "2024-06-01T03:04:05.123456Z"),
    ("a UUID", "550e8400-e29b-41d4-a716-446655440000"),
    ("an IPv4 address", "10.0.12.34"),
    ("a version string", "1.45.2"),
    ("an 8-digit number without a prefix", "12345678"),
    ("a 9-digit number (a French number that lost its leading 0)", "612345678"),
    ("a component name", "telephony"),
    ("a hostname with digits", "gw-075-01.samu.local"),
]


@pytest.mark.parametrize(("name", "text", "reason"), CAUGHT, ids=[c[0] for c in CAUGHT])
def test_personal_values_are_caught(name: str, text: str, reason: str) -> None:
    assert classify(text) == reason


@pytest.mark.parametrize(("name", "text"), PASSING, ids=[p[0] for p in PASSING])
def test_look_alikes_pass(name: str, text: str) -> None:
    assert classify(text) is None


def test_a_ten_digit_number_starting_with_0_is_treated_as_a_phone_number() -> None:
    assert classify("0123456789") == PHONE


def test_a_fifteen_digit_number_with_a_wrong_key_and_no_birth_month_passes() -> None:
    # An IMEI-like number: month 93, and its last two digits are not the NIR key.
    assert classify("356938935643809") is None


def test_scan_reports_the_first_personal_text() -> None:
    assert scan(["503", "2A", "+33612345678"]) == PHONE
    assert scan(["503", "2A"]) is None
