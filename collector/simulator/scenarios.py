"""Scripted incidents on a timeline: which condition each SAMU is in at each instant.

Kinds (parameters in brackets, with defaults):
- `outage`: the SAMU's platform is down: every setup fails 503 (telephony), probes and checks fail.
- `carrier`: the carrier delivers nothing: no call arrives (silence), probes and checks fail with
  component=carrier; the platform's own counters simply go quiet, as on 2 June 2021.
- `latency`: setup delay grows linearly to `factor`× (8) over `ramp` (the whole duration).
- `trunk`: a partial trunk failure: `fraction` (0.3) of setups and probes fail 503 (telephony).
- `slowdb`: the database is slow: database up=0, setup delay ×`factor` (3), waits ×1.5, and
  `fraction` (0.005) of setups time out 504 with component=database.
- `maintenance`: a planned window: calls overflow to the backup SAMU (entraide), the SAMU's own
  probes and checks fail, telephony up=0; the window is listed by `Timeline.maintenance`.
- `migration`: the listed SAMU fail one after another (outage for `outage` (5m) each, every
  `step` (duration / number of SAMU)), as during a migration night.
- `surge`: arrivals ×`factor` (3): an epidemic (1.3–1.6) or COVID March 2020 (3).
- `cutover`: the SAMU runs on its new platform (after a migration night): `shift` (15 ms) is
  added to its network latency (the site is farther from the platform), `delay` (0) to setup
  delay; a move that went wrong also has `fraction` (0) of setups and probes failing 503
  (telephony), setup delay ×`factor` (1) and the database up-gauge reading 0 in `flap` (0) of
  the minutes.

Two kinds change nothing at the SAMU, only the way its telemetry reaches us (`Timeline.delivery`;
played by the history writer and the benchmarks, not by the live OTLP agent):
- `restart`: our collector restarts: what the targets send during the window never arrives
  (their exporters gave up); aimed at every SAMU (`*`) it is a gap for everyone.
- `late`: what the targets send during the window arrives `delay` (2h) later (a backlog
  flushed after a network cut, or a pipeline behind): the judged past changes when it lands.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from collector.simulator.condition import NORMAL, Condition, FailureMode

ScenarioKind = Literal[
    "outage",
    "carrier",
    "latency",
    "trunk",
    "slowdb",
    "maintenance",
    "migration",
    "surge",
    "cutover",
    "restart",
    "late",
]
DELIVERY_KINDS = ("restart", "late")  # only the way telemetry reaches us changes
ALL_SAMU = "*"

# Parameters each kind accepts, with defaults (None: derived from the duration).
PARAMETERS: dict[str, dict[str, float | None]] = {
    "outage": {},
    "carrier": {},
    "latency": {"factor": 8.0, "ramp": None},
    "trunk": {"fraction": 0.3},
    "slowdb": {"factor": 3.0, "fraction": 0.005},
    "maintenance": {},
    "migration": {"step": None, "outage": 300.0},
    "surge": {"factor": 3.0},
    "cutover": {"shift": 0.015, "delay": 0.0, "fraction": 0.0, "factor": 1.0, "flap": 0.0},
    "restart": {},
    "late": {"delay": 7200.0},
}


@dataclass(frozen=True)
class Scenario:
    """One scripted incident: kind, target SAMU, when (offset from the origin or absolute)."""

    kind: ScenarioKind
    samu_ids: tuple[str, ...]  # ("*",) targets every simulated SAMU
    at_s: float  # seconds after the timeline origin, or an epoch when `absolute`
    duration_s: float
    params: tuple[tuple[str, float], ...] = ()
    absolute: bool = False

    def param(self, name: str) -> float:
        """A parameter's value, its default, or its duration-derived default."""
        given = dict(self.params)
        if name in given:
            return given[name]
        default = PARAMETERS[self.kind][name]
        if default is not None:
            return default
        if name == "step":
            return self.duration_s / max(len(self.samu_ids), 1)
        return self.duration_s  # ramp: the whole duration

    def label(self) -> str:
        return f"{self.kind}:{','.join(self.samu_ids)}"


@dataclass(frozen=True)
class Window:
    """One SAMU under one scenario during [start, end) epoch seconds."""

    samu_id: str
    start: float
    end: float
    scenario: Scenario


@dataclass(frozen=True)
class MaintenanceMark:
    """A planned maintenance window the simulator played; to be declared to the platform."""

    samu_id: str
    start: float
    end: float
    reason: str


def _outage(cond: Condition, failure: FailureMode) -> Condition:
    return replace(
        cond,
        setup_fail=1.0,
        failure=failure,
        probe_fail=1.0,
        probe_component=failure.component,
        check_fail=1.0,
        check_component=failure.component,
        down=cond.down | {failure.component},
    )


def _effect(window: Window, at: float) -> Callable[[Condition], Condition]:
    s = window.scenario
    elapsed = at - window.start
    telephony_503 = FailureMode("failed", "503", "telephony")

    def apply(cond: Condition) -> Condition:
        if s.kind in DELIVERY_KINDS:
            return cond
        if s.kind in ("outage", "migration"):
            return _outage(cond, telephony_503)
        if s.kind == "carrier":
            return replace(
                cond,
                arrival=0.0,
                probe_fail=1.0,
                probe_component="carrier",
                check_fail=1.0,
                check_component="carrier",
            )
        if s.kind == "latency":
            growth = min(1.0, elapsed / max(s.param("ramp"), 1.0))
            return replace(
                cond, delay_factor=cond.delay_factor * (1 + (s.param("factor") - 1) * growth)
            )
        if s.kind == "trunk":
            fraction = s.param("fraction")
            return replace(
                cond,
                setup_fail=max(cond.setup_fail, fraction),
                failure=telephony_503,
                probe_fail=max(cond.probe_fail, fraction),
            )
        if s.kind == "slowdb":
            return replace(
                cond,
                down=cond.down | {"database"},
                delay_factor=cond.delay_factor * s.param("factor"),
                wait_factor=cond.wait_factor * 1.5,
                setup_fail=max(cond.setup_fail, s.param("fraction")),
                failure=FailureMode("timeout", "504", "database"),
            )
        if s.kind == "cutover":
            fraction = s.param("fraction")
            moved = replace(
                cond,
                delay_factor=cond.delay_factor * s.param("factor"),
                delay_shift_s=cond.delay_shift_s + s.param("delay"),
                latency_shift_s=cond.latency_shift_s + s.param("shift"),
                flap=max(cond.flap, s.param("flap")),
            )
            if fraction <= 0:
                return moved
            return replace(
                moved,
                setup_fail=max(cond.setup_fail, fraction),
                failure=telephony_503,
                probe_fail=max(cond.probe_fail, fraction),
            )
        if s.kind == "maintenance":
            outage = _outage(cond, telephony_503)
            return replace(outage, overflow=True, setup_fail=cond.setup_fail, failure=cond.failure)
        return replace(cond, arrival=cond.arrival * s.param("factor"))  # surge

    return apply


class Timeline:
    """The scenarios placed on absolute time from an origin (the simulation's first instant)."""

    def __init__(
        self,
        scenarios: Sequence[Scenario],
        origin: float,
        samu_ids: Sequence[str] = (),
    ) -> None:
        """`samu_ids` (the simulated SAMU) expands "*"; without it "*" matches any SAMU."""
        self.scenarios = tuple(scenarios)
        self.origin = origin
        self._windows: dict[str, list[Window]] = {}
        for s in self.scenarios:
            start = s.at_s if s.absolute else origin + s.at_s
            targets = tuple(samu_ids) if s.samu_ids == (ALL_SAMU,) and samu_ids else s.samu_ids
            if s.kind == "migration":
                step = dict(s.params).get("step", s.duration_s / max(len(targets), 1))
                length = s.param("outage")
                for i, samu_id in enumerate(targets):
                    begin = start + i * step
                    self._add(Window(samu_id, begin, min(begin + length, start + s.duration_s), s))
            else:
                for samu_id in targets:
                    self._add(Window(samu_id, start, start + s.duration_s, s))

    def _add(self, window: Window) -> None:
        self._windows.setdefault(window.samu_id, []).append(window)

    def windows(self, samu_id: str) -> list[Window]:
        """The windows that concern one SAMU (its own and those on every SAMU), in spec order."""
        own = self._windows.get(samu_id, []) + self._windows.get(ALL_SAMU, [])
        return sorted(own, key=lambda w: self.scenarios.index(w.scenario))

    def condition_at(self, samu_id: str, at: float) -> Condition:
        """The composed condition of a SAMU at an epoch second."""
        cond = NORMAL
        for window in self.windows(samu_id):
            if window.start <= at < window.end:
                cond = _effect(window, at)(cond)
                cond = replace(cond, labels=(*cond.labels, window.scenario.label()))
        return cond

    def conditions(
        self, samu_id: str, starts: NDArray[np.float64]
    ) -> tuple[tuple[Condition, ...], NDArray[np.int64]]:
        """Distinct conditions over slots starting at `starts`, and each slot's index into them."""
        index = np.zeros(len(starts), dtype=np.int64)
        windows = self.windows(samu_id)
        if not windows:
            return (NORMAL,), index
        found: dict[Condition, int] = {NORMAL: 0}
        touched = np.zeros(len(starts), dtype=bool)
        for w in windows:
            touched |= (starts >= w.start) & (starts < w.end)
        for i in np.flatnonzero(touched):
            cond = self.condition_at(samu_id, float(starts[i]))
            index[i] = found.setdefault(cond, len(found))
        return tuple(found), index

    def delivery(
        self, samu_id: str, starts: NDArray[np.float64]
    ) -> tuple[NDArray[np.bool_], NDArray[np.float64]]:
        """Per slot starting at `starts`: whether what the SAMU sends is lost (a collector
        restart), and how many seconds late the rest arrives (a late window)."""
        lost = np.zeros(len(starts), dtype=bool)
        delay = np.zeros(len(starts))
        for w in self.windows(samu_id):
            inside = (starts >= w.start) & (starts < w.end)
            if w.scenario.kind == "restart":
                lost |= inside
            elif w.scenario.kind == "late":
                delay = np.where(inside, np.maximum(delay, w.scenario.param("delay")), delay)
        return lost, delay

    def maintenance(self) -> list[MaintenanceMark]:
        """Every planned maintenance window played, per SAMU."""
        return [
            MaintenanceMark(w.samu_id, w.start, w.end, "simulated planned maintenance")
            for ws in self._windows.values()
            for w in ws
            if w.scenario.kind == "maintenance"
        ]
