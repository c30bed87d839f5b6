"""Factories for the UI tests: SLO statuses from counts, and fakes of the UI's ports."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from alerts.maintenance import MaintenanceWindow
from alerts.oncall.incidents import Incident
from dashboards.ports import AlertView, GroupView, ShiftView, SilenceView, UiServices
from people.model import Principal, Role
from slo.budget import budget_state, occurrence_budget, time_to_exhaustion
from slo.evaluate import SloStatus
from slo.model import SLO
from slo.policy import AlertCondition, BurnSample
from store.client import Store
from store.clock import FakeClock
from store.registry import load_registry

NOW = datetime(2030, 10, 14, 14, 0, tzinfo=UTC)
PARIS_ID = "fr.health.samu075"
LYON_ID = "fr.health.samu069"
REGISTRY = load_registry()
WINDOWS = (timedelta(minutes=5), timedelta(hours=1), timedelta(hours=6))


def status(
    samu: str,
    good: float,
    valid: float,
    bad_recent: float = 0.0,
    slo: str = "s1-call-setup",
    objective: float = 0.9995,
    recent_valid: float = 100.0,
    condition: str = "",
) -> SloStatus:
    """A status with `good`/`valid` over the window and `bad_recent` of `recent_valid` in every
    alert window (valid 0: no data); `condition` ("page"/"ticket") adds the burn-rate condition
    the engine would hold at that burn."""
    budget = occurrence_budget(good, valid, objective, 28 * 1440)
    burns = {
        w: BurnSample(
            None if recent_valid <= 0 else (bad_recent / recent_valid) / (1 - objective),
            bad_recent,
            recent_valid,
        )
        for w in WINDOWS
    }
    current = burns[timedelta(hours=1)].burn_rate
    held = ()
    if condition:
        factor = 14.4 if condition == "page" else 3.0
        long, short = (timedelta(hours=1), timedelta(minutes=5))
        burn = current or 0.0
        severity: Any = condition
        held = (AlertCondition(condition, severity, factor, long, short, burn, burn),)
    return SloStatus(
        slo=slo,
        samu=samu,
        objective=objective,
        at=NOW,
        window_start=NOW - timedelta(days=28),
        budget=budget,
        burns=burns,
        state=budget_state(budget, current),
        exhaustion=time_to_exhaustion(budget, current, timedelta(days=28)),
        conditions=held,
    )


def page_group(
    samu: str,
    fingerprint: str = "00000000000000a1",
    suppressed: bool = False,
    severity: str = "page",
    slo: str = "s1-call-setup",
    alertname: str = "SLOBurnRate",
    receiver: str = "noc-pager",
) -> GroupView:
    labels = {"alertname": alertname, "severity": severity, "samu": samu}
    if slo:
        labels["slo"] = slo
    alert = AlertView(
        fingerprint,
        labels,
        "échecs d'établissement",
        NOW - timedelta(minutes=3),
        "suppressed" if suppressed else "active",
    )
    return GroupView(
        f'{{}}/{{severity="{severity}"}}:{{samu="{samu}"}}', receiver, {"samu": samu}, (alert,)
    )


@dataclass
class FakeAlerting:
    """An in-memory AlertingPort that records what was asked."""

    group_list: list[GroupView] = field(default_factory=list)
    silence_list: list[SilenceView] = field(default_factory=list)
    created: list[tuple[Mapping[str, str], datetime, str, str, str]] = field(default_factory=list)
    expired: list[tuple[str, str, str]] = field(default_factory=list)

    def groups(self) -> list[GroupView]:
        return list(self.group_list)

    def silences(self) -> list[SilenceView]:
        return list(self.silence_list)

    def create_silence(
        self, matchers: Mapping[str, str], ends_at: datetime, comment: str, actor: str, source: str
    ) -> str:
        self.created.append((dict(matchers), ends_at, comment, actor, source))
        return f"sil-{len(self.created)}"

    def expire_silence(self, silence_id: str, actor: str, source: str) -> None:
        self.expired.append((silence_id, actor, source))

    def on_call(self) -> list[ShiftView]:
        return [
            ShiftView(
                "NOC national", ("Opérateur NOC 1",), NOW + timedelta(days=2), ("Opérateur NOC 2",)
            )
        ]


def incident(samu: str, state: str = "triggered", group_key: str = "") -> Incident:
    return Incident(
        id="inc-1",
        group_key=group_key or f'{{}}/{{severity="page"}}:{{samu="{samu}"}}',
        receiver="noc-pager",
        policy="noc-page",
        title="SLOBurnRate",
        summary="",
        alertname="SLOBurnRate",
        severity="page",
        samu=(samu,),
        component="",
        state=state,  # type: ignore[arg-type]
        opened_at=NOW - timedelta(minutes=3),
    )


@dataclass
class FakeIncidents:
    """An in-memory IncidentsPort: `act` moves the state as the on-call service does."""

    items: list[Incident] = field(default_factory=list)
    acts: list[tuple[str, str, str, str]] = field(default_factory=list)

    def open_incidents(self) -> list[Incident]:
        return [i for i in self.items if i.open]

    def between(self, start: datetime, end: datetime) -> list[Incident]:
        return list(self.items)

    def act(self, incident_id: str, action: str, actor: str, source: str) -> Incident:
        self.acts.append((incident_id, action, actor, source))
        state = {"ack": "acknowledged", "unack": "triggered", "resolve": "resolved"}[action]
        for n, item in enumerate(self.items):
            if item.id == incident_id:
                self.items[n] = replace(item, state=state, acked_by=actor)  # type: ignore[arg-type]
                return self.items[n]
        raise LookupError(incident_id)


@dataclass
class FakeMaintenance:
    windows: list[MaintenanceWindow] = field(default_factory=list)

    def list(self) -> list[MaintenanceWindow]:
        return list(self.windows)


def services(
    store: Store,
    statuses: Sequence[SloStatus] = (),
    alerting: FakeAlerting | None = None,
    incidents: FakeIncidents | None = None,
    maintenance: FakeMaintenance | None = None,
    slos: Sequence[SLO] = (),
    clock: FakeClock | None = None,
) -> UiServices:
    return UiServices(
        store=store,
        registry=REGISTRY,
        clock=clock or FakeClock(NOW),
        slo_status=lambda: statuses,
        slos=lambda: slos,
        alerting=alerting or FakeAlerting(),
        incidents=incidents or FakeIncidents(),
        maintenance=maintenance or FakeMaintenance(),
    )


def who(*roles: Role, scope: frozenset[str] | None = None) -> Principal:
    return Principal("p1", "alice", frozenset(roles), scope, "header")
