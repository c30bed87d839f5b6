"""Replays the alert policy over stored history: the alerts the engine raises, tick by tick.

The history is read through the ledger and judged through `slo.judge` (`slo.replay`), exactly
as the engine reads and judges it — planned maintenance excluded, minutes before a SAMU's first
data out of its window, a silence of most of the fleet a Vigie gap — then cumulative sums give
every window at every tick at once: a month of 100 SAMU is array arithmetic, not 40 000 engine
ticks. Ticks fall on whole minutes; at the same instants, over the same store, every alert the
engine raises — burn-rate pairs, probe guard, budget tickets (`slo.backtest_slo`), heartbeat,
no-data and Vigie ingest gap (`slo.backtest_guards`), the S4 traffic collapse
(`slo.backtest_collapse`) — fires exactly as the live engine's (tests hold them equal).

The replay stops at the end asked for, at `now`, or at the last minute with data from any SAMU,
whichever comes first, and says which (`Replay.reason`): a replay past the end of the data
would judge a silence that is only the future.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

import numpy as np
import numpy.typing as npt

from alerts.maintenance import MaintenanceWindow
from slo.backtest_collapse import collapse_firings, with_columns
from slo.backtest_guards import Firing, guard_firings
from slo.backtest_slo import slo_firings
from slo.layout import layout_for
from slo.model import SLO, PlausibilityGuard
from slo.policy import Guards
from slo.replay import judged, load_ledger
from slo.windows import elapsed_interval
from store.client import Store

Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]
MINUTE = timedelta(minutes=1)
HEARTBEAT_METRIC = "samu.reachability.checks"
GUARD_LOOKBACK = timedelta(days=1)  # the no-data guard looks this far back (slo.live)
Reason = Literal["end", "now", "data", "no data"]
REASONS: dict[str, str] = {
    "end": "the end asked for",
    "now": "now (the future has no data yet)",
    "data": "the end of the data (the last minute any SAMU sent anything)",
    "no data": "no data at all in the span asked for",
}


@dataclass(frozen=True)
class Replay:
    """What a backtest replayed: its alerts, and where and why it stopped."""

    firings: tuple[Firing, ...]
    start: datetime
    end: datetime  # asked for
    last_tick: datetime | None  # None: nothing replayed
    step: timedelta
    reason: Reason
    data_start: datetime | None  # the first minute with data of any SAMU (in the span read)
    notes: tuple[str, ...] = ()

    @property
    def ticks(self) -> int:
        if self.last_tick is None:
            return 0
        return int((self.last_tick - self.start) / self.step) + 1

    def stopped(self) -> str:
        """One sentence: where the replay stopped and why."""
        if self.last_tick is None:
            return f"nothing replayed: {REASONS[self.reason]}"
        return (
            f"replayed {self.start.isoformat()} → {self.last_tick.isoformat()}: stopped at "
            + (REASONS[self.reason])
        )


def _first(slos: Sequence[SLO], start: datetime) -> datetime:
    """The first minute a tick at `start` reads: its alert windows, SLO windows, guards."""
    alerting = [s for s in slos if s.alerting.enabled]
    windows = [w for s in alerting for w in s.alerting.policy.windows()]
    firsts = [elapsed_interval(s.window, start).start for s in alerting]
    return min([start - max([GUARD_LOOKBACK, *windows]), *firsts]) - MINUTE


def _ticks(start: datetime, end: datetime, step: timedelta) -> list[datetime]:
    out = []
    t = start
    while t < end:
        out.append(t)
        t += step
    return out


def backtest(
    store: Store,
    slos: Sequence[SLO],
    samu_labels: Mapping[str, Mapping[str, object]],
    start: datetime,
    end: datetime,
    step: timedelta = MINUTE,
    guards: Guards | None = None,
    heartbeat_metric: str = HEARTBEAT_METRIC,
    *,
    now: datetime | None = None,
    maintenance: Sequence[MaintenanceWindow] = (),
    plausibility: Sequence[PlausibilityGuard] = (),
) -> Replay:
    """Every alert the engine raises for ticks in [start, end) every `step`, until now or the end
    of the data: burn-rate pairs, probe guard and budget tickets of `slos`; with `guards` (the
    policy's defaults, `PolicySet.guards`) the heartbeat, no-data and Vigie ingest gap alerts;
    the traffic-collapse alerts of the `plausibility` guards (S4)."""
    if step.total_seconds() % 60 or step <= timedelta(0) or start.second or start.microsecond:
        raise ValueError("backtest ticks fall on whole minutes (start and step)")
    now = now or datetime.now(UTC)
    samus = sorted(samu_labels)
    regions = {s: str(lab.get("region", "")) for s, lab in samu_labels.items()}
    layout = with_columns(layout_for([s for s in slos if s.alerting.enabled]), plausibility)
    ledger = load_ledger(store, layout, samus, _first(slos, start), min(end, now))
    asked = _ticks(start, end, step)
    ticks = [t for t in asked if t <= now]
    reason: Reason = "now" if len(ticks) < len(asked) else "end"
    hist = judged(ledger, ticks[-1] if ticks else start, maintenance, regions)
    held = hist.data_minutes()
    if held is None:
        return Replay((), start, end, None, step, "no data", None)
    if ticks and ticks[-1] > held[1]:
        ticks, reason = [t for t in ticks if t <= held[1]], "data"
    if not ticks:
        return Replay((), start, end, None, step, reason, held[0])
    hist = judged(ledger, ticks[-1], maintenance, regions)  # as the last tick judges
    found: list[Firing] = []
    at = np.array([hist.index(t) for t in ticks], dtype=np.int64)
    for slo in slos:
        if slo.alerting.enabled:
            found += slo_firings(slo, hist, ticks, at, samu_labels)
    notes: list[str] = []
    if plausibility:
        found += collapse_firings(store, plausibility, hist, ticks, samu_labels)
    if guards is not None:
        more, said = guard_firings(store, hist, samu_labels, ticks, guards, heartbeat_metric)
        found += more
        notes += said
    return Replay(
        tuple(sorted(found, key=lambda f: (f.starts_at, f.labels))),
        start,
        end,
        ticks[-1],
        step,
        reason,
        held[0],
        tuple(notes),
    )


__all__ = ["REASONS", "Firing", "Replay", "backtest"]
