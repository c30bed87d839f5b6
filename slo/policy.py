"""The alert policy as data: multiwindow multi-burn-rate pairs, guards, and their pure evaluation.

Burn factors are derived, never typed: factor = budget fraction × period / long window
(Google SRE Workbook, "Alerting on SLOs"); 2 % of a 30-day budget in 1 h is a burn of 14.4.
The policy itself lives in slo/policy.yaml and is read by `slo.loader.load_policy`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from fractions import Fraction
from typing import Literal

from slo.errors import PolicyError

Severity = Literal["page", "ticket"]
SloClass = Literal["critical", "high", "low"]
POLICY_FILE = "policy.yaml"


def _seconds(value: timedelta) -> Fraction:
    return Fraction(value.days * 86400 + value.seconds) + Fraction(value.microseconds, 10**6)


@dataclass(frozen=True)
class BurnPair:
    """One multiwindow condition: burn above the derived factor over both windows fires it."""

    name: str
    severity: Severity
    budget_fraction: Fraction  # share of the period's budget this pair lets burn before firing
    long: timedelta
    short: timedelta

    def factor(self, period: timedelta) -> float:
        """The burn-rate threshold: budget fraction × period / long window."""
        return float(self.budget_fraction * _seconds(period) / _seconds(self.long))


@dataclass(frozen=True)
class Policy:
    """A named multiwindow multi-burn-rate policy over a budget period (30 d in the Workbook)."""

    name: str
    period: timedelta
    pairs: tuple[BurnPair, ...]

    def factors(self) -> dict[str, float]:
        """The derived factor of every pair, by pair name."""
        return {pair.name: pair.factor(self.period) for pair in self.pairs}

    def windows(self) -> tuple[timedelta, ...]:
        """Every window (long and short) the policy needs a burn sample for, shortest first."""
        return tuple(sorted({w for pair in self.pairs for w in (pair.long, pair.short)}))


@dataclass(frozen=True)
class TrafficCollapse:
    """S4: traffic below a fraction of its same-weekday/hour baseline for a while is an alert."""

    below_fraction: float = 0.2
    for_minutes: int = 10
    # A baseline quieter than this (events per `for_minutes`) is too thin to judge: no alert.
    min_baseline_events: float = 5.0


@dataclass(frozen=True)
class Guards:
    """Low-traffic and fast-path guards that sit beside the burn-rate pairs."""

    # A per-SAMU page needs at least this many bad events in the long window (quiet nights)…
    min_bad_events: int = 3
    # … and this many in the short window: one stray failure does not re-fire a page while the
    # long window still holds an earlier incident's bad events (low traffic, small SAMU).
    min_bad_events_short: int = 2
    probe_failed_minutes: int = 2
    heartbeat_failed_checks: int = 3  # consecutive failed or missing checks
    heartbeat_interval: timedelta = timedelta(seconds=10)
    traffic_collapse: TrafficCollapse = field(default_factory=TrafficCollapse)
    no_data_after: timedelta = timedelta(minutes=5)
    budget_exhausted: bool = True
    budget_forecast: timedelta | None = timedelta(days=3)  # alert when exhaustion is nearer

    @property
    def heartbeat_window(self) -> timedelta:
        """How long the heartbeat must fail before paging (checks × interval, e.g. 30 s)."""
        return self.heartbeat_failed_checks * self.heartbeat_interval


@dataclass(frozen=True)
class ClassDefaults:
    """What an SLO class (critical / high / low) brings: its policy, whether it pages, guards."""

    slo_class: SloClass
    policy: str
    pages: bool  # False: page conditions are demoted to tickets
    guards: Guards


@dataclass(frozen=True)
class PolicySet:
    """Everything slo/policy.yaml defines: named policies, class defaults, default guards."""

    policies: Mapping[str, Policy]
    classes: Mapping[str, ClassDefaults]
    guards: Guards


@dataclass(frozen=True)
class BurnSample:
    """Burn over one window: the burn rate (None = no valid events) and the bad event count."""

    burn_rate: float | None
    bad_events: float
    valid_events: float


@dataclass(frozen=True)
class AlertCondition:
    """A burn-rate pair that holds: both windows burn above the derived factor."""

    pair: str
    severity: Severity
    factor: float
    long_window: timedelta
    short_window: timedelta
    long_burn: float
    short_burn: float


def evaluate_conditions(
    burns: Mapping[timedelta, BurnSample],
    policy: Policy,
    *,
    min_bad_events: float = 0,
    pages: bool = True,
    min_bad_short: float = 0,
) -> list[AlertCondition]:
    """The pairs of `policy` whose long and short windows both burn above their factor.

    A window with no valid events never fires (no data has its own guard). `min_bad_events`
    (per-SAMU guard) suppresses a pair whose long window holds fewer bad events, `min_bad_short`
    one whose short window does; with `pages=False` a page pair is reported as a ticket.
    """
    fired: list[AlertCondition] = []
    for pair in policy.pairs:
        try:
            long, short = burns[pair.long], burns[pair.short]
        except KeyError as exc:
            raise PolicyError(
                f"no burn sample for window {exc.args[0]} (pair {pair.name})"
            ) from exc
        if long.burn_rate is None or short.burn_rate is None:
            continue
        factor = pair.factor(policy.period)
        if long.burn_rate <= factor or short.burn_rate <= factor:
            continue
        if long.bad_events < min_bad_events or short.bad_events < min_bad_short:
            continue
        severity: Severity = pair.severity if pages else "ticket"
        fired.append(
            AlertCondition(
                pair.name, severity, factor, pair.long, pair.short, long.burn_rate, short.burn_rate
            )
        )
    return fired


def detection_time(
    pair: BurnPair, period: timedelta, objective: float, error_ratio: float = 1.0
) -> timedelta | None:
    """Time for a pair to fire after errors start at `error_ratio` on steady traffic.

    Burn over a window w after t ≤ w seconds of errors is (t / w) × error_ratio / (1 − objective),
    so each window needs t = factor × (1 − objective) × w / error_ratio; both must hold. None
    when the error ratio is too low for the pair ever to fire.
    """
    share = pair.factor(period) * (1 - objective) / error_ratio
    if share > 1:
        return None
    return timedelta(seconds=share * max(pair.long, pair.short).total_seconds())


def reset_time(pair: BurnPair, period: timedelta, objective: float) -> timedelta:
    """Time after a long total outage ends until the short window stops firing the pair."""
    factor = pair.factor(period)
    still_bad = factor * (1 - objective) * pair.short.total_seconds()
    return timedelta(seconds=pair.short.total_seconds() - still_bad)
