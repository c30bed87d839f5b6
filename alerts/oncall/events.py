"""The appended event of an incident: every transition, step and contact attempt is one."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

EventKind = Literal[
    "opened",  # an alert group started firing
    "updated",  # the group changed (SAMU, severity, title)
    "step",  # an escalation step notified its targets
    "contact",  # one attempt to reach one person through one contact method
    "forward",  # an escalation step forwarded the incident to another receiver
    "acked",
    "unacked",  # escalation starts over
    "resolved",
    "entraide",  # the on-call of a backup SAMU was informed
    "edited",  # cause or post-mortem link changed
]


@dataclass(frozen=True)
class Event:
    """One row of `oncall_events`; `seq` orders an incident's events."""

    incident_id: str
    seq: int
    at: datetime
    kind: EventKind
    actor: str = ""
    source: str = ""
    step: int = -1
    loop: int = 0
    epoch: int = 0
    person: str = ""
    contact: str = ""
    ok: bool = True
    detail: Mapping[str, Any] = field(default_factory=dict)
