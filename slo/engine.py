"""The engine loop: every tick evaluates every SLO and guard, writes snapshots, sets the SLO
gauges and hands firing and resolved alerts (label sets) to the alert pipeline.

Collaborators are passed in: the store, the specs and policy (reloadable, validated first), the
registry, a clock, an `AlertSink` (the alert pipeline's `put`), a `MaintenanceSource` (its
maintenance store) and a prometheus registry. Every alert is a label set the alerts package
routes without knowing SLOs.
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import itertools
import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Protocol

from prometheus_client import CollectorRegistry, Gauge

from alerts.maintenance import MaintenanceWindow
from alerts.model import Alert, fingerprint
from slo.catalogue import Catalogue
from slo.errors import SloError, SpecError
from slo.evaluate import SloSpans, SloStatus, evaluate, is_probe, plan_for, slice_rule, slice_totals
from slo.guards import (
    COLLAPSE_SPANS,
    Finding,
    HeartbeatFacts,
    budget_findings,
    collapse_findings,
    heartbeat_findings,
    no_data_findings,
    probe_findings,
    reference_instants,
)
from slo.loader import LoadResult, load_policy, load_specs
from slo.model import SLO, PlausibilityGuard
from slo.policy import Guards, PolicySet, Severity
from slo.reader import GuardReader, Sums, SumsReader
from slo.rollup import BurningView, burning, composites
from slo.sql import MINUTE, Plan, floor_hour
from slo.windows import floor_minute, format_duration
from store.client import Store
from store.clock import Clock
from store.errors import StoreError
from store.registry import Registry

log = logging.getLogger("vigie.slo")
HEARTBEAT_METRIC = "samu.reachability.checks"
SNAPSHOT_COLUMNS = (
    "time",
    "slo",
    "samu_id",
    "objective",
    "sli",
    "good",
    "valid",
    "budget_remaining",
    "burns",
    "state",
)


class AlertSink(Protocol):
    """Where firing and resolved alerts go (the alert pipeline's `put`)."""

    def put(self, alerts: list[Alert]) -> None: ...


class MaintenanceSource(Protocol):
    """The planned maintenance windows (the alert pipeline's maintenance store)."""

    def list(self) -> list[MaintenanceWindow]: ...


class NoMaintenance:
    """A MaintenanceSource without any window."""

    def list(self) -> list[MaintenanceWindow]:
        return []


class CollectingSink:
    """An AlertSink that keeps every alert it was handed (tests, backtests, dry runs)."""

    def __init__(self) -> None:
        self.alerts: list[Alert] = []

    def put(self, alerts: list[Alert]) -> None:
        self.alerts.extend(alerts)


@dataclass(frozen=True)
class TickResult:
    """What one tick saw and did."""

    at: datetime
    statuses: tuple[SloStatus, ...]
    composites: tuple[SloStatus, ...]
    burning: tuple[BurningView, ...]
    findings: tuple[Finding, ...]
    firing: tuple[Alert, ...]
    sent: tuple[Alert, ...]
    seconds: float


@dataclass
class _Gauges:
    sli: Gauge
    remaining: Gauge
    burn: Gauge
    seen: set[tuple[str, ...]] = field(default_factory=set)
    seen_burn: set[tuple[str, ...]] = field(default_factory=set)


def _gauges(registry: CollectorRegistry) -> _Gauges:
    return _Gauges(
        Gauge(
            "vigie_slo_sli",
            "SLI over the SLO window (absent: no data)",
            ["slo", "samu"],
            registry=registry,
        ),
        Gauge(
            "vigie_slo_budget_remaining",
            "Error budget left, fraction (negative: overspent)",
            ["slo", "samu"],
            registry=registry,
        ),
        Gauge(
            "vigie_slo_burn_rate",
            "Burn rate per alert window (absent: no data)",
            ["slo", "samu", "window"],
            registry=registry,
        ),
    )


class Engine:
    """Evaluates every SLO and guard on each tick and keeps the alert state."""

    def __init__(
        self,
        store: Store,
        specs: LoadResult,
        policy: PolicySet,
        registry: Registry,
        clock: Clock,
        alert_sink: AlertSink | None = None,
        maintenance: MaintenanceSource | None = None,
        metrics_registry: CollectorRegistry | None = None,
        *,
        generator_url: str = "",
        write_snapshots: bool = True,
        resend_every: timedelta = timedelta(minutes=1),
        heartbeat_metric: str = HEARTBEAT_METRIC,
    ) -> None:
        self._store = store
        self._sums = SumsReader(store)
        self._guard_reader = GuardReader(store)
        self._registry = registry
        self._clock = clock
        self._sink = alert_sink or CollectingSink()
        self._maintenance = maintenance or NoMaintenance()
        self._gauges = _gauges(metrics_registry or CollectorRegistry())
        self._generator_url = generator_url
        self._write_snapshots = write_snapshots
        self._resend_every = resend_every
        self._heartbeat_metric = heartbeat_metric
        self._labels = {s.id: {**s.to_dict(), "overseas": s.overseas} for s in registry}
        self._regions = {s.id: s.region for s in registry}
        self._lock = threading.Lock()
        self._specs, self._policy = self._validated(specs, policy)
        self._active: dict[int, Alert] = {}
        self._last_sent: datetime | None = None
        self._synced_hour: datetime | None = None
        self._collapse: tuple[datetime, list[Finding]] | None = None
        self.latest: TickResult | None = None

    @property
    def specs(self) -> LoadResult:
        return self._specs

    @property
    def policy(self) -> PolicySet:
        return self._policy

    def _validated(self, specs: LoadResult, policy: PolicySet) -> tuple[LoadResult, PolicySet]:
        ids = [s.id for s in specs.slos] + [g.id for g in specs.guards]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise SloError(f"duplicate SLO or guard ids: {', '.join(duplicates)}")
        plan_for(specs.slos, self._clock.now())  # every window and policy is computable
        return specs, policy

    def reload(self, specs: LoadResult, policy: PolicySet) -> None:
        """Swap specs and policy after validating them; the running state is kept."""
        checked = self._validated(specs, policy)
        with self._lock:
            self._specs, self._policy = checked
            self._collapse = None
        log.warning("slo specs reloaded: %d SLOs, %d guards", len(specs.slos), len(specs.guards))

    def tick(self) -> TickResult:
        """Evaluate everything at the clock's now, hand alert changes to the sink."""
        started = time.perf_counter()
        with self._lock:
            specs, policy = self._specs, self._policy
        now = self._clock.now()
        slos = specs.slos
        plan, where = plan_for(slos, now)
        self._sync_hours(plan, now)
        sums = self._sums.read(plan, now, self._maintenance.list(), self._regions)
        statuses = evaluate(slos, self._labels, plan, where, sums, now)
        comps = composites(slos, statuses, self._regions)
        findings = self._findings(now, slos, specs.guards, policy.guards, where, sums, statuses)
        firing, sent = self._diff(now, statuses, findings)
        self._export(statuses, comps)
        if self._write_snapshots:
            self._snapshot(now, [*statuses, *comps])
        result = TickResult(
            now,
            tuple(statuses),
            tuple(comps),
            tuple(burning(statuses, self._regions)),
            tuple(findings),
            firing,
            sent,
            time.perf_counter() - started,
        )
        self.latest = result
        return result

    async def run(
        self, interval: timedelta = timedelta(seconds=10), stop: asyncio.Event | None = None
    ) -> None:
        """Tick every `interval` until `stop` is set; a store outage is logged, not fatal."""
        stop = stop or asyncio.Event()
        while not stop.is_set():
            try:
                await asyncio.to_thread(self.tick)
            except StoreError as exc:
                log.warning("slo tick skipped: %s", exc)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), interval.total_seconds())

    def _sync_hours(self, plan: Plan, now: datetime) -> None:
        hour = floor_hour(now - timedelta(minutes=5))
        if self._synced_hour == hour:
            return
        if plan.slices:
            lookback = max(now - s.start for s in plan.spans) + timedelta(hours=1)
            self._sums.sync_slice_hours(plan.slices, now, lookback)
        self._synced_hour = hour

    def _guards_of(self, slo: SLO, samu: str) -> Guards:
        if samu in self._labels:
            return slo.target_for(samu, self._labels[samu]).guards
        return slo.alerting.guards

    def _findings(
        self,
        now: datetime,
        slos: Sequence[SLO],
        guards: Sequence[PlausibilityGuard],
        defaults: Guards,
        where: Mapping[str, SloSpans],
        sums: Sums,
        statuses: Sequence[SloStatus],
    ) -> list[Finding]:
        alerting = {s.id: s for s in slos if s.alerting.enabled}
        out: list[Finding] = []
        for slo in alerting.values():
            if is_probe(slo):
                out += self._probe(slo, where[slo.id], sums)
        guards_of = {
            (st.slo, st.samu): self._guards_of(alerting[st.slo], st.samu)
            for st in statuses
            if st.slo in alerting
        }
        out += budget_findings(statuses, guards_of)
        facts = {
            samu: HeartbeatFacts(*row)
            for samu, row in self._guard_reader.heartbeat(self._heartbeat_metric, now).items()
            if samu in self._labels
        }
        out += heartbeat_findings(facts, now, defaults)
        last = self._guard_reader.last_ingest(now)
        out += no_data_findings({s: last.get(s) for s in self._labels}, now, defaults)
        out += self._collapses(now, guards)
        return out

    def _probe(self, slo: SLO, spans: SloSpans, sums: Sums) -> list[Finding]:
        rule = slice_rule(slo)
        assert rule is not None
        window = sums.slices.get((spans.measure, spans.window), {})
        equipped = [s for s, (_, data) in window.items() if data > 0 and s in self._labels]
        guards_of = {s: self._guards_of(slo, s) for s in equipped}
        recent = {}
        for samu in equipped:
            n = guards_of[samu].probe_failed_minutes
            if n in spans.probe:
                recent[samu] = slice_totals(sums, spans.measure, spans.probe[n], samu, rule).bad
        severity: Severity = "page" if slo.alerting.pages else "ticket"
        return probe_findings(slo.id, recent, equipped, guards_of, severity)

    def _collapses(self, now: datetime, guards: Sequence[PlausibilityGuard]) -> list[Finding]:
        minute = floor_minute(now)
        if self._collapse is not None and self._collapse[0] == minute:
            return self._collapse[1]
        out: list[Finding] = []
        for guard in guards:
            out += self._collapse_of(guard, minute)
        self._collapse = (minute, out)
        return out

    def _collapse_of(self, guard: PlausibilityGuard, minute: datetime) -> list[Finding]:
        spans = [guard.collapse.for_minutes * k * MINUTE for k in COLLAPSE_SPANS]
        longest = max(spans)
        refs: dict[str, list[datetime]] = {}
        for samu in self._registry:
            if guard.fleet.matches(samu.id, self._labels[samu.id]):
                refs[samu.id] = reference_instants(
                    minute,
                    samu.timezone,
                    guard.baseline.lookback_weeks,
                    samu.department,
                    guard.baseline.holidays,
                )
        ranges = sorted({(r - longest, r) for rs in refs.values() for r in (minute, *rs)})
        counts = self._guard_reader.minute_counts(
            guard.metric, guard.valid.outcomes, guard.valid.not_outcomes, ranges
        )
        current: dict[str, list[float]] = {}
        baseline: dict[str, list[list[float]]] = {}
        for samu_id, rs in refs.items():
            per_minute = sorted(counts.get(samu_id, {}).items())
            stamps = [m for m, _ in per_minute]
            cumulative = list(itertools.accumulate((v for _, v in per_minute), initial=0.0))

            current[samu_id] = [_window_total(stamps, cumulative, minute, s) for s in spans]
            baseline[samu_id] = [
                [_window_total(stamps, cumulative, r, s) for r in rs] for s in spans
            ]
        return collapse_findings(guard, current, baseline)

    def _labels_for(self, f: Finding) -> dict[str, str]:
        labels = {"alertname": f.alertname, "severity": f.severity, **f.labels}
        if f.samu:
            labels["samu"] = f.samu
            if f.samu in self._regions:
                labels["region"] = self._regions[f.samu]
        return labels

    def _desired(
        self, statuses: Sequence[SloStatus], findings: Sequence[Finding]
    ) -> dict[int, tuple[dict[str, str], dict[str, str]]]:
        out: dict[int, tuple[dict[str, str], dict[str, str]]] = {}
        for st in statuses:
            by_severity: dict[str, list[str]] = {}
            for c in st.conditions:
                by_severity.setdefault(c.severity, []).append(
                    f"{c.pair}: burn {c.long_burn:.1f} over {format_duration(c.long_window)}, "
                    f"{c.short_burn:.1f} over {format_duration(c.short_window)} (> {c.factor:g})"
                )
            for severity, lines in by_severity.items():
                f = Finding("SLOBurnRate", st.samu, severity, {"slo": st.slo})  # type: ignore[arg-type]
                labels = self._labels_for(f)
                notes = {"summary": "; ".join(lines)}
                worst = _worst_component(st)
                if worst:
                    notes["component"] = worst
                out[fingerprint(labels)] = (labels, notes)
        for f in findings:
            labels = self._labels_for(f)
            out[fingerprint(labels)] = (labels, dict(f.annotations))
        return out

    def _diff(
        self, now: datetime, statuses: Sequence[SloStatus], findings: Sequence[Finding]
    ) -> tuple[tuple[Alert, ...], tuple[Alert, ...]]:
        desired = self._desired(statuses, findings)
        changed: list[Alert] = []
        for key, alert in list(self._active.items()):
            if key not in desired:
                changed.append(
                    Alert(
                        alert.labels, alert.starts_at, now, alert.annotations, alert.generator_url
                    )
                )
                del self._active[key]
        for key, (labels, notes) in desired.items():
            old = self._active.get(key)
            alert = Alert(labels, old.starts_at if old else now, None, notes, self._generator_url)
            self._active[key] = alert
            if old is None:
                changed.append(alert)
        resend = self._last_sent is None or now - self._last_sent >= self._resend_every
        sent = (
            changed
            if not resend
            else [*changed, *(a for a in self._active.values() if a not in changed)]
        )
        if resend:
            self._last_sent = now
        if sent:
            self._sink.put(list(sent))
        return tuple(self._active.values()), tuple(sent)

    def _export(self, statuses: Sequence[SloStatus], comps: Sequence[SloStatus]) -> None:
        g = self._gauges
        seen: set[tuple[str, ...]] = set()
        seen_burn: set[tuple[str, ...]] = set()
        for st in [*statuses, *comps]:
            key: tuple[str, ...] = (st.slo, st.samu)
            if st.sli is not None and st.budget.remaining is not None:
                g.sli.labels(*key).set(st.sli)
                g.remaining.labels(*key).set(st.budget.remaining)
                seen.add(key)
            for window, sample in st.burns.items():
                if sample.burn_rate is not None:
                    bkey: tuple[str, ...] = (*key, format_duration(window))
                    g.burn.labels(*bkey).set(sample.burn_rate)
                    seen_burn.add(bkey)
        for key in g.seen - seen:
            g.sli.remove(*key)
            g.remaining.remove(*key)
        for bkey in g.seen_burn - seen_burn:
            g.burn.remove(*bkey)
        g.seen, g.seen_burn = seen, seen_burn

    def _snapshot(self, now: datetime, statuses: Sequence[SloStatus]) -> None:
        rows = [
            (
                now,
                st.slo,
                st.samu,
                st.objective,
                st.sli,
                st.budget.good,
                st.budget.valid,
                st.budget.remaining,
                {
                    format_duration(w): b.burn_rate
                    for w, b in st.burns.items()
                    if b.burn_rate is not None
                },
                st.state,
            )
            for st in statuses
        ]
        self._store.insert("slo_snapshots", rows, SNAPSHOT_COLUMNS)


def _window_total(
    stamps: Sequence[datetime], cumulative: Sequence[float], end: datetime, span: timedelta
) -> float:
    """Σ of the per-minute counts in [end − span, end), from their prefix sums."""
    hi = bisect.bisect_left(stamps, end)
    lo = bisect.bisect_left(stamps, end - span)
    return cumulative[hi] - cumulative[lo]


def _worst_component(st: SloStatus) -> str:
    bad = {c: t.bad for c, t in st.components.items() if c and t.bad > 0}
    return max(bad, key=lambda c: bad[c]) if bad else ""


def reloader(
    engine: Engine, spec_dir: Path, catalogue: Catalogue, policy_file: Path | None = None
) -> Callable[[], LoadResult]:
    """A callable that reloads specs and policy from files (SIGHUP, POST /api/v1/slos/reload).

    Raises SpecError with every issue when a file is invalid; the running specs stay.
    """

    def reload() -> LoadResult:
        policy = load_policy(policy_file)
        specs = load_specs(spec_dir, catalogue, policy)
        engine.reload(specs, policy)
        return specs

    return reload


__all__ = ["AlertSink", "CollectingSink", "Engine", "MaintenanceSource", "SpecError", "reloader"]
