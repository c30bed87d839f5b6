"""The guards of one tick: facts from the tallies and the store in, findings out.

Beside the burn-rate pairs: the probe guard (N failed or silent probe minutes, judged by
`slo.judge`: a Vigie gap is not a failed minute), the heartbeat and no-data guards (judged
against the fleet: a silence shared by most of the fleet is ours; a SAMU in planned maintenance
is not judged until its guard's window has passed since the work ended), the budget guards, the
traffic-collapse guard (S4: not judged over minutes of a Vigie gap, when calls do not reach us
for our own reasons, nor over a SAMU's planned maintenance, when its calls go to its backup)
and the Vigie ingest gap itself (the last settled minutes silent fleet-wide).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

import numpy as np
import numpy.typing as npt

from slo import judge
from slo.evaluate import SloStatus, equipped, is_probe, recent_bad
from slo.guards import (
    COLLAPSE_SPANS,
    Finding,
    HeartbeatFacts,
    budget_findings,
    collapse_findings,
    gap_finding,
    heartbeat_findings,
    no_data_findings,
    probe_findings,
    reference_instants,
)
from slo.live import GUARD_LOOKBACK
from slo.model import SLO, PlausibilityGuard
from slo.policy import Guards, Severity
from slo.reader import GuardReader
from slo.tally import Tallies, ceil_min, floor_min
from slo.windows import floor_minute
from store.registry import Registry

MINUTE = timedelta(minutes=1)
GAP_MINUTES = 2  # the last settled minutes that, silent fleet-wide, raise the gap alert


class Findings:
    """Evaluates every guard at a tick (the S4 baseline read once a minute)."""

    def __init__(
        self,
        reader: GuardReader,
        registry: Registry,
        labels: Mapping[str, Mapping[str, object]],
        heartbeat_metric: str,
    ) -> None:
        self._reader = reader
        self._registry = registry
        self._labels = labels
        self._heartbeat_metric = heartbeat_metric
        self._collapse: tuple[datetime, list[Finding]] | None = None

    def reset(self) -> None:
        self._collapse = None

    def guards_of(self, slo: SLO, samu: str) -> Guards:
        if samu in self._labels:
            return slo.target_for(samu, self._labels[samu]).guards
        return slo.alerting.guards

    def evaluate(
        self,
        now: datetime,
        slos: Sequence[SLO],
        guards: Sequence[PlausibilityGuard],
        defaults: Guards,
        tallies: Tallies,
        statuses: Sequence[SloStatus],
    ) -> list[Finding]:
        alerting = {s.id: s for s in slos if s.alerting.enabled}
        out: list[Finding] = []
        for slo in alerting.values():
            if is_probe(slo):
                out += self._probe(slo, tallies, now)
        guards_of = {
            (st.slo, st.samu): self.guards_of(alerting[st.slo], st.samu)
            for st in statuses
            if st.slo in alerting
        }
        out += budget_findings(statuses, guards_of)
        # A SAMU in planned maintenance, or just out of it, is not judged on silence: its
        # checks were expected to fail; the guard's own window starts when the work ends.
        resting = resting_samus(tallies, now, defaults.heartbeat_window)
        facts = {
            samu: HeartbeatFacts(*row)
            for samu, row in self._reader.heartbeat(self._heartbeat_metric, now).items()
            if samu in self._labels and samu not in resting
        }
        out += heartbeat_findings(facts, now, defaults)
        quiet = resting_samus(tallies, now, defaults.no_data_after)
        last = {
            s: t for s, t in _last_alive(tallies, now, GUARD_LOOKBACK).items() if s not in quiet
        }
        out += no_data_findings(last, now, defaults)
        gap_words = tallies.fleet_gap()
        out += _settled_gap(tallies, gap_words, now)
        out += self._collapses(now, guards, tallies, gap_words)
        return _one_gap(out)

    def _probe(self, slo: SLO, tallies: Tallies, now: datetime) -> list[Finding]:
        index = tallies.ledger.index
        ready = [s for s in equipped(tallies, slo, now) if s in self._labels]
        guards_of = {s: self.guards_of(slo, s) for s in ready}
        recent: dict[str, float] = {}
        for n in sorted({g.probe_failed_minutes for g in guards_of.values()}):
            if n <= 0:
                continue
            bad = recent_bad(tallies, slo, n, now)
            recent.update(
                {s: float(bad[index[s]]) for s in ready if guards_of[s].probe_failed_minutes == n}
            )
        severity: Severity = "page" if slo.alerting.pages else "ticket"
        return probe_findings(slo.id, recent, ready, guards_of, severity)

    def _collapses(
        self,
        now: datetime,
        guards: Sequence[PlausibilityGuard],
        tallies: Tallies,
        gap_words: judge.Words,
    ) -> list[Finding]:
        minute = floor_minute(now)
        if self._collapse is not None and self._collapse[0] == minute:
            return self._collapse[1]
        out: list[Finding] = []
        for guard in guards:
            out += self._collapse_of(guard, minute, tallies, gap_words)
        self._collapse = (minute, out)
        return out

    def _collapse_of(
        self,
        guard: PlausibilityGuard,
        minute: datetime,
        tallies: Tallies,
        gap_words: judge.Words,
    ) -> list[Finding]:
        spans = [guard.collapse.for_minutes * k * MINUTE for k in COLLAPSE_SPANS]
        # A span holding minutes of a Vigie gap is not judged: the calls did not reach *us*.
        clear = [_gap_minutes(tallies, gap_words, minute - s, minute) == 0 for s in spans]
        if not any(clear):
            return []
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
        counts = self._reader.minute_counts(
            guard.metric, guard.valid.outcomes, guard.valid.not_outcomes, ranges
        )
        current: dict[str, list[float]] = {}
        baseline: dict[str, list[list[float]]] = {}
        empty = (np.zeros(0, dtype=np.int64), np.zeros(0))
        for samu_id, rs in refs.items():
            stamps, values = counts.get(samu_id, empty)
            cumulative = np.concatenate(([0.0], np.cumsum(values)))
            # a span not judged reads as its own baseline: never below it
            # … nor one holding the SAMU's planned maintenance (its calls went to its backup)
            current[samu_id] = [
                _window_total(stamps, cumulative, minute, s)
                if ok and not planned(tallies, samu_id, minute - s, minute)
                else float("inf")
                for s, ok in zip(spans, clear, strict=True)
            ]
            baseline[samu_id] = [
                [_window_total(stamps, cumulative, r, s) for r in rs] for s in spans
            ]
        return collapse_findings(guard, current, baseline)


def planned(tallies: Tallies, samu: str, start: datetime, end: datetime) -> bool:
    """Whether planned maintenance of `samu` overlaps [start, end)."""
    row = tallies.ledger.index.get(samu)
    a, b = start.timestamp(), end.timestamp()
    return row is not None and any(x < b and y > a for x, y in tallies.maintenance.get(row, ()))


def resting_samus(tallies: Tallies, now: datetime, grace: timedelta) -> set[str]:
    """SAMU in planned maintenance at `now`, or out of it for less than `grace`."""
    stamp = now.timestamp()
    spare = grace.total_seconds()
    rows = {
        row
        for row, spans in tallies.maintenance.items()
        if any(a <= stamp < b + spare for a, b in spans)
    }
    return {samu for samu, row in tallies.ledger.index.items() if row in rows}


def _last_alive(tallies: Tallies, now: datetime, lookback: timedelta) -> dict[str, datetime | None]:
    """Per SAMU, the last minute in which it sent any point, over `lookback` (None: none)."""
    led = tallies.ledger
    since = floor_min((now - lookback).timestamp())
    upto = judge.minute_masks(led.t0, led.nh, since, ceil_min(now.timestamp()))
    words = led.alive & upto[None, :]
    out: dict[str, datetime | None] = {}
    for samu, row in led.index.items():
        hours = np.flatnonzero(words[row])
        if not len(hours):
            out[samu] = None
            continue
        h = int(hours[-1])
        bit = int(words[row, h]).bit_length() - 1
        out[samu] = datetime.fromtimestamp(led.t0 + h * 3600 + bit * 60, now.tzinfo)
    return out


def _gap_minutes(tallies: Tallies, words: judge.Words, start: datetime, end: datetime) -> int:
    led = tallies.ledger
    a, b = floor_min(start.timestamp()), ceil_min(end.timestamp())
    masks = judge.minute_masks(led.t0, led.nh, a, b)
    return int(np.bitwise_count(words & masks).sum())


def _settled_gap(tallies: Tallies, words: judge.Words, now: datetime) -> list[Finding]:
    end = floor_minute(now - timedelta(seconds=judge.SETTLE_S))
    n = _gap_minutes(tallies, words, end - GAP_MINUTES * MINUTE, end)
    if n >= GAP_MINUTES:
        return [
            gap_finding(
                f"the fleet was silent, or the collector shed exports or was down, for the "
                f"last {n} settled minutes"
            )
        ]
    return []


def _one_gap(findings: list[Finding]) -> list[Finding]:
    """Several guards may see the same gap: one alert, its reasons joined."""
    gaps = [f for f in findings if f.samu == "" and f.alertname == gap_finding("").alertname]
    if len(gaps) <= 1:
        return findings
    why = "; ".join(f.annotations.get("summary", "") for f in gaps)
    rest = [f for f in findings if f not in gaps]
    return [*rest, Finding(gaps[0].alertname, "", "page", {}, {"summary": why})]


def _window_total(
    stamps: npt.NDArray[np.int64],
    cumulative: npt.NDArray[np.float64],
    end: datetime,
    span: timedelta,
) -> float:
    """Σ of the per-minute counts in [end − span, end), from their prefix sums."""
    hi = int(np.searchsorted(stamps, end.timestamp(), "left"))
    lo = int(np.searchsorted(stamps, (end - span).timestamp(), "left"))
    return float(cumulative[hi] - cumulative[lo])
