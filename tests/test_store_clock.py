"""Instants from the store and from people become aware UTC in one place (store.clock.utc)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from store.client import Store
from store.clock import in_store_range, utc

PARIS_SUMMER = timezone(timedelta(hours=2))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (datetime(2026, 10, 1, 12, 30), datetime(2026, 10, 1, 12, 30, tzinfo=UTC)),
        (datetime(2026, 10, 1, 12, 30, tzinfo=UTC), datetime(2026, 10, 1, 12, 30, tzinfo=UTC)),
        (
            datetime(2026, 10, 1, 14, 30, tzinfo=PARIS_SUMMER),
            datetime(2026, 10, 1, 12, 30, tzinfo=UTC),
        ),
    ],
    ids=["naive is read as UTC", "UTC stays as it is", "another offset is converted"],
)
def test_an_instant_becomes_aware_utc(value: datetime, expected: datetime) -> None:
    got = utc(value)
    assert got == expected and got.tzinfo is UTC and got.isoformat() == expected.isoformat()


@pytest.mark.parametrize("value", [None, "2026-10-01T12:30:00", 1_790_000_000])
def test_a_value_that_is_not_a_datetime_is_refused(value: object) -> None:
    with pytest.raises(TypeError, match="expected a datetime"):
        utc(value)


def test_what_the_store_returns_for_a_utc_column_is_read_back_as_the_same_instant(
    store: Store,
) -> None:
    written = datetime(2026, 3, 29, 1, 59, 59, 123000, tzinfo=UTC)
    rows = store.query(
        "SELECT {at:DateTime64(3, 'UTC')}, toStartOfMinute({at:DateTime64(3, 'UTC')})",
        {"at": written},
    )
    assert [utc(value) for value in rows[0]] == [written, written.replace(second=0, microsecond=0)]


@pytest.mark.parametrize(
    ("value", "inside"),
    [
        (datetime(1899, 12, 31, 23, 59), False),
        (datetime(1900, 1, 1), True),
        (datetime(2299, 12, 31, tzinfo=UTC), True),
        (datetime(2299, 12, 31, 1, tzinfo=PARIS_SUMMER), True),
        (datetime(2300, 1, 1, tzinfo=UTC), False),
    ],
)
def test_instants_outside_what_a_column_holds_are_told_apart(value: datetime, inside: bool) -> None:
    assert in_store_range(value) is inside
