"""Wiring of a UI process without the engine (`vigie ui` beside a server DSN): the UI's live
state is read back from the store where the engine writes it (dashboards/stored.py), and its
actions go to the engine's API (`VIGIE_ENGINE_URL`)."""

from __future__ import annotations

from collections.abc import Sequence

from alerts.notify import RecordingContactSender, RecordingSink
from alerts.oncall.service import OnCallService
from alerts.service import AlertingService
from dashboards.stored import EngineApi, StoredSources, StoredState, stored_statuses
from slo.evaluate import SloStatus
from slo.live import LiveStatuses
from slo.loader import load_policy, load_specs
from slo.model import SLO
from vigie.alerting import load_alerting_files
from vigie.catalogue import conventions_catalogue
from vigie.platform import Platform

STATE_TTL_S = 5.0  # how stale the alert and incident state may be (the engine ticks every 1 s)


def stored_ui(platform: Platform) -> StoredSources:
    """Read-only copies of the engine's state, rebuilt from the store; nothing here pages."""
    s = platform.settings
    regions = {samu.id: samu.region for samu in platform.registry}
    specs = load_specs(s.slo_specs, conventions_catalogue(), load_policy())

    def build() -> tuple[AlertingService, OnCallService]:
        config, oncall_config = load_alerting_files(platform)  # a reload picks up new files
        oncall = OnCallService(
            platform.store, platform.clock, oncall_config, RecordingContactSender()
        )
        oncall.load()
        service = AlertingService(
            platform.store, config, RecordingSink(), platform.clock, regions=regions
        )
        return service, oncall

    state = StoredState(build, STATE_TTL_S)

    labels = {samu.id: {**samu.to_dict(), "overseas": samu.overseas} for samu in platform.registry}
    live = LiveStatuses(platform.store, labels, regions)  # kept current like the engine's

    def statuses() -> Sequence[SloStatus]:
        windows = state.alerting().maintenance.list()
        return live.statuses(specs.slos, platform.clock.now(), windows)

    def slos() -> Sequence[SLO]:
        return tuple(specs.slos)

    return StoredSources(
        state=state,
        engine=EngineApi(s.engine_url),
        statuses=stored_statuses(statuses, s.engine_interval_s),
        slos=slos,
    )
