"""Limits on every input (issue 14, item 5): each refusal has a reason, a counter and a message,
and nothing else of the same request is lost.

Telemetry: attribute length, attributes per resource/point/span, points per request, series per
SAMU, plausible numbers. Configuration: the routing configuration's size and route count.
"""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import (
    ExportMetricsServiceRequest,
    ExportMetricsServiceResponse,
)
from opentelemetry.proto.common.v1.common_pb2 import KeyValue
from prometheus_client import CollectorRegistry
from starlette.testclient import TestClient as OtlpClient

from alerts.am_api import create_am_router
from alerts.config import parse_config
from alerts.config_limits import ConfigLimits
from alerts.errors import ConfigError
from alerts.notify import RecordingSink as AlertSink
from alerts.service import AlertingService
from collector.decode import decode_metrics_request
from collector.limits import Limits, SeriesBudget
from collector.model import Decoded
from collector.reasons import REASONS
from collector.spans import decode_traces_request
from store.client import Store
from store.clock import FakeClock
from tests.fixtures.otlp.peers import RecordingSink, otlp_app
from tests.fixtures.otlp.sdk import KNOWN_SAMU, LYON, PARIS, spans_request
from tests.test_am_api_silences import DATA, NOW
from tests.test_spans import NOW as SPAN_NOW
from tests.test_spans import one_span

NOW_NS = time.time_ns()
MINUTE_NS = 60 * 10**9
PROTOBUF = {"Content-Type": "application/x-protobuf"}


def kv(key: str, value: str) -> KeyValue:
    item = KeyValue(key=key)
    item.value.string_value = value
    return item


def add_resource(
    request: Any, samu: str = PARIS, extra: dict[str, str] | None = None, points: int = 1
) -> Any:
    """A resource with `points` cumulative call-setup points, one series each (sip code)."""
    rm = request.resource_metrics.add()
    rm.resource.attributes.extend([kv("samu.id", samu), kv("service.instance.id", "gw-1")])
    rm.resource.attributes.extend(kv(k, v) for k, v in (extra or {}).items())
    metric = rm.scope_metrics.add().metrics.add()
    metric.name = "samu.call.setups"
    metric.sum.is_monotonic = True
    metric.sum.aggregation_temporality = 2
    for i in range(points):
        point = metric.sum.data_points.add()
        point.start_time_unix_nano, point.time_unix_nano = NOW_NS - MINUTE_NS, NOW_NS
        point.as_int = 3
        point.attributes.extend(
            [kv("outcome", "success"), kv("sip.status_code", str(200 + i % 400))]
        )
    return rm


def decode(request: Any, limits: Limits | None = None) -> Decoded:
    return decode_metrics_request(request, KNOWN_SAMU, NOW_NS, limits or Limits())


def reasons(decoded: Decoded) -> dict[str, int]:
    out: dict[str, int] = {}
    for r in decoded.rejections:
        out[r.reason] = out.get(r.reason, 0) + r.count
    return out


def with_good_neighbour(build: Any) -> Any:
    """A request with the offending resource first and a clean resource (Lyon) after it."""
    request = ExportMetricsServiceRequest()
    build(request)
    add_resource(request, LYON)
    return request


def first_point(rm: Any) -> Any:
    return rm.scope_metrics[0].metrics[0].sum.data_points[0]


BIG = "x" * (6 * 1024 * 1024)


@pytest.mark.parametrize(
    ("name", "build", "reason"),
    [
        (
            "a 6 MB resource attribute that is kept (service.instance.id)",
            lambda r: add_resource(r, extra={"service.version": BIG}),
            "attribute_too_long",
        ),
        (
            "a 6 MB resource attribute that would be dropped",
            lambda r: add_resource(r, extra={"host.name": BIG}),
            "attribute_too_long",
        ),
        (
            "a 6 MB attribute key",
            lambda r: add_resource(r, extra={BIG: "x"}),
            "attribute_too_long",
        ),
        (
            "10,000 resource attributes",
            lambda r: add_resource(r, extra={f"k{i}": "v" for i in range(10_000)}),
            "too_many_attributes",
        ),
        (
            "a 6 MB point attribute",
            lambda r: first_point(add_resource(r)).attributes.append(kv("outcome.detail", BIG)),
            "attribute_too_long",
        ),
        (
            "1,000 point attributes",
            lambda r: first_point(add_resource(r)).attributes.extend(
                kv(f"a{i}", "v") for i in range(1000)
            ),
            "too_many_attributes",
        ),
        (
            "a counter of 1e308",
            lambda r: setattr(first_point(add_resource(r)), "as_double", 1e308),
            "implausible_value",
        ),
        (
            "a NaN counter",
            lambda r: setattr(first_point(add_resource(r)), "as_double", float("nan")),
            "bad_value",
        ),
        (
            "an infinite counter",
            lambda r: setattr(first_point(add_resource(r)), "as_double", float("inf")),
            "bad_value",
        ),
        (
            "a negative counter",
            lambda r: setattr(first_point(add_resource(r)), "as_int", -1),
            "bad_value",
        ),
    ],
)
def test_an_input_over_a_limit_is_refused_with_its_reason_and_the_rest_is_kept(
    name: str, build: Any, reason: str
) -> None:
    decoded = decode(with_good_neighbour(build))
    assert reasons(decoded) == {reason: 1}
    assert [p.samu_id for p in decoded.points] == [LYON], "the clean resource is kept"
    assert reason in REASONS
    assert BIG not in repr(decoded)


def test_a_request_over_the_points_limit_keeps_the_first_points_and_refuses_the_rest() -> None:
    request = ExportMetricsServiceRequest()
    add_resource(request, PARIS, points=7)
    add_resource(request, LYON, points=5)
    decoded = decode(request, Limits(max_points_per_request=10))
    assert len(decoded.points) == 10
    assert reasons(decoded) == {"too_many_points": 2}
    assert {r.samu_id for r in decoded.rejections} == {LYON}


def test_spans_count_against_the_same_limit() -> None:
    request = spans_request(lambda tracer: [one_span()(tracer) for _ in range(3)])
    limits = Limits(max_points_per_request=2)
    decoded = decode_traces_request(request, KNOWN_SAMU, SPAN_NOW, limits)
    assert reasons(decoded) == {"too_many_points": 1}


def test_a_long_span_attribute_is_refused() -> None:
    request = spans_request(one_span(attributes={"component": "x" * 10_000}))
    decoded = decode_traces_request(request, KNOWN_SAMU, SPAN_NOW, Limits())
    assert reasons(decoded) == {"attribute_too_long": 1}


def test_new_series_over_the_budget_of_a_samu_are_refused_and_known_ones_go_on() -> None:
    clock = FakeClock(NOW)
    limits = Limits(series=SeriesBudget(3, clock))
    first = ExportMetricsServiceRequest()
    add_resource(first, PARIS, points=5)
    add_resource(first, LYON, points=2)
    decoded = decode(first, limits)
    assert reasons(decoded) == {"too_many_series": 2}
    assert sorted(p.samu_id for p in decoded.points) == [LYON] * 2 + [PARIS] * 3
    again = ExportMetricsServiceRequest()
    add_resource(again, PARIS, points=3)
    assert reasons(decode(again, limits)) == {}, "the series already admitted keep flowing"


def test_series_idle_for_a_day_free_their_place() -> None:
    clock = FakeClock(NOW)
    budget = SeriesBudget(2, clock)
    assert budget.admit(PARIS, 1) and budget.admit(PARIS, 2) and not budget.admit(PARIS, 3)
    clock.advance(timedelta(seconds=SeriesBudget.IDLE_S + 60))
    assert budget.admit(PARIS, 3)


def test_limits_come_from_settings_with_documented_defaults() -> None:
    from vigie.reference import configuration_table
    from vigie.settings import Settings

    settings = Settings()
    limits = Limits.from_settings(settings, FakeClock(NOW))
    assert limits.max_attribute_length == settings.max_attribute_length == 256
    assert limits.max_attributes == settings.max_attributes == 64
    assert limits.max_points_per_request == settings.max_points_per_request == 100_000
    assert limits.max_value == settings.max_value == 1e12
    assert limits.series is not None and limits.series.max_series == 20_000
    table = configuration_table()
    for name in (
        "MAX_ATTRIBUTE_LENGTH",
        "MAX_ATTRIBUTES",
        "MAX_POINTS_PER_REQUEST",
        "MAX_SERIES_PER_SAMU",
        "MAX_VALUE",
        "MAX_CONFIG_BYTES",
        "MAX_ROUTES",
    ):
        assert f"`VIGIE_{name}`" in table


def test_over_http_the_answer_names_the_reason_the_counter_counts_it_and_the_rest_is_stored() -> (
    None
):
    sink, registry = RecordingSink(), CollectorRegistry()
    client = OtlpClient(otlp_app(sink, Limits(), registry))
    request = with_good_neighbour(lambda r: add_resource(r, extra={"service.version": BIG}))
    answer = client.post("/v1/metrics", content=request.SerializeToString(), headers=PROTOBUF)
    assert answer.status_code == 200
    body = ExportMetricsServiceResponse.FromString(answer.content)
    assert body.partial_success.rejected_data_points == 1
    assert "attribute_too_long=1" in body.partial_success.error_message
    assert [p.samu_id for p in sink.points] == [LYON]  # type: ignore[attr-defined]
    counted = [
        sample.value
        for metric in registry.collect()
        for sample in metric.samples
        if sample.name == "vigie_ingest_points_rejected_total"
        and sample.labels["reason"] == "attribute_too_long"
    ]
    assert counted == [1]


# --- the routing configuration ----------------------------------------------------------------


def routes(n: int) -> str:
    children = "".join(
        f'    - matchers: [samu="fr.health.samu{i:03d}"]\n      receiver: noc\n' for i in range(n)
    )
    return "route:\n  receiver: noc\n  routes:\n" + children + "receivers:\n  - name: noc\n"


def alerting(store: Store) -> tuple[TestClient, AlertingService, CollectorRegistry]:
    clock, registry = FakeClock(NOW), CollectorRegistry()
    svc = AlertingService(
        store,
        parse_config((DATA / "pipeline.yml").read_text()),
        AlertSink(),
        clock,
        registry=registry,
        watchdog_interval=None,
        limits=ConfigLimits(max_bytes=64 * 1024, max_routes=100),
    )
    app = FastAPI()
    app.include_router(create_am_router(svc, clock))
    return TestClient(app), svc, registry


def test_a_routing_configuration_over_the_size_limit_is_refused_before_parsing(
    store: Store,
) -> None:
    client, svc, registry = alerting(store)
    big = routes(10) + "# " + "x" * (64 * 1024) + "\n"
    answer = client.post("/api/v1/alerting/reload", content=big)
    assert answer.status_code == 413
    assert "larger than the limit" in answer.json()["problems"][0]
    assert "VIGIE_MAX_CONFIG_BYTES" in answer.json()["problems"][0]
    assert svc.config.route.opts.receiver == "noc" and len(svc.config.route.routes) == 2
    refused = {"limit": "max_config_bytes"}
    assert registry.get_sample_value("vigie_alerting_config_refused_total", refused) == 1


def test_a_routing_tree_over_the_route_limit_is_refused(store: Store) -> None:
    client, _, registry = alerting(store)
    answer = client.post("/api/v1/alerting/reload", content=routes(150))
    assert answer.status_code == 413
    assert "151 routes" in answer.json()["problems"][0]
    assert "VIGIE_MAX_ROUTES" in answer.json()["problems"][0]
    assert client.post("/api/v1/alerting/reload", content=routes(99)).status_code == 200
    refused = {"limit": "max_routes"}
    assert registry.get_sample_value("vigie_alerting_config_refused_total", refused) == 1


def test_the_default_limits_apply_to_every_routing_configuration_read() -> None:
    with pytest.raises(ConfigError, match="routes"):
        parse_config(routes(6000))
    parse_config(routes(100))
