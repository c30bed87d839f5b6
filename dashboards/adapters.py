"""Adapters from the platform's real alerting and on-call services to the UI's ports.

Every action goes through the alerting or on-call service, which audits it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import datetime

from alerts.matchers import Matcher, MatchType
from alerts.oncall.incidents import Incident
from alerts.oncall.schedule import next_shifts, who_is_on_call
from alerts.oncall.service import OnCallService
from alerts.service import AlertingService
from alerts.silence import Silence
from dashboards.ports import AlertView, GroupView, ShiftView, SilenceView

HIDDEN_ALERTS = frozenset({"Watchdog"})  # the chain's own heartbeat: always firing by design


class AlertingAdapter:
    """`AlertingPort` over the real `AlertingService` and the on-call schedules."""

    def __init__(self, service: AlertingService, oncall: OnCallService) -> None:
        self._service = service
        self._oncall = oncall

    def groups(self) -> list[GroupView]:
        now = self._service.clock.now()
        mute = self._service.mute()
        muter = mute.any
        seen: dict[int, AlertView] = {}  # an alert in several groups is judged once
        out = []
        for group in self._service.groups():
            alerts = []
            for fp, stored in group.alerts.items():  # keyed by fingerprint
                alert = stored.alert
                if alert.resolved_at(now) or alert.labels.get("alertname") in HIDDEN_ALERTS:
                    continue
                view = seen.get(fp)
                if view is None:
                    # Whether it is muted first (cheap); by what only for the muted ones.
                    state, by = "active", tuple[str, ...]()
                    if muter.mutes(alert.labels, now):
                        status = mute.status(alert, now)
                        state = status.state
                        by = status.silenced_by + status.muted_by + status.inhibited_by
                    view = AlertView(
                        f"{fp:016x}",
                        dict(alert.labels),
                        alert.annotations.get("summary", ""),
                        alert.starts_at,
                        state,
                        by,
                    )
                    seen[fp] = view
                alerts.append(view)
            if alerts:
                receiver = group.route.opts.receiver
                alerts.sort(key=lambda a: a.starts_at)
                out.append(GroupView(group.key, receiver, dict(group.labels), tuple(alerts)))
        return out

    def silences(self) -> list[SilenceView]:
        now = self._service.clock.now()
        out = [
            SilenceView(
                s.id,
                tuple(str(m) for m in s.matchers),
                s.starts_at,
                s.ends_at,
                s.created_by,
                s.comment,
                s.state(now).value,
            )
            for s in (r.silence for r in self._service.silences.all())
        ]
        return sorted(out, key=lambda s: (s.state != "active", s.ends_at))

    def create_silence(
        self, matchers: Mapping[str, str], ends_at: datetime, comment: str, actor: str, source: str
    ) -> str:
        now = self._service.clock.now()
        wanted = tuple(Matcher(MatchType.EQUAL, k, v) for k, v in sorted(matchers.items()))
        silence = Silence("", wanted, now, ends_at, actor, comment)
        return self._service.silences.upsert(silence, actor=actor, source=source).silence.id

    def expire_silence(self, silence_id: str, actor: str, source: str) -> None:
        self._service.silences.expire(silence_id, actor=actor, source=source)

    def on_call(self) -> list[ShiftView]:
        config = self._oncall.config
        now = self._oncall.clock.now()
        out = []
        for schedule in config.schedules.values():
            people = tuple(p.name for p in who_is_on_call(config, schedule, now))
            shifts = [s for s in next_shifts(config, schedule, now, 2) if s.start > now]
            names = {p.id: p.name for p in config.people.values()}
            nxt = shifts[0] if shifts else None
            out.append(
                ShiftView(
                    schedule.name,
                    people,
                    nxt.start if nxt else None,
                    tuple(names.get(p, p) for p in nxt.people) if nxt else (),
                )
            )
        return out


class IncidentsAdapter:
    """`IncidentsPort` over the real `OnCallService`, whose actions run on the platform loop.

    Dash callbacks run in WSGI threads; `act` is a coroutine of the service that belongs to the
    asyncio loop of `vigie up`, so it is submitted there and awaited with a timeout.
    """

    def __init__(
        self, oncall: OnCallService, loop: asyncio.AbstractEventLoop, timeout_s: float = 10.0
    ) -> None:
        self._oncall = oncall
        self._loop = loop
        self._timeout_s = timeout_s

    def open_incidents(self) -> list[Incident]:
        return self._oncall.open_incidents()

    def between(self, start: datetime, end: datetime) -> list[Incident]:
        return self._oncall.incidents_between(start, end)

    def act(self, incident_id: str, action: str, actor: str, source: str) -> Incident:
        coro = self._oncall.act(incident_id, action, actor, source)
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(self._timeout_s)
