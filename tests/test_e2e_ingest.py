"""Real OpenTelemetry SDK exporters → `vigie up` (a real process) → chdb → exact counts back."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from opentelemetry.exporter.otlp.proto.common._internal.metrics_encoder import encode_metrics
from opentelemetry.exporter.otlp.proto.grpc.metric_exporter import (
    OTLPMetricExporter as GrpcExporter,
)
from opentelemetry.exporter.otlp.proto.http.metric_exporter import (
    OTLPMetricExporter as HttpExporter,
)
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader, PeriodicExportingMetricReader
from opentelemetry.sdk.resources import Resource

from collector.conventions import SETUP_BOUNDS
from tests.fixtures.platform import PlatformProcess

PARIS = "fr.health.samu075"
LYON = "fr.health.samu069"
NEVER = 10**9  # export only when the test flushes


def _resource(samu: str, instance: str) -> Resource:
    return Resource.create(
        {"samu.id": samu, "service.name": "gateway", "service.instance.id": instance}
    )


class Agent:
    """A SAMU gateway: real SDK instruments, exported when the test says so."""

    def __init__(self, samu: str, exporter: object, instance: str = "gw-1") -> None:
        self.reader = PeriodicExportingMetricReader(exporter, export_interval_millis=NEVER)  # type: ignore[arg-type]
        self.provider = MeterProvider(
            metric_readers=[self.reader],
            resource=_resource(samu, instance),
            shutdown_on_exit=False,
        )
        meter = self.provider.get_meter("gateway")
        self.setups = meter.create_counter("samu.call.setups", unit="{call}")
        self.durations = meter.create_histogram(
            "samu.call.setup.duration",
            unit="s",
            explicit_bucket_boundaries_advisory=list(SETUP_BOUNDS),
        )

    def calls(self, success: int, failed: int, durations: list[float]) -> None:
        self.setups.add(success, {"outcome": "success"}) if success else None
        self.setups.add(failed, {"outcome": "failed", "sip.status_code": "503"}) if failed else None
        for d in durations:
            self.durations.record(d)

    def export(self) -> None:
        assert self.provider.force_flush(timeout_millis=30_000)

    def close(self) -> None:
        self.provider.shutdown()


def _totals(platform: PlatformProcess, samu: str) -> dict[tuple[str, str, float | None], float]:
    now = datetime.now(UTC)
    with platform.client() as client:
        response = client.get(
            f"/api/v1/samu/{samu}/counts",
            params={
                "from": (now - timedelta(hours=1)).isoformat(),
                "to": (now + timedelta(minutes=10)).isoformat(),
            },
            timeout=30,
        )
    assert response.status_code == 200, response.text
    totals: dict[tuple[str, str, float | None], float] = {}
    for row in response.json():
        key = (row["metric"], row["outcome"], row["le"])
        totals[key] = totals.get(key, 0.0) + row["value"]
    return totals


@pytest.fixture
def platform(tmp_path: Path) -> Iterator[PlatformProcess]:
    proc = PlatformProcess(tmp_path / "data")
    proc.start()
    yield proc
    if proc.process and proc.process.poll() is None:
        proc.stop()


def test_counts_sent_by_real_sdk_exporters_come_back_exact_across_a_restart(
    platform: PlatformProcess,
) -> None:
    paris_auth = {"authorization": f"Bearer {platform.agent_token(PARIS)}"}
    lyon_token = platform.agent_token(LYON)
    http_agent = Agent(
        PARIS, HttpExporter(endpoint=f"{platform.otlp_url}/v1/metrics", headers=paris_auth)
    )
    grpc_agent = Agent(
        LYON,
        GrpcExporter(
            endpoint=f"127.0.0.1:{platform.otlp_grpc_port}",
            insecure=True,
            headers=(("authorization", f"Bearer {lyon_token}"),),
        ),
    )
    # Cumulative export 1.
    http_agent.calls(success=5, failed=1, durations=[0.2, 0.8, 2.5])
    grpc_agent.calls(success=7, failed=0, durations=[0.3])
    http_agent.export()
    grpc_agent.export()
    # A request delivered twice (a client retry): SDK-encoded body, posted twice.
    reader = InMemoryMetricReader()
    retry_provider = MeterProvider(
        metric_readers=[reader], resource=_resource(PARIS, "gw-retry"), shutdown_on_exit=False
    )
    retry_provider.get_meter("g").create_counter("samu.call.setups").add(4, {"outcome": "success"})
    data = reader.get_metrics_data()
    assert data is not None
    body = encode_metrics(data).SerializeToString()
    for _ in range(2):
        answer = httpx.post(
            f"{platform.otlp_url}/v1/metrics",
            content=body,
            headers={"Content-Type": "application/x-protobuf", **paris_auth},
            timeout=30,
        )
        assert answer.status_code == 200
    retry_provider.shutdown()

    # The platform restarts between two cumulative exports of the same series.
    assert platform.stop() == 0
    platform.start()
    answer = httpx.post(
        f"{platform.otlp_url}/v1/metrics",
        content=body,
        headers={"Content-Type": "application/x-protobuf", **paris_auth},
        timeout=30,
    )
    assert answer.status_code == 200  # the same request once more, after the restart
    http_agent.calls(success=3, failed=2, durations=[0.1])
    http_agent.export()
    # A counter reset: the gateway restarts (new start time), same series identity.
    http_agent.close()
    reset_agent = Agent(
        PARIS, HttpExporter(endpoint=f"{platform.otlp_url}/v1/metrics", headers=paris_auth)
    )
    reset_agent.calls(success=2, failed=0, durations=[])
    reset_agent.export()
    reset_agent.close()
    grpc_agent.close()

    paris = _totals(platform, PARIS)
    assert paris[("samu.call.setups", "success", None)] == 5 + 4 + 3 + 2
    assert paris[("samu.call.setups", "failed", None)] == 1 + 2
    assert paris[("samu.call.setup.duration", "", 1.0)] == 3  # 0.2, 0.8, 0.1 are ≤ 1 s
    assert paris[("samu.call.setup.duration", "", None)] == 4
    lyon = _totals(platform, LYON)
    assert lyon[("samu.call.setups", "success", None)] == 7
    assert lyon[("samu.call.setup.duration", "", 0.5)] == 1


def test_an_unknown_samu_is_refused_counted_and_reported(tmp_path: Path) -> None:
    platform = PlatformProcess(tmp_path / "data", env={"VIGIE_AGENT_AUTH": "off"})
    platform.start()
    try:
        _unknown_samu_is_reported(platform)
    finally:
        platform.stop()


def test_an_agent_without_a_token_or_for_another_samu_is_refused(
    platform: PlatformProcess,
) -> None:
    reader = InMemoryMetricReader()
    provider = MeterProvider(
        metric_readers=[reader], resource=_resource(PARIS, "gw"), shutdown_on_exit=False
    )
    provider.get_meter("g").create_counter("samu.call.setups").add(1, {"outcome": "success"})
    data = reader.get_metrics_data()
    provider.shutdown()
    assert data is not None
    body = encode_metrics(data).SerializeToString()
    url = f"{platform.otlp_url}/v1/metrics"
    kind = {"Content-Type": "application/x-protobuf"}
    assert httpx.post(url, content=body, headers=kind, timeout=30).status_code == 401
    lyon_only = {"authorization": f"Bearer {platform.agent_token(LYON)}", **kind}
    assert httpx.post(url, content=body, headers=lyon_only, timeout=30).status_code == 403


def _unknown_samu_is_reported(platform: PlatformProcess) -> None:
    agent = Agent("fr.health.samu099", HttpExporter(endpoint=f"{platform.otlp_url}/v1/metrics"))
    agent.calls(success=1, failed=0, durations=[])
    agent.export()
    agent.close()
    with platform.client() as client:
        status = client.get("/api/v1/ingest/status").json()
    reasons = {(r["reason"], r["samu_id"]) for r in status["rejections"]}
    assert ("unknown_samu", "fr.health.samu099") in reasons


def test_a_second_instance_on_the_same_data_dir_is_refused_in_one_sentence(
    platform: PlatformProcess,
) -> None:
    other = PlatformProcess(platform.data_dir)
    with pytest.raises(RuntimeError) as info:
        other.start(timeout_s=30)
    assert "already runs" in str(info.value) and "Traceback" not in str(info.value)
