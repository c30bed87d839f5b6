"""`AlertingService`: alert store, dispatcher, mute, notification log and sink, composed.

State (alerts, silences, maintenance, notification log) is reloaded from the store at
construction, so a restarted service neither forgets an alert nor pages a group again within its
repeat interval. `tick()` does one round of work at the clock's now; `run()` loops on it.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from prometheus_client import CollectorRegistry

from alerts.alertstore import AlertStore, StoredAlert
from alerts.config import AlertingConfig, load_config, parse_config
from alerts.config_limits import ConfigLimits
from alerts.config_source import ConfigSource
from alerts.dispatch import AggrGroup, Dispatcher, Flush
from alerts.errors import ConfigError
from alerts.events import SYSTEM, EventLog
from alerts.inhibit import Inhibitor
from alerts.maintenance_store import MaintenanceStore
from alerts.model import Alert
from alerts.mute import RouteTimeMuter
from alerts.nflog import NotificationLog
from alerts.notify import Sink
from alerts.pipeline import Outcome, Pipeline
from alerts.route import receivers_for
from alerts.selfmetrics import AlertingMetrics
from alerts.silences import SilenceService
from alerts.suppression import Mute, send_resolved
from store.audit import AuditLog
from store.client import Store
from store.clock import Clock

WATCHDOG_LABELS = {"alertname": "Watchdog", "severity": "none"}
WATCHDOG_ANNOTATIONS = {
    "summary": "Alerte de veille : la chaîne d'alerte de Vigie 15 fonctionne.",
    "description": "Toujours active. Si elle cesse d'arriver, la chaîne d'alerte est muette.",
}


@dataclass(frozen=True)
class ReloadResult:
    """The outcome of a configuration reload; on failure the previous configuration stays."""

    ok: bool
    problems: tuple[str, ...] = ()
    limit: str = ""  # the limit a refused configuration is over (max_config_bytes, max_routes)


class AlertingService:
    """The alert pipeline of one process; thread-safe (API threads put, the loop ticks)."""

    def __init__(
        self,
        store: Store,
        config: AlertingConfig,
        sink: Sink,
        clock: Clock,
        *,
        registry: CollectorRegistry | None = None,
        audit: AuditLog | None = None,
        regions: Mapping[str, str] | None = None,
        config_text: str | None = None,
        external_url: str = "",
        watchdog_interval: timedelta | None = timedelta(minutes=1),
        on_reload: Sequence[Callable[[AlertingConfig], None]] = (),
        limits: ConfigLimits | None = None,
    ) -> None:
        self.clock = clock
        self.audit = audit
        self.events = EventLog(store, clock)
        self.alerts = AlertStore(store, clock, self.events, config.resolve_timeout)
        self.nflog = NotificationLog(store, clock)
        self.silences = SilenceService(store, clock, self.events, audit)
        self.maintenance = MaintenanceStore(store, clock, self.events, audit)
        self.metrics = AlertingMetrics(registry if registry is not None else CollectorRegistry())
        self.pipeline = Pipeline(sink, self.nflog, self.events, self.metrics, external_url)
        self.regions = dict(regions or {})
        self.started_at = clock.now()
        self.watchdog_interval = watchdog_interval
        self._next_watchdog = self.started_at
        self._config = config
        self._on_reload = tuple(on_reload)  # who else delivers with the config (the sink)
        self.limits = limits or ConfigLimits()
        # The file to reload from: the one the configuration was loaded from, whatever came since.
        self._file = None if config.source.startswith("<") else Path(config.source)
        text = config_text if config_text is not None else self._read_file()
        self._source = ConfigSource(text, self._file)
        self._lock = threading.RLock()
        self._tasks: set[asyncio.Task[Outcome]] = set()
        self.alerts.load()
        self.nflog.load()
        self.silences.load()
        self.maintenance.load()
        self._dispatcher = self._rebuilt(config)
        self.metrics.known_receivers(config.receivers)

    @property
    def config(self) -> AlertingConfig:
        return self._config

    @property
    def source(self) -> ConfigSource:
        """The configuration in force: where it came from, its text and checksum."""
        return self._source

    def config_yaml(self) -> str:
        """The configuration in force as Alertmanager shows it (`config.original`): every
        secret shown as `<secret>`."""
        return self._source.shown()

    def _read_file(self) -> str:
        try:
            return "" if self._file is None else self._file.read_text(encoding="utf-8")
        except OSError:
            return ""

    def put(self, alerts: Sequence[Alert]) -> list[StoredAlert]:
        """Receive alerts: merge them into the store and into their aggregation groups."""
        with self._lock:
            stored = self.alerts.put(alerts)
            now = self.clock.now()
            for s in stored:
                self._dispatcher.insert(s, now)
        self.metrics.received.labels("valid").inc(len(stored))
        return stored

    def reload(
        self,
        config: AlertingConfig,
        *,
        actor: str = SYSTEM,
        source: str = "",
        origin: ConfigSource | None = None,
    ) -> None:
        """Swap in a validated configuration; the groups are rebuilt, the nflog dedups them."""
        origin = origin or ConfigSource(self._source.text, self._file)
        with self._lock:
            self._config = config
            self._source = origin
            self.alerts.resolve_timeout = config.resolve_timeout
            self._dispatcher = self._rebuilt(config)
            for hook in self._on_reload:
                hook(config)
        self.metrics.known_receivers(config.receivers)
        self.metrics.reloads.labels("success").inc()
        self.events.record("config.reloaded", actor=actor, target=origin.name)
        if self.audit is not None:
            details = {"ok": True, "sha256": origin.sha256}
            self.audit.record(actor, "alerting.reload", origin.name, source, details)

    def reload_text(self, text: str, *, actor: str = SYSTEM, source: str = "") -> ReloadResult:
        """Validate configuration text (posted to the API) and reload it; a bad one is reported
        and changes nothing. The file stays the one a file reload reads."""
        origin = ConfigSource(text)
        try:
            config = parse_config(text, "<api>", limits=self.limits)
        except ConfigError as exc:
            return self._rejected(exc, origin, actor, source)
        self.reload(config, actor=actor, source=source, origin=origin)
        return ReloadResult(True)

    def reload_file(
        self, path: str | Path | None = None, *, actor: str = SYSTEM, source: str = ""
    ) -> ReloadResult:
        """Re-read the configuration file (by default the configured one: SIGHUP, the reload
        API without a body), even when the configuration in force came from the API."""
        file = Path(path) if path is not None else self._file
        if file is None:
            problem = "no configuration file to reload from (the configuration came from the API)"
            return self._rejected(ConfigError(problem), ConfigSource(""), actor, source)
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            unread = ConfigError(f"{file}: {exc}")
            return self._rejected(unread, ConfigSource("", file), actor, source)
        origin = ConfigSource(text, file)
        try:
            config = load_config(file, limits=self.limits)
        except ConfigError as exc:
            return self._rejected(exc, origin, actor, source)
        self._file = file
        self.reload(config, actor=actor, source=source, origin=origin)
        return ReloadResult(True)

    def _rejected(
        self, error: ConfigError, origin: ConfigSource, actor: str, source: str
    ) -> ReloadResult:
        problems, limit = error.problems, getattr(error, "limit", "")
        self.metrics.reloads.labels("failure").inc()
        if limit:
            self.metrics.refused.labels(limit).inc()
        self.events.record(
            "config.rejected", actor=actor, target=origin.name, details={"problems": problems}
        )
        if self.audit is not None:
            details = {"ok": False, "sha256": origin.sha256, "problems": problems}
            self.audit.record(actor, "alerting.reload", origin.name, source, details)
        return ReloadResult(False, tuple(problems), limit)

    def mute(self) -> Mute:
        """The muters as of now (inhibition over the alerts held now)."""
        with self._lock:
            rules = self._config.inhibit_rules
            snapshot = [s.alert for s in self.alerts.all()]
        return Mute(
            Inhibitor(rules, snapshot),
            self.silences.matcher(),
            self.maintenance.muter(self.regions),
        )

    def receivers(self, labels: Mapping[str, str]) -> list[str]:
        """The receivers an alert with these labels is routed to."""
        return receivers_for(self._config.route, labels)

    def groups(self) -> list[AggrGroup]:
        with self._lock:
            return list(self._dispatcher.groups())

    def next_deadline(self) -> datetime | None:
        with self._lock:
            return self._dispatcher.next_deadline()

    async def tick(self, wait: bool = True) -> list[Outcome]:
        """One round at the clock's now: watchdog, transitions, auto-expiry, due flushes.

        With `wait=False` the flushes run as background tasks, each group on its own, so that a
        slow receiver delays only its group (Alertmanager runs one goroutine per group).
        """
        now = self.clock.now()
        self._watchdog(now)
        with self._lock:
            self.alerts.transitions()
            self.silences.auto_expire(s.alert for s in self.alerts.all())
            self.alerts.gc()
            mute = self.mute()
            dispatcher, config = self._dispatcher, self._config
            flushes = dispatcher.due(now)
            self._gauges(mute, now)
        self.metrics.last_tick.set(now.timestamp())
        jobs = [self._flush(f, mute, config, dispatcher) for f in flushes]
        if wait:
            return list(await asyncio.gather(*jobs))
        for job in jobs:
            task = asyncio.create_task(job)
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return []

    async def _flush(
        self, flush: Flush, mute: Mute, config: AlertingConfig, dispatcher: Dispatcher
    ) -> Outcome:
        time_muter = RouteTimeMuter(flush.route.opts, config.time_intervals)
        wants_resolved = send_resolved(config, flush.receiver)
        outcome = Outcome(done=False, reason="error")
        try:
            outcome = await self.pipeline.process(flush, mute.any, time_muter, wants_resolved)
        finally:  # a store error must not leave the group in flight forever
            with self._lock:
                dispatcher.done(flush, outcome.done)
        return outcome

    async def run(self, stop: asyncio.Event, max_sleep: float = 1.0) -> None:
        """Tick until `stop` is set, sleeping until the next group is due (at most `max_sleep`);
        then wait for the flushes in progress."""
        while not stop.is_set():
            await self.tick(wait=False)
            deadline = self.next_deadline()
            delay = max_sleep
            if deadline is not None:
                delay = min(max((deadline - self.clock.now()).total_seconds(), 0.01), max_sleep)
            try:
                await asyncio.wait_for(stop.wait(), delay)
            except TimeoutError:
                continue
        await asyncio.gather(*self._tasks)

    def _watchdog(self, now: datetime) -> None:
        interval = self.watchdog_interval
        if interval is None or now < self._next_watchdog:
            return
        self._next_watchdog = now + interval
        alert = Alert(WATCHDOG_LABELS, self.started_at, now + 3 * interval, WATCHDOG_ANNOTATIONS)
        self.put([alert])

    def _gauges(self, mute: Mute, now: datetime) -> None:
        # Only whether each firing alert is muted, not by what (`Mute.status` lists every
        # inhibiting alert and silence): the same answer as `status(...).state`, for less work.
        muter = mute.any
        counts = {"active": 0, "suppressed": 0}
        for s in self.alerts.all():
            if not s.alert.resolved_at(now):
                counts["suppressed" if muter.mutes(s.alert.labels, now) else "active"] += 1
        for state, count in counts.items():
            self.metrics.active.labels(state).set(count)

    def _rebuilt(self, config: AlertingConfig) -> Dispatcher:
        dispatcher = Dispatcher(config.route)
        now = self.clock.now()
        for stored in self.alerts.all():
            dispatcher.insert(stored, now)
        return dispatcher
