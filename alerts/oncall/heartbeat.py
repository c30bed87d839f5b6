"""Heartbeat monitors: an external system checks in; a missed interval becomes an alert.

Like GoAlert, a monitor is inactive until its first check-in. When it misses its interval a
firing `HeartbeatMissed` alert goes to the pipeline (and again at every tick, as Prometheus
re-sends firing alerts); the next check-in sends it resolved.
"""

from __future__ import annotations

import hashlib
import hmac
import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from alerts.model import Alert
from alerts.oncall.errors import OnCallError, UnknownMonitor
from alerts.oncall.model import HeartbeatMonitor
from store.client import Store
from store.clock import Clock, utc

AlertCallback = Callable[[list[Alert]], object]  # may return an awaitable
MonitorState = Literal["inactive", "healthy", "missed"]


@dataclass(frozen=True)
class MonitorStatus:
    """A monitor as the API shows it."""

    name: str
    interval_s: float
    state: MonitorState
    last_checkin: datetime | None


class Heartbeats:
    """The heartbeat monitors of one configuration, with their check-in tokens."""

    def __init__(
        self,
        store: Store,
        clock: Clock,
        monitors: Mapping[str, HeartbeatMonitor],
        secret: bytes,
        on_alert: AlertCallback | None = None,
    ) -> None:
        if monitors and not secret:
            raise OnCallError("heartbeat monitors need a secret to derive their check-in tokens")
        self._store = store
        self._clock = clock
        self.monitors = dict(monitors)
        self._secret = secret
        self._on_alert = on_alert
        self._last: dict[str, datetime] = {}
        self._missed: set[str] = set()
        self._by_token = {self.token(name): name for name in self.monitors}

    def token(self, name: str) -> str:
        """A monitor's check-in token: stable across restarts, unguessable without the secret."""
        mac = hmac.new(self._secret, f"heartbeat\x00{name}".encode(), hashlib.sha256)
        return mac.hexdigest()[:32]

    def load(self) -> None:
        """Reload the last check-in and missed state of every monitor from the store."""
        rows = self._store.query(
            "SELECT monitor, maxIf(at, kind = 'checkin'), argMax(kind, at) "
            "FROM {db}.oncall_heartbeats GROUP BY monitor"
        )
        for name, last, kind in rows:
            if name in self.monitors and last.year > 1970:
                self._last[name] = utc(last)
            if name in self.monitors and kind == "missed":
                self._missed.add(name)

    def _append(self, name: str, kind: str, source: str = "") -> None:
        self._store.insert(
            "oncall_heartbeats",
            [[self._clock.now(), name, kind, source]],
            ["at", "monitor", "kind", "source"],
        )

    def _alert(self, name: str, ends_at: datetime | None) -> Alert:
        monitor = self.monitors[name]
        labels = {**monitor.labels, "alertname": "HeartbeatMissed", "monitor": name}
        labels.setdefault("severity", "page")
        minutes = monitor.interval.total_seconds() / 60
        return Alert(
            labels=labels,
            starts_at=self._last[name] + monitor.interval,
            ends_at=ends_at,
            annotations={
                "summary": f"Le moniteur {name} ne s'est pas signalé depuis {minutes:g} min",
            },
        )

    async def _emit(self, alerts: list[Alert]) -> None:
        if alerts and self._on_alert is not None:
            result = self._on_alert(alerts)
            if inspect.isawaitable(result):
                await result

    async def checkin(self, token: str, source: str = "") -> str:
        """Record a check-in; a missed monitor sends its alert resolved. Returns the monitor."""
        name = self._by_token.get(token)
        if name is None:
            raise UnknownMonitor("unknown heartbeat token")
        now = self._clock.now()
        resolved = [self._alert(name, now)] if name in self._missed else []
        self._append(name, "checkin", source)
        self._missed.discard(name)
        self._last[name] = now
        await self._emit(resolved)
        return name

    async def tick(self, now: datetime | None = None) -> list[Alert]:
        """Alerts for every monitor past its interval (firing); returns what was sent."""
        at = now or self._clock.now()
        firing = []
        for name, monitor in self.monitors.items():
            last = self._last.get(name)
            if last is None or at - last <= monitor.interval:
                continue
            if name not in self._missed:
                self._missed.add(name)
                self._append(name, "missed")
            firing.append(self._alert(name, None))
        await self._emit(firing)
        return firing

    def status(self) -> list[MonitorStatus]:
        """Every monitor with its state."""
        out = []
        for name, monitor in self.monitors.items():
            last = self._last.get(name)
            state: MonitorState = "inactive" if last is None else "healthy"
            if name in self._missed:
                state = "missed"
            out.append(MonitorStatus(name, monitor.interval.total_seconds(), state, last))
        return out
