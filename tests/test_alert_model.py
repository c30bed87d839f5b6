"""Alert values, fingerprints and label-set printing match Prometheus/Alertmanager.

Durations are store.durations' (tests/test_durations.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from alerts.model import Alert, fingerprint, fingerprint_hex, go_quote, label_set_string

T0 = datetime(2024, 3, 31, 1, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("labels", "expected"),
    [
        ({}, 14695981039346656037),
        ({"name": "garland, briggs", "fear": "love is not enough"}, 5799056148416392346),
    ],
    ids=["the empty label set", "the prometheus/common reference label set"],
)
def test_fingerprints_equal_prometheus_reference_values(labels: dict, expected: int) -> None:
    assert fingerprint(labels) == expected


def test_fingerprint_ignores_label_order_and_prints_as_16_hex_digits() -> None:
    assert fingerprint_hex({"a": "b", "c": "d"}) == fingerprint_hex({"c": "d", "a": "b"})
    assert fingerprint_hex({"name": "garland, briggs", "fear": "love is not enough"}) == (
        "507a62d79ee76c9a"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("plain", '"plain"'),
        ('q"b\\', '"q\\"b\\\\"'),
        ("tab\tnl\n", '"tab\\tnl\\n"'),
        ("\x01\x7f", '"\\x01\\x7f"'),
        ("Évry 🚑", '"Évry 🚑"'),
        ("\u00a0\u200b", '"\\u00a0\\u200b"'),
    ],
    ids=[
        "plain text",
        "quotes and backslashes",
        "control escapes",
        "hex escapes",
        "printable unicode kept",
        "non-printable unicode escaped",
    ],
)
def test_go_quote_matches_strconv_quote(text: str, expected: str) -> None:
    assert go_quote(text) == expected


def test_label_sets_print_sorted_as_text_like_prometheus() -> None:
    # Sorting the "name=value" strings puts a1 before a, as Go's LabelSet.String() does.
    assert label_set_string({"a": "x", "a1": "y", "b": "z"}) == '{a1="y", a="x", b="z"}'
    assert label_set_string({}) == "{}"


def test_an_alert_copies_its_labels_and_is_resolved_once_its_end_has_passed() -> None:
    labels = {"alertname": "CallSetupErrors", "samu": "075"}
    alert = Alert(labels, starts_at=T0, ends_at=T0 + timedelta(minutes=5))
    labels["samu"] = "971"
    assert alert.labels["samu"] == "075"
    assert not alert.resolved_at(T0 + timedelta(minutes=4))
    assert alert.resolved_at(T0 + timedelta(minutes=5))
    assert not Alert(labels, starts_at=T0).resolved_at(T0 + timedelta(days=9))
    assert alert.fingerprint == fingerprint({"alertname": "CallSetupErrors", "samu": "075"})
