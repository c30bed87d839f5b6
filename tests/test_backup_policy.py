"""The S3 backup schedule and retention policy (store.backup_policy): pure decisions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from store.backup_policy import BackupPolicy, Held, Plan, expired, is_due, next_backup

NOW = datetime(2026, 12, 6, 3, 0, tzinfo=UTC)
POLICY = BackupPolicy(timedelta(hours=24), timedelta(days=7), timedelta(days=35))


def full(days_ago: float) -> Held:
    at = NOW - timedelta(days=days_ago)
    return Held(f"vigie-{at:%Y%m%dT%H%M%SZ}-full", "full", None, at)


def incremental(days_ago: float, base: Held) -> Held:
    at = NOW - timedelta(days=days_ago)
    return Held(f"vigie-{at:%Y%m%dT%H%M%SZ}-incremental", "incremental", base.name, at)


F40, F10, F3 = full(40), full(10), full(3)


@pytest.mark.parametrize(
    ("held", "due"),
    [
        ([], True),
        ([F3, incremental(0.5, F3)], False),
        ([F3, incremental(1, F3)], True),
    ],
    ids=["nothing yet", "the newest is 12 h old", "the newest is a day old"],
)
def test_a_backup_is_due_when_the_newest_is_an_interval_old(held: list[Held], due: bool) -> None:
    assert is_due(POLICY, NOW, held) is due


def test_no_schedule_means_never_due() -> None:
    off = BackupPolicy(timedelta(0), timedelta(days=7), timedelta(days=35))
    assert not is_due(off, NOW, [])


@pytest.mark.parametrize(
    ("held", "plan"),
    [
        ([], Plan("full", None)),
        ([F3, incremental(1, F3)], Plan("incremental", F3.name)),
        ([F10, incremental(1, F10)], Plan("full", None)),
    ],
    ids=["first backup", "full of 3 days: incremental on it", "full of 10 days: a new full"],
)
def test_incremental_backups_build_on_the_newest_full_one(held: list[Held], plan: Plan) -> None:
    assert next_backup(POLICY, NOW, held) == plan


def test_retention_deletes_old_backups_but_keeps_what_a_kept_backup_needs() -> None:
    old_incremental = incremental(38, F40)
    kept_incremental = incremental(34, F40)  # still kept: its base F40 must stay
    held = [F40, old_incremental, kept_incremental, F10, F3]
    assert expired(POLICY, NOW, held) == [old_incremental.name]


def test_retention_never_empties_the_bucket_when_the_schedule_stopped() -> None:
    stale = [F40, incremental(39, F40), incremental(38, F40)]
    assert expired(POLICY, NOW + timedelta(days=400), stale) == []


def test_an_interrupted_upload_goes_once_a_later_backup_is_complete() -> None:
    crashed = ("vigie-20261205T030000Z-full", NOW - timedelta(days=1))
    assert expired(POLICY, NOW, [F10], [crashed]) == []  # maybe still running: kept
    after = full(0.5)
    assert expired(POLICY, NOW, [F10, after], [crashed]) == [crashed[0]]


def test_a_retention_shorter_than_a_full_cycle_is_refused() -> None:
    with pytest.raises(ValueError, match="at least as long"):
        BackupPolicy(timedelta(hours=24), timedelta(days=7), timedelta(days=3))
