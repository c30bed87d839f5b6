"""The UI in its own process (`vigie ui` beside a server DSN): live alert, incident and SLO state
read back from the store, where the engine process writes it, instead of from in-process objects.

- `StoredState` rebuilds a read-only copy of the alerting and on-call services from the store
  (alerts, silences, maintenance, open incidents: what they reload after a restart) at most
  every `ttl_s`; the same adapters as `vigie up` then present it, so both forms show the same.
- `stored_statuses` asks the SLO package for every SAMU's status over the store (the engine's
  own code path, `slo.live.LiveStatuses`: a ledger kept current the engine's way) at most every
  `ttl_s`.
- Actions (acknowledge, silence, expire) change the engine's state, so they go to the engine's
  API (`EngineApi`) with the person's own session cookie: the engine checks the person's rights
  and scope and audits the action exactly as for a call to its API.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Generic, TypeVar

import flask
import httpx

from alerts.maintenance import MaintenanceWindow
from alerts.oncall.incidents import Incident
from alerts.oncall.service import OnCallService
from alerts.service import AlertingService
from dashboards.adapters import AlertingAdapter
from dashboards.ports import GroupView, ShiftView, SilenceView
from slo.evaluate import SloStatus
from slo.model import SLO

T = TypeVar("T")


class Cached(Generic[T]):
    """A value rebuilt by `load` when older than `ttl_s` (monotonic time); thread-safe."""

    def __init__(self, load: Callable[[], T], ttl_s: float) -> None:
        self._load = load
        self._ttl_s = ttl_s
        self._lock = threading.Lock()
        self._value: T | None = None
        self._at = 0.0

    def clear(self) -> None:
        """Forget the value: the next `get` loads it again (after a change)."""
        with self._lock:
            self._value = None

    def get(self) -> T:
        with self._lock:
            if self._value is None or time.monotonic() - self._at >= self._ttl_s:
                self._value = self._load()
                self._at = time.monotonic()
            return self._value


class ActionFailed(LookupError):
    """The engine refused or did not answer; the message says why."""


class EngineApi:
    """The engine's REST API, called on behalf of the person behind the current callback."""

    def __init__(
        self, base_url: str, timeout_s: float = 10.0, client: httpx.Client | None = None
    ) -> None:
        self._base = base_url.rstrip("/")
        self._client = client or httpx.Client(timeout=timeout_s)

    def _call(self, method: str, path: str, body: Any = None) -> Any:
        if not self._base:
            raise ActionFailed("VIGIE_ENGINE_URL is not set: no engine to act on")
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        cookie = flask.request.headers.get("Cookie", "") if flask.has_request_context() else ""
        if cookie:
            headers["Cookie"] = cookie
        try:
            answer = self._client.request(method, self._base + path, json=body, headers=headers)
        except httpx.HTTPError as exc:
            raise ActionFailed(f"{self._base}: {exc}") from exc
        if answer.status_code >= 400:
            raise ActionFailed(f"{answer.status_code} {answer.text[:200]}")
        return answer.json() if answer.content else None

    def act(self, incident_id: str, action: str) -> dict[str, Any]:
        found: dict[str, Any] = self._call("POST", f"/api/v1/incidents/{incident_id}/{action}")
        return found

    def create_silence(
        self, matchers: Mapping[str, str], ends_at: datetime, comment: str, created_by: str
    ) -> str:
        body = {
            "matchers": [
                {"name": k, "value": v, "isRegex": False, "isEqual": True}
                for k, v in sorted(matchers.items())
            ],
            "startsAt": datetime.now(ends_at.tzinfo).isoformat(),
            "endsAt": ends_at.isoformat(),
            "createdBy": created_by,
            "comment": comment,
        }
        return str(self._call("POST", "/api/v2/silences", body)["silenceID"])

    def expire_silence(self, silence_id: str) -> None:
        self._call("DELETE", f"/api/v2/silence/{silence_id}")


class StoredState:
    """Read-only alerting and on-call services rebuilt from the store every `ttl_s`."""

    def __init__(
        self, build: Callable[[], tuple[AlertingService, OnCallService]], ttl_s: float = 5.0
    ) -> None:
        self._cached = Cached(build, ttl_s)

    def adapter(self) -> AlertingAdapter:
        service, oncall = self._cached.get()
        return AlertingAdapter(service, oncall)

    def alerting(self) -> AlertingService:
        return self._cached.get()[0]

    def oncall(self) -> OnCallService:
        return self._cached.get()[1]

    def changed(self) -> None:
        """An action changed the engine's state: read it again at the next refresh."""
        self._cached.clear()


class StoredAlerting:
    """`AlertingPort` over the stored state; changes go to the engine's API."""

    def __init__(self, state: StoredState, engine: EngineApi) -> None:
        self._state = state
        self._engine = engine

    def groups(self) -> list[GroupView]:
        return self._state.adapter().groups()

    def silences(self) -> list[SilenceView]:
        return self._state.adapter().silences()

    def create_silence(
        self, matchers: Mapping[str, str], ends_at: datetime, comment: str, actor: str, source: str
    ) -> str:
        found = self._engine.create_silence(matchers, ends_at, comment, actor)
        self._state.changed()
        return found

    def expire_silence(self, silence_id: str, actor: str, source: str) -> None:
        self._engine.expire_silence(silence_id)
        self._state.changed()

    def on_call(self) -> list[ShiftView]:
        return self._state.adapter().on_call()


class StoredIncidents:
    """`IncidentsPort` over the stored state; acknowledgements go to the engine's API."""

    def __init__(self, state: StoredState, engine: EngineApi) -> None:
        self._state = state
        self._engine = engine

    def open_incidents(self) -> list[Incident]:
        return self._state.oncall().open_incidents()

    def between(self, start: datetime, end: datetime) -> list[Incident]:
        return self._state.oncall().incidents_between(start, end)

    def act(self, incident_id: str, action: str, actor: str, source: str) -> Incident:
        known = {i.id: i for i in self.open_incidents()}.get(incident_id)
        if known is None:
            raise ActionFailed(f"incident {incident_id} not found")
        answer = self._engine.act(incident_id, action)
        self._state.changed()
        return replace(
            known,
            state=answer.get("state", known.state),
            acked_by=str(answer.get("acked_by") or ""),
        )


def stored_statuses(
    compute: Callable[[], Sequence[SloStatus]], ttl_s: float
) -> Callable[[], Sequence[SloStatus]]:
    """`UiServices.slo_status` for a process without the engine: the SLO package's statuses over
    the store, computed at most every `ttl_s` (the engine ticks at the same pace)."""
    cached = Cached(lambda: tuple(compute()), ttl_s)
    return cached.get


class StoredMaintenance:
    """`MaintenancePort` over the stored state."""

    def __init__(self, state: StoredState) -> None:
        self._state = state

    def list(self) -> list[MaintenanceWindow]:
        return self._state.alerting().maintenance.list()


@dataclass(frozen=True)
class StoredSources:
    """What a UI process without the engine reads (built by the composition root)."""

    state: StoredState
    engine: EngineApi
    statuses: Callable[[], Sequence[SloStatus]]
    slos: Callable[[], Sequence[SLO]]
