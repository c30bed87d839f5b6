"""The schedule and the retention of S3 backups, as data: values in, decisions out (no I/O).

- A backup is due when the newest one is `interval` old (0: no schedule).
- It is a full backup when there is none yet or the newest full one is `full_every` old; else
  an incremental one on the newest full backup (so each incremental needs only its full base,
  never a chain).
- Retention: a backup older than `keep` is deleted, except the newest full backup and what came
  after it (a stopped schedule never empties the bucket) and a full backup that a kept
  incremental one still needs. An incomplete folder (an interrupted upload) is deleted once a
  backup started after it is complete.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

Kind = Literal["full", "incremental"]


@dataclass(frozen=True)
class BackupPolicy:
    interval: timedelta
    full_every: timedelta
    keep: timedelta

    def __post_init__(self) -> None:
        if self.interval < timedelta(0) or self.full_every <= timedelta(0):
            raise ValueError("backup interval must be ≥ 0 and full_every > 0")
        if self.keep < self.full_every:
            # An incremental backup kept without its full base could not be restored.
            raise ValueError("backups must be kept at least as long as a full backup lasts")


@dataclass(frozen=True)
class Held:
    """A complete backup in the bucket, as the policy sees it."""

    name: str
    kind: Kind
    base: str | None
    at: datetime


@dataclass(frozen=True)
class Plan:
    kind: Kind
    base: str | None


def is_due(policy: BackupPolicy, now: datetime, held: Sequence[Held]) -> bool:
    if policy.interval == timedelta(0):
        return False
    return not held or now - max(h.at for h in held) >= policy.interval


def next_backup(policy: BackupPolicy, now: datetime, held: Sequence[Held]) -> Plan:
    fulls = sorted((h for h in held if h.kind == "full"), key=lambda h: h.at)
    if not fulls or now - fulls[-1].at >= policy.full_every:
        return Plan("full", None)
    return Plan("incremental", fulls[-1].name)


def expired(
    policy: BackupPolicy,
    now: datetime,
    held: Sequence[Held],
    incomplete: Sequence[tuple[str, datetime]] = (),
) -> list[str]:
    """Names of the backups (and incomplete folders) to delete now."""
    ordered = sorted(held, key=lambda h: h.at)
    fulls = [h for h in ordered if h.kind == "full"]
    floor = fulls[-1].at if fulls else None
    kept = {h.name for h in ordered if now - h.at < policy.keep or (floor and h.at >= floor)}
    kept |= {h.base for h in ordered if h.name in kept and h.base}
    doomed = [h.name for h in ordered if h.name not in kept]
    newest = ordered[-1].at if ordered else None
    doomed += [name for name, at in incomplete if newest is not None and at < newest]
    return doomed
