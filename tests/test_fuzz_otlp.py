"""Fuzzing the OTLP/HTTP receiver: whatever the body, a clear 200/400/413/415, never a 500.

Seeds are bodies produced by the OpenTelemetry SDK; hypothesis mutates their bytes, builds
structurally valid requests with hostile values (NaN, negative counts, extreme times, huge
attribute values, wrong bounds), random and deeply nested JSON, gzip and deflate bombs and
random Content-Type / Content-Encoding headers. The receiver runs with its real BatchWriter on
the real engine, so what passes validation is inserted too. Runs are derandomized (the same
examples every run) and bounded by max_examples.
"""

from __future__ import annotations

import gzip
import itertools
import json
import os
import zlib
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from google.protobuf import json_format
from google.rpc import status_pb2
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from opentelemetry.exporter.otlp.proto.common._internal.metrics_encoder import encode_metrics
from opentelemetry.exporter.otlp.proto.common._internal.trace_encoder import encode_spans
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import (
    ExportMetricsServiceRequest,
    ExportMetricsServiceResponse,
)
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceResponse
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue
from opentelemetry.proto.metrics.v1.metrics_pb2 import (
    Gauge,
    Histogram,
    HistogramDataPoint,
    Metric,
    NumberDataPoint,
    ResourceMetrics,
    ScopeMetrics,
    Sum,
)
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from prometheus_client import CollectorRegistry

from collector.conventions import METRICS, SETUP_BOUNDS
from collector.decode import decode_metrics
from collector.errors import DecodeError
from collector.export import ExportService
from collector.http import create_otlp_router
from collector.limits import Limits
from collector.payload import Encoding
from collector.selfmetrics import SelfMetrics
from collector.writer import BatchWriter
from store.client import Store
from store.clock import SystemClock
from store.migrations import migrate
from store.registry import load_registry
from vigie.schema import all_migrations

LIMIT = 1024 * 1024  # a small body limit, so that bombs and huge values are cheap to make
SAMU = "fr.health.samu075"
ANSWERS = {200, 400, 413, 415}
PROTOBUF = {"Content-Type": "application/x-protobuf"}
JSON = {"Content-Type": "application/json"}


def fuzz(examples: int) -> settings:
    """Deterministic (derandomized, no example database) and bounded hypothesis settings."""
    return settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


_databases = itertools.count()


def _sdk_metrics_body() -> bytes:
    reader = InMemoryMetricReader()
    provider = MeterProvider(
        metric_readers=[reader],
        resource=Resource.create({"samu.id": SAMU, "service.instance.id": "gw-1"}),
        shutdown_on_exit=False,
    )
    meter = provider.get_meter("gateway")
    setups = meter.create_counter("samu.call.setups")
    setups.add(7, {"outcome": "success", "component": "telephony"})
    setups.add(1, {"outcome": "failed", "sip.status_code": "503"})
    durations = meter.create_histogram(
        "samu.call.setup.duration", explicit_bucket_boundaries_advisory=list(SETUP_BOUNDS)
    )
    for seconds in (0.2, 0.8, 2.5):
        durations.record(seconds)
    meter.create_gauge("samu.component.up").set(1, {"component": "database"})
    data = reader.get_metrics_data()
    assert data is not None
    provider.shutdown()
    return bytes(encode_metrics(data).SerializeToString())


def _sdk_traces_body() -> bytes:
    exporter = InMemorySpanExporter()
    provider = TracerProvider(resource=Resource.create({"samu.id": SAMU}))
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    with provider.get_tracer("gateway").start_as_current_span("call.setup") as span:
        span.set_attribute("outcome", "success")
    provider.shutdown()
    return bytes(encode_spans(exporter.get_finished_spans()).SerializeToString())


REGISTRY = load_registry()
METRICS_SEED = _sdk_metrics_body()
TRACES_SEED = _sdk_traces_body()


@pytest.fixture(scope="module")
def fuzz_store(engine: Store) -> Iterator[Store]:
    """One migrated database for the whole module (hypothesis runs many examples per test)."""
    name = f"fuzz{os.getpid()}_{next(_databases)}"
    store = engine.with_database(name)
    migrate(store, migrations=all_migrations())
    yield store
    store.command(f"DROP DATABASE IF EXISTS {name} SYNC")


@pytest.fixture(scope="module")
def client(fuzz_store: Store) -> Iterator[TestClient]:
    """The OTLP router with the real writer on the real engine; server errors raise."""
    metrics = SelfMetrics(CollectorRegistry())
    clock = SystemClock()
    writer = BatchWriter(fuzz_store, metrics, clock, batch_max_delay_s=0)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await writer.start()
        yield
        await writer.close()

    app = FastAPI(lifespan=lifespan)
    limits = Limits(max_body_bytes=LIMIT)
    app.include_router(create_otlp_router(ExportService(writer, REGISTRY, limits, metrics, clock)))
    with TestClient(app) as test_client:
        yield test_client


def check(response: Any, signal: str = "metrics") -> None:
    """One of the four documented answers, with a body that says what happened."""
    assert response.status_code in ANSWERS, (response.status_code, response.text[:300])
    is_json = response.headers["content-type"].startswith("application/json")
    if response.status_code == 200:
        answer: Any = (
            ExportMetricsServiceResponse() if signal == "metrics" else ExportTraceServiceResponse()
        )
    else:
        answer = status_pb2.Status()
    if is_json:
        json_format.Parse(response.content, answer)
    else:
        answer.ParseFromString(response.content)
    if response.status_code != 200:
        assert answer.message, response.content[:300]


# Byte-level mutations of an SDK body: (operation, position, bytes).
MUTATION = st.tuples(
    st.sampled_from(["flip", "delete", "insert", "truncate", "duplicate"]),
    st.integers(min_value=0, max_value=10_000),
    st.binary(min_size=1, max_size=16),
)


def mutate(seed: bytes, mutations: list[tuple[str, int, bytes]]) -> bytes:
    data = bytearray(seed)
    for op, where, chunk in mutations:
        at = where % (len(data) + 1)
        if op == "flip" and data:
            data[at % len(data)] ^= chunk[0] or 0xFF
        elif op == "delete":
            del data[at : at + len(chunk)]
        elif op == "insert":
            data[at:at] = chunk
        elif op == "truncate":
            del data[at:]
        else:
            data[at:at] = data[at : at + 4 * len(chunk)]
    return bytes(data)


@fuzz(600)
@given(st.lists(MUTATION, min_size=1, max_size=6), st.booleans())
def test_mutated_sdk_protobuf_bodies_get_a_clear_answer(
    client: TestClient, mutations: list[tuple[str, int, bytes]], traces: bool
) -> None:
    seed, path = (TRACES_SEED, "/v1/traces") if traces else (METRICS_SEED, "/v1/metrics")
    check(client.post(path, content=mutate(seed, mutations), headers=PROTOBUF), path[4:])


@fuzz(1500)
@given(st.binary(max_size=512))
def test_decode_metrics_raises_nothing_but_decode_error_on_any_bytes(body: bytes) -> None:
    encodings: tuple[Encoding, ...] = ("protobuf", "json")
    for encoding in encodings:
        try:
            decode_metrics(body, encoding, REGISTRY, 0, Limits())
        except DecodeError as error:
            assert str(error)


@fuzz(400)
@given(st.lists(MUTATION, min_size=1, max_size=6))
def test_decode_metrics_raises_nothing_but_decode_error_on_mutated_sdk_bodies(
    mutations: list[tuple[str, int, bytes]],
) -> None:
    try:
        decode_metrics(mutate(METRICS_SEED, mutations), "protobuf", REGISTRY, 0, Limits())
    except DecodeError as error:
        assert str(error)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "resourceMetrics",
                    "resource",
                    "attributes",
                    "key",
                    "value",
                    "stringValue",
                    "scopeMetrics",
                    "metrics",
                    "name",
                    "sum",
                    "dataPoints",
                    "asInt",
                    "asDouble",
                    "timeUnixNano",
                    "startTimeUnixNano",
                    "histogram",
                    "bucketCounts",
                    "explicitBounds",
                    "aggregationTemporality",
                    "isMonotonic",
                    "gauge",
                    "traceId",
                    "spanId",
                    "resourceSpans",
                    "scopeSpans",
                    "spans",
                    "kvlistValue",
                    "arrayValue",
                    "values",
                ]
            )
            | st.text(max_size=8),
            children,
            max_size=5,
        )
    ),
    max_leaves=30,
)


@fuzz(500)
@given(JSON_VALUES, st.sampled_from(["/v1/metrics", "/v1/traces"]))
def test_random_json_documents_get_a_clear_answer(
    client: TestClient, document: Any, path: str
) -> None:
    body = json.dumps(document, allow_nan=True).encode()
    check(client.post(path, content=body, headers=JSON), path[4:])


@fuzz(60)
@given(
    st.integers(min_value=1, max_value=200_000),
    st.sampled_from(
        [
            "[",
            '{"a":',
            '{"resourceMetrics":[{"resource":{"attributes":[{"value":{"kvlistValue":{"values":[{"value":',
        ]
    ),
)
def test_deeply_nested_json_gets_a_400(client: TestClient, depth: int, opener: str) -> None:
    body = (opener * depth).encode()
    response = client.post("/v1/metrics", content=body, headers=JSON)
    check(response)
    assert response.status_code in (400, 413)


def _field(number: int, payload: bytes) -> bytes:
    """A length-delimited protobuf field (wire type 2), written by hand."""
    size, length = bytearray(), len(payload)
    while True:
        size.append((length & 0x7F) | (0x80 if length > 0x7F else 0))
        length >>= 7
        if not length:
            break
    return bytes([number << 3 | 2]) + bytes(size) + payload


def _nested_attribute(depth: int) -> bytes:
    """A KeyValue whose AnyValue nests `depth` kvlists (past what the protobuf library builds)."""
    value = AnyValue(string_value="leaf").SerializeToString()
    for _ in range(depth):
        key_value = _field(1, b"k") + _field(2, value)
        value = _field(6, _field(1, key_value))  # AnyValue.kvlist_value.values
    return _field(1, b"nested") + _field(2, value)


@pytest.mark.parametrize("depth", [10, 40, 1_000, 50_000])
def test_a_deeply_nested_protobuf_attribute_gets_a_clear_answer(
    client: TestClient, depth: int
) -> None:
    # A second ResourceMetrics whose resource carries the nested attribute.
    resource = _field(1, _field(1, _nested_attribute(depth)))
    body = METRICS_SEED + _field(1, resource)
    response = client.post("/v1/metrics", content=body, headers=PROTOBUF)
    check(response)
    # Three message levels per kvlist: past the protobuf library's 100 levels it is a 400.
    assert response.status_code == (200 if depth * 3 < 100 else 400)


FLOATS = st.floats(allow_nan=True, allow_infinity=True)
UINT64 = st.integers(min_value=0, max_value=2**64 - 1)
TEXT = st.text(max_size=40) | st.sampled_from(["", "0612345678", "+33 6 12 34 56 78", "x" * 5000])


@st.composite
def hostile_requests(draw: st.DrawFn) -> ExportMetricsServiceRequest:
    """A well-formed request whose values are anything: the validator's and the store's job."""
    name = draw(st.sampled_from(sorted(METRICS)) | TEXT)
    attrs = [
        KeyValue(key=draw(TEXT), value=AnyValue(string_value=draw(TEXT)))
        for _ in range(draw(st.integers(0, 3)))
    ]
    attrs += [KeyValue(key="outcome", value=AnyValue(string_value="success"))]
    times = {"start_time_unix_nano": draw(UINT64), "time_unix_nano": draw(UINT64)}
    if draw(st.booleans()):
        now = draw(st.integers(1_600_000_000, 1_900_000_000)) * 10**9
        times = {"start_time_unix_nano": now - 10**9, "time_unix_nano": now}
    kind = draw(st.sampled_from(["sum", "gauge", "histogram"]))
    metric = Metric(name=name)
    if kind == "histogram":
        bounds = draw(st.sampled_from([list(SETUP_BOUNDS), []]) | st.lists(FLOATS, max_size=9))
        point = HistogramDataPoint(
            attributes=attrs,
            count=draw(UINT64),
            sum=draw(FLOATS),
            explicit_bounds=bounds,
            bucket_counts=draw(st.lists(UINT64, max_size=10)),
            **times,
        )
        temporality = draw(st.integers(0, 3))
        metric.histogram.CopyFrom(
            Histogram(data_points=[point], aggregation_temporality=temporality)
        )
    else:
        number = NumberDataPoint(attributes=attrs, **times)
        if draw(st.booleans()):
            number.as_double = draw(FLOATS)
        else:
            number.as_int = draw(st.integers(-(2**63), 2**63 - 1))
        if kind == "sum":
            metric.sum.CopyFrom(
                Sum(
                    data_points=[number],
                    is_monotonic=draw(st.booleans()),
                    aggregation_temporality=draw(st.integers(0, 3)),
                )
            )
        else:
            metric.gauge.CopyFrom(Gauge(data_points=[number]))
    samu = draw(st.sampled_from([SAMU, "fr.health.samu999", "", "x" * 300]))
    resource = [KeyValue(key="samu.id", value=AnyValue(string_value=samu))]
    return ExportMetricsServiceRequest(
        resource_metrics=[
            ResourceMetrics(
                resource={"attributes": resource},
                scope_metrics=[ScopeMetrics(metrics=[metric])],
            )
        ]
    )


@fuzz(400)
@given(hostile_requests(), st.booleans())
def test_well_formed_requests_with_hostile_values_get_a_clear_answer(
    client: TestClient, request: ExportMetricsServiceRequest, as_json: bool
) -> None:
    if as_json:
        body = json_format.MessageToJson(request).encode()
        check(client.post("/v1/metrics", content=body, headers=JSON))
    else:
        check(client.post("/v1/metrics", content=request.SerializeToString(), headers=PROTOBUF))


@pytest.mark.parametrize(
    ("size", "expected"),
    [(100, 200), (200_000, 200), (LIMIT - 2_000, 200), (LIMIT, 413), (4 * LIMIT, 413)],
)
def test_a_huge_attribute_value_is_stored_cut_refused_or_413_never_a_500(
    client: TestClient, size: int, expected: int
) -> None:
    request = ExportMetricsServiceRequest.FromString(METRICS_SEED)
    point = request.resource_metrics[0].scope_metrics[0].metrics[0].sum.data_points[0]
    point.attributes.append(KeyValue(key="huge", value=AnyValue(string_value="7" * size)))
    response = client.post("/v1/metrics", content=request.SerializeToString(), headers=PROTOBUF)
    check(response)
    assert response.status_code == expected


def _bomb(size: int) -> bytes:
    return gzip.compress(b"\0" * size, compresslevel=9)


BOMBS = {
    "a gzip bomb": ("gzip", _bomb(16 * LIMIT), 413),
    "a deflate bomb": ("deflate", zlib.compress(b"\0" * 16 * LIMIT, 9), 413),
    "a gzip bomb in a second gzip member": (
        "gzip",
        gzip.compress(METRICS_SEED) + _bomb(8 * LIMIT),
        413,
    ),
    "gzip inside gzip": ("gzip", gzip.compress(_bomb(16 * LIMIT)), 400),
    "a truncated gzip body": ("gzip", gzip.compress(METRICS_SEED)[:-9], 400),
    "gzip bytes declared as deflate": ("deflate", gzip.compress(METRICS_SEED), 400),
    "plain bytes declared as gzip": ("gzip", METRICS_SEED, 400),
    "a well-formed gzip body": ("gzip", gzip.compress(METRICS_SEED), 200),
    "an unknown encoding": ("br", METRICS_SEED, 415),
}


@pytest.mark.parametrize(("encoding", "body", "expected"), BOMBS.values(), ids=BOMBS.keys())
def test_compressed_bodies_and_bombs_get_the_documented_answer(
    client: TestClient, encoding: str, body: bytes, expected: int
) -> None:
    headers = {**PROTOBUF, "Content-Encoding": encoding}
    response = client.post("/v1/metrics", content=body, headers=headers)
    check(response)
    assert response.status_code == expected


@fuzz(300)
@given(
    st.sampled_from(["application/x-protobuf", "application/json", "application/protobuf"])
    | st.text(max_size=60),
    st.sampled_from(["", "; charset=utf-8", "; charset=latin-1", ";;;", '; charset="UTF-8"'])
    | st.text(max_size=30),
    st.sampled_from(["identity", "gzip", "deflate", ""]) | st.text(max_size=20),
)
def test_any_content_type_and_encoding_header_gets_a_clear_answer(
    client: TestClient, media: str, params: str, encoding: str
) -> None:
    headers = {"Content-Type": media + params, "Content-Encoding": encoding}
    try:
        request = client.build_request("POST", "/v1/metrics", content=METRICS_SEED, headers=headers)
    except (UnicodeEncodeError, ValueError):
        return  # not a header an HTTP client can send
    check(client.send(request))
