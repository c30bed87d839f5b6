"""The one duration grammar (store.durations): Prometheus's, with Vigie's decimal shorthand."""

from __future__ import annotations

from datetime import timedelta

import pytest

from store.durations import (
    PROMETHEUS,
    SHORTHAND,
    Dialect,
    DurationError,
    format_duration,
    format_in_one_unit,
    parse_duration,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0", timedelta(0)),
        ("0s", timedelta(0)),
        ("30s", timedelta(seconds=30)),
        ("5m", timedelta(minutes=5)),
        ("1h30m", timedelta(minutes=90)),
        ("4h", timedelta(hours=4)),
        ("1d", timedelta(days=1)),
        ("28d", timedelta(days=28)),
        ("2w", timedelta(days=14)),
        ("500ms", timedelta(milliseconds=500)),
        ("5ms", timedelta(milliseconds=5)),
        ("1m30s500ms", timedelta(seconds=90.5)),
    ],
)
@pytest.mark.parametrize("dialect", [PROMETHEUS, SHORTHAND], ids=["prometheus", "shorthand"])
def test_both_dialects_read_the_common_forms(
    text: str, expected: timedelta, dialect: Dialect
) -> None:
    assert parse_duration(text, dialect) == expected


@pytest.mark.parametrize(
    ("text", "prometheus", "shorthand"),
    [
        ("1y", timedelta(days=365), None),
        ("1.5h", None, timedelta(minutes=90)),
        ("0.25d", None, timedelta(hours=6)),
        ("1h0.5m", None, timedelta(minutes=60, seconds=30)),
    ],
    ids=["years only in prometheus", "decimals", "decimal days", "decimal minutes"],
)
def test_the_dialects_differ_only_by_years_and_decimals(
    text: str, prometheus: timedelta | None, shorthand: timedelta | None
) -> None:
    for dialect, expected in ((PROMETHEUS, prometheus), (SHORTHAND, shorthand)):
        if expected is None:
            with pytest.raises(DurationError, match="not a valid duration"):
                parse_duration(text, dialect)
        else:
            assert parse_duration(text, dialect) == expected


@pytest.mark.parametrize(
    "text",
    ["", "5", "28", "d", "5x", "1M", "-5m", "+5m", " 5m", "5m\n", "1d 2h", "30m1h", "1h1h", ".5h"],
)
@pytest.mark.parametrize("dialect", [PROMETHEUS, SHORTHAND], ids=["prometheus", "shorthand"])
def test_malformed_durations_are_refused_naming_the_text(text: str, dialect: Dialect) -> None:
    with pytest.raises(DurationError) as info:
        parse_duration(text, dialect)
    assert repr(text) in str(info.value)
    assert isinstance(info.value, ValueError)  # pydantic validators report it as a field error


@pytest.mark.parametrize("text", ["106752d", "300y", "99999999999999999999w"])
def test_durations_beyond_go_time_duration_are_out_of_range(text: str) -> None:
    with pytest.raises(DurationError, match="out of range"):
        parse_duration(text, PROMETHEUS if "y" in text else SHORTHAND)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (timedelta(0), "0s"),
        (timedelta(minutes=90), "1h30m"),
        (timedelta(days=14), "2w"),
        (timedelta(days=15), "15d"),
        (timedelta(days=365), "1y"),
        (timedelta(milliseconds=1500), "1s500ms"),
    ],
)
def test_durations_print_like_prometheus_and_read_back(value: timedelta, expected: str) -> None:
    assert format_duration(value) == expected
    assert parse_duration(expected) == value


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (timedelta(days=28), "28d"),
        (timedelta(hours=1), "1h"),
        (timedelta(minutes=90), "90m"),
        (timedelta(seconds=30), "30s"),
        (timedelta(milliseconds=1500), "1500ms"),
        (timedelta(0), "0ms"),
    ],
)
def test_one_unit_names_read_back_in_the_shorthand(value: timedelta, expected: str) -> None:
    assert format_in_one_unit(value) == expected
    assert parse_duration(expected, SHORTHAND) == value
