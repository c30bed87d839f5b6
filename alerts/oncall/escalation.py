"""The escalation state machine: a fold over an incident's events, and what is due now.

Steps run in order; each waits its delay for an acknowledgement before the next one, and
after the last step the policy starts over `repeat` more times. Every person a step pages gets
their own notification rules from that moment (e-mail at once, SMS after 2 min, …). An ack
or a resolve stops everything; an unack starts a new epoch from step 1. Delays are durations
on the UTC time line, so a DST change never shortens or lengthens a wait.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from alerts.oncall.events import Event
from alerts.oncall.model import EscalationPolicy, Person


@dataclass(frozen=True)
class Page:
    """A person paged by a step; their notification rules count from `at`."""

    key: str  # "epoch.loop.step", unique per escalation step run
    person: str
    at: datetime


@dataclass(frozen=True)
class EscalationState:
    """Where an incident's escalation stands, rebuilt from its events after a restart."""

    active: bool = False
    epoch: int = 0
    started_at: datetime | None = None
    step: int = -1  # -1: the first step is due at `started_at`
    loop: int = 0
    step_at: datetime | None = None
    pages: tuple[Page, ...] = ()
    sent: frozenset[tuple[str, str, int]] = frozenset()  # (page key, person, rule index)


@dataclass(frozen=True)
class StepDue:
    """Run step `step` of loop `loop` now."""

    step: int
    loop: int
    due: datetime


@dataclass(frozen=True)
class ContactDue:
    """Apply notification rule `rule` of `person` for page `page_key`."""

    page_key: str
    person: str
    rule: int
    due: datetime


def page_key(epoch: int, loop: int, step: int) -> str:
    """The identifier of one run of one step."""
    return f"{epoch}.{loop}.{step}"


def apply(state: EscalationState, event: Event) -> EscalationState:
    """The state after `event`."""
    if event.kind == "opened":
        return EscalationState(active=True, started_at=event.at)
    if event.kind == "unacked":
        return EscalationState(active=True, epoch=state.epoch + 1, started_at=event.at)
    if event.kind in ("acked", "resolved"):
        return replace(state, active=False)
    if event.kind == "step":
        key = page_key(state.epoch, event.loop, event.step)
        pages = tuple(Page(key, p, event.at) for p in event.detail.get("persons", ()))
        return replace(
            state, step=event.step, loop=event.loop, step_at=event.at, pages=state.pages + pages
        )
    if event.kind == "contact":
        item = (str(event.detail.get("page", "")), event.person, int(event.detail.get("rule", 0)))
        return replace(state, sent=state.sent | {item})
    return state


def next_step(policy: EscalationPolicy, state: EscalationState, now: datetime) -> StepDue | None:
    """The step due at `now`, if any (call again after recording it: several may be due)."""
    if not state.active or state.started_at is None or not policy.steps:
        return None
    if state.step < 0:
        return StepDue(0, 0, state.started_at) if now >= state.started_at else None
    assert state.step_at is not None
    due = state.step_at + policy.steps[state.step].delay
    if now < due:
        return None
    if state.step + 1 < len(policy.steps):
        return StepDue(state.step + 1, state.loop, due)
    if state.loop < policy.repeat:
        return StepDue(0, state.loop + 1, due)
    return None


def due_contacts(
    state: EscalationState, people: Mapping[str, Person], now: datetime
) -> list[ContactDue]:
    """Notification rules of paged people that are due at `now` and not yet applied."""
    if not state.active:
        return []
    prefix = f"{state.epoch}."
    due: list[ContactDue] = []
    for page in state.pages:
        person = people.get(page.person)
        if person is None or not page.key.startswith(prefix):
            continue
        for index, rule in enumerate(person.rules()):
            at = page.at + rule.delay
            if at <= now and (page.key, page.person, index) not in state.sent:
                due.append(ContactDue(page.key, page.person, index, at))
    return sorted(due, key=lambda c: (c.due, c.page_key, c.person, c.rule))


def next_wakeup(
    policy: EscalationPolicy, state: EscalationState, people: Mapping[str, Person]
) -> datetime | None:
    """The earliest instant something becomes due (for a scheduler; None when idle)."""
    if not state.active:
        return None
    candidates: list[datetime] = []
    if state.step < 0 and state.started_at is not None:
        candidates.append(state.started_at)
    elif state.step_at is not None and policy.steps:
        last = state.step + 1 >= len(policy.steps) and state.loop >= policy.repeat
        if not last:
            candidates.append(state.step_at + policy.steps[state.step].delay)
    for page in state.pages:
        person = people.get(page.person)
        if person is None or not page.key.startswith(f"{state.epoch}."):
            continue
        for index, rule in enumerate(person.rules()):
            if (page.key, page.person, index) not in state.sent:
                candidates.append(page.at + rule.delay)
    return min(candidates, default=None)
