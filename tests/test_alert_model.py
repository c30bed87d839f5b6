"""Alert values, fingerprints, label-set printing and durations match Prometheus/Alertmanager."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from alerts.durations import format_duration, parse_duration
from alerts.errors import DurationError
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


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0", timedelta(0)),
        ("30s", timedelta(seconds=30)),
        ("1h30m", timedelta(minutes=90)),
        ("1d", timedelta(days=1)),
        ("2w", timedelta(days=14)),
        ("1y", timedelta(days=365)),
        ("1m30s500ms", timedelta(seconds=90.5)),
    ],
)
def test_durations_parse_like_prometheus(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["", "5x", "1.5h", "30m1h", "-5m", "5", " 5m", "5m\n", "1h1h"])
def test_malformed_durations_are_rejected(text: str) -> None:
    with pytest.raises(DurationError):
        parse_duration(text)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (timedelta(0), "0s"),
        (timedelta(minutes=90), "1h30m"),
        (timedelta(days=14), "2w"),
        (timedelta(days=15), "15d"),
        (timedelta(hours=4), "4h"),
        (timedelta(milliseconds=1500), "1s500ms"),
    ],
)
def test_durations_print_like_prometheus(value: timedelta, expected: str) -> None:
    assert format_duration(value) == expected
