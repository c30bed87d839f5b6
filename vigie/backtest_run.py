"""`vigie slo backtest`'s work: replay stored or simulated history, then score it.

Stored history is replayed with the planned maintenance windows of the store (they mute and
exclude exactly as they did live) and, when given, scored against the incidents people recorded
(`--truth`: a scenario file with absolute times; the alerts themselves are never the truth).
Simulated history is written into a scratch store by the simulator (`write_history`) and scored
against the scenarios it played; its planned maintenance is declared as the platform would be
told of it.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from alerts.events import EventLog
from alerts.maintenance import MaintenanceWindow
from alerts.maintenance_store import MaintenanceStore
from collector.simulator.scenario_spec import load_scenarios
from collector.simulator.scenarios import MaintenanceMark, Scenario, Timeline
from slo.backtest import Firing, Replay, backtest
from slo.backtest_score import Incident, Score, delivered, score
from slo.loader import LoadResult
from slo.policy import Guards
from store.client import Store
from store.clock import SystemClock
from store.registry import Registry, Samu

Labels = Mapping[str, Mapping[str, object]]
LOOKBACK = timedelta(days=3)  # simulated before --from: the longest alert window


@dataclass(frozen=True)
class BacktestRun:
    """A replay, its alerts as delivered (maintenance mutes applied) and their score."""

    replay: Replay
    alerts: tuple[Firing, ...]
    score: Score | None


def labels_of(samus: Iterable[Samu]) -> dict[str, dict[str, object]]:
    """The engine's labels of every SAMU (what fleet selectors and alert labels read)."""
    return {s.id: {**s.to_dict(), "overseas": s.overseas} for s in samus}


def finish(
    replay: Replay,
    maintenance: Sequence[MaintenanceWindow],
    labels: Labels,
    truth: Sequence[Incident] | None,
) -> BacktestRun:
    """Apply the maintenance mutes, and score against `truth` when there is one."""
    regions = {s: str(lab.get("region", "")) for s, lab in labels.items()}
    alerts, muted = delivered(replay.firings, maintenance, regions)
    result = None if truth is None else score(alerts, truth, muted=muted)
    return BacktestRun(replay, tuple(alerts), result)


def truth_from(path: Path, samu_ids: Sequence[str]) -> tuple[Incident, ...]:
    """Recorded incidents from a scenario file (kind, SAMU, absolute start, duration)."""
    from vigie.backtest_history import incidents

    scenarios = load_scenarios(path)
    relative = [s.label() for s in scenarios if not s.absolute]
    if relative:
        raise ValueError(
            f"{path}: recorded incidents need absolute times (an ISO instant with its offset), "
            f"not offsets: {', '.join(relative)}"
        )
    return incidents(Timeline(tuple(scenarios), 0.0, samu_ids), samu_ids)


def stored(
    store: Store,
    specs: LoadResult,
    guards: Guards,
    labels: Labels,
    start: datetime,
    end: datetime,
    step: timedelta,
    truth: Sequence[Incident] | None,
) -> BacktestRun:
    """Replay the store's history (until now at most) with its maintenance windows."""
    clock = SystemClock()
    windows = MaintenanceStore(store, clock, EventLog(store, clock)).list()
    replay = backtest(
        store,
        specs.slos,
        labels,
        start,
        end,
        step,
        guards,
        now=clock.now(),
        maintenance=windows,
        plausibility=specs.guards,
    )
    return finish(replay, windows, labels, truth)


def declared(marks: Sequence[MaintenanceMark]) -> list[MaintenanceWindow]:
    """The simulator's planned windows as operators would declare them to the platform."""
    return [
        MaintenanceWindow(
            id=f"sim-{i}",
            title=m.reason,
            starts_at=datetime.fromtimestamp(m.start, UTC),
            duration=timedelta(seconds=m.end - m.start),
            approved_by="simulator",
            created_by="simulator",
            samu_ids=(m.samu_id,),
        )
        for i, m in enumerate(marks)
    ]


def pick(registry: Registry, count: int, scenarios: Sequence[Scenario]) -> list[Samu]:
    """`count` SAMU spread over sizes, plus every SAMU a scenario targets."""
    ordered = sorted(registry, key=lambda s: (s.daily_calls, s.id))
    picks = {ordered[round(i * (len(ordered) - 1) / max(count - 1, 1))].id for i in range(count)}
    picks |= {t for s in scenarios for t in s.samu_ids if t != "*"}
    return [registry.require(i) for i in sorted(picks)]


def simulated(
    registry: Registry,
    specs: LoadResult,
    guards: Guards,
    first: datetime,
    last: datetime,
    step: timedelta,
    seed: int,
    scenarios: Sequence[Scenario],
    count: int,
    say: Callable[[str], None],
) -> BacktestRun:
    """Simulate [first − 3 d, last) into a scratch store, replay [first, last), score it against
    the scenarios played (offsets count from `first`)."""
    from store.client import open_store
    from store.migrations import migrate
    from vigie.backtest_history import write_history
    from vigie.schema import all_migrations

    shifted = [
        s if s.absolute else replace(s, at_s=s.at_s + LOOKBACK.total_seconds()) for s in scenarios
    ]
    samus = pick(registry, count, scenarios)
    ids = [s.id for s in samus]
    labels = labels_of(samus)
    origin = first - LOOKBACK
    windows = declared(Timeline(tuple(shifted), origin.timestamp(), ids).maintenance())
    with tempfile.TemporaryDirectory(prefix="vigie-backtest-") as tmp:
        store = open_store(f"chdb://{tmp}/clickhouse", "backtest")
        migrate(store, migrations=all_migrations())
        say(f"simulating {len(samus)} SAMU from {origin:%Y-%m-%d} (seed {seed})…")
        history = write_history(store, samus, origin, last, seed, shifted)
        replay = backtest(
            store,
            specs.slos,
            labels,
            first,
            last,
            step,
            guards,
            now=last,
            maintenance=windows,
            plausibility=specs.guards,
        )
    return finish(replay, windows, labels, history.incidents)
