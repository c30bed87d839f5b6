"""What the scripted scenarios impose on one SAMU at one instant; NORMAL when nothing does."""

from __future__ import annotations

from dataclasses import dataclass

# The components whose `samu.component.up` gauge the agent reports (the carrier is not one of
# them: the platform does not see the carrier, which is why a carrier fault looks like silence).
WATCHED_COMPONENTS: tuple[str, ...] = ("database", "hub", "network", "telephony")


@dataclass(frozen=True)
class FailureMode:
    """How a failing call setup, probe or check is reported."""

    outcome: str = "failed"
    sip_code: str = "503"
    component: str = "telephony"


@dataclass(frozen=True)
class Condition:
    """Multipliers and failure fractions in force for one SAMU; composed from active scenarios."""

    arrival: float = 1.0  # multiplier on arriving calls (0 = the carrier delivers nothing)
    overflow: bool = False  # calls are routed to the backup SAMU (planned maintenance)
    setup_fail: float = 0.0  # fraction of setup attempts failing as `failure`
    failure: FailureMode = FailureMode()
    delay_factor: float = 1.0  # multiplier on setup delay
    delay_shift_s: float = 0.0  # seconds added to setup delay (a farther platform)
    wait_factor: float = 1.0  # multiplier on time to answer
    probe_fail: float = 0.0  # probability that a synthetic call fails (as `probe_component`)
    probe_component: str = "telephony"
    check_fail: float = 0.0  # probability that a reachability check fails
    check_component: str = "telephony"
    down: frozenset[str] = frozenset()  # components whose up-gauge reads 0
    latency_factor: float = 1.0  # multiplier on network latency
    latency_shift_s: float = 0.0  # seconds added to network latency
    flap: float = 0.0  # share of slots in which the `flap_component` up-gauge reads 0
    flap_component: str = "database"
    labels: tuple[str, ...] = ()  # the scenarios in force, for logs and marks


NORMAL = Condition()
