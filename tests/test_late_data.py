"""Late and out-of-order data on the real engine: stored counts equal sent counts, to the event,
and the SLO figures and the report equal those of the same exports delivered in order.

Real OpenTelemetry SDK exports (their timestamps moved onto the test's calendar) go through
the decoder and the batching writer into chdb; what `minute_counts` holds afterwards is
compared with an independent in-order recomputation (tests/late_points.py), and what the
platform states from it (every shipped SLO's status, the monthly report's JSON) with what it
states from a second database that received the same exports in order.
"""

from __future__ import annotations

import asyncio
import itertools
import random
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import httpx
import pytest
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from opentelemetry.exporter.otlp.proto.common._internal.metrics_encoder import encode_metrics
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import (
    ExportMetricsServiceRequest,
    ExportMetricsServiceResponse,
)
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from prometheus_client import CollectorRegistry

from collector.conventions import SETUP_BOUNDS
from collector.decode import decode_metrics
from collector.export import ExportService
from collector.http import create_otlp_router
from collector.limits import Limits
from collector.model import DataPoint, Decoded, WriteResult
from collector.rows import series_key_of
from collector.selfmetrics import SelfMetrics
from collector.writer import BatchWriter
from reports.compute import compute_month, labels_of
from reports.render_json import render_json
from slo.evaluate import SloStatus
from slo.figures import period
from slo.windows import Interval
from store.client import Store
from store.clock import FakeClock
from store.migrations import migrate
from store.registry import load_registry
from tests.fixtures.otlp.sdk import DELTA, KNOWN_SAMU, PARIS, resource
from tests.late_points import S, add_minute_totals, series_points
from tests.test_slo_eval_factories import shipped
from vigie.schema import all_migrations

MINUTE = 60 * S
# Recent enough for the late-data horizon and the store's retention (35 days).
NOW = datetime.now(UTC).replace(second=0, microsecond=0)
NOW_NS = int(NOW.timestamp()) * S
OUTCOMES = ("success", "failed", "caller_cancelled")
CountKey = tuple[int, str, str, float]  # (minute, metric, outcome, le)


def sdk_exports(start_ns: int, interval_s: int, count: int, seed: int, delta: bool) -> list[bytes]:
    """`count` exports of a SAMU gateway's SDK (setups by outcome, setup durations), one every
    `interval_s` from `start_ns`: what the SDK's reader produced, stamped on our calendar."""
    rng = random.Random(seed)
    reader = InMemoryMetricReader(preferred_temporality=DELTA if delta else None)
    provider = MeterProvider(metric_readers=[reader], resource=resource(PARIS))
    meter = provider.get_meter("gateway")
    setups = meter.create_counter("samu.call.setups", unit="{call}")
    durations = meter.create_histogram(
        "samu.call.setup.duration", unit="s", explicit_bucket_boundaries_advisory=SETUP_BOUNDS
    )
    probes = meter.create_counter("samu.probe.calls", unit="{call}")
    bodies = []
    try:
        for k in range(count):
            for outcome in OUTCOMES:
                setups.add(rng.randint(0, 4), {"outcome": outcome})
            for _ in range(max(1, interval_s // 60)):  # a test call a minute (S3)
                probes.add(1, {"outcome": "failure" if rng.random() < 0.05 else "success"})
            for _ in range(rng.randint(0, 3)):
                durations.record(rng.choice((0.05, 0.3, 0.8, 2.5, 12.0)))
            data = reader.get_metrics_data()
            assert data is not None
            request = encode_metrics(data)
            at = start_ns + (k + 1) * interval_s * S
            for metric in (
                m for r in request.resource_metrics for s in r.scope_metrics for m in s.metrics
            ):
                for point in getattr(metric, metric.WhichOneof("data")).data_points:
                    point.time_unix_nano = at
                    point.start_time_unix_nano = at - interval_s * S if delta else start_ns
            bodies.append(request.SerializeToString())
    finally:
        provider.shutdown()
    return bodies


def decoded(bodies: Sequence[bytes]) -> list[Decoded]:
    return [decode_metrics(b, "protobuf", KNOWN_SAMU, NOW_NS, Limits()) for b in bodies]


def oracle(requests: Sequence[Decoded]) -> dict[CountKey, float]:
    """Per minute, metric, outcome and le: the in-order deltas of every series."""
    series: dict[int, list[DataPoint]] = {}
    for request in requests:
        for point in request.points:
            series.setdefault(series_key_of(point), []).append(point)
    out: Counter[CountKey] = Counter()
    for points in series.values():
        totals: Counter[tuple[int, float]] = Counter()
        add_minute_totals(points, totals)
        outcome = points[0].attribute("outcome")
        for (minute, le), value in totals.items():
            out[(minute, points[0].metric, outcome, le)] += value
    return {k: v for k, v in out.items() if v}


def stored(store: Store, samu: str = PARIS) -> dict[CountKey, float]:
    rows = store.query(
        "SELECT toUnixTimestamp(minute), metric, outcome, le, sum(value) FROM {db}.minute_counts "
        "WHERE samu_id = {s:String} GROUP BY minute, metric, outcome, le "
        "HAVING sum(value) != 0",
        {"s": samu},
    )
    return {(int(m), metric, o, float(le)): float(v) for m, metric, o, le, v in rows}


def received(store: Store, samu: str = PARIS) -> int:
    rows = store.query(
        "SELECT sum(points) FROM {db}.minute_ingest WHERE samu_id = {s:String}", {"s": samu}
    )
    return int(rows[0][0] or 0)


async def deliver(
    store: Store, chunks: Sequence[Sequence[Decoded]], writer: BatchWriter | None = None
) -> list[WriteResult]:
    """Each chunk of requests submitted at once (they share batches), chunk after chunk."""
    own = writer is None
    if writer is None:
        writer = BatchWriter(store, None, FakeClock(NOW), batch_max_delay_s=0)
        await writer.start()
    results: list[WriteResult] = []
    try:
        for chunk in chunks:
            results.extend(await asyncio.gather(*(writer.submit(r) for r in chunk)))
    finally:
        if own:
            await writer.close()
    return results


def chunked(requests: Sequence[Decoded], size: int) -> list[Sequence[Decoded]]:
    return [requests[i : i + size] for i in range(0, len(requests), size)]


_databases = itertools.count()


@pytest.fixture
def fresh(engine: Store) -> Iterator[Callable[[], Store]]:
    """Fresh migrated databases on the shared engine (one per delivery order)."""
    made: list[Store] = []

    def make() -> Store:
        store = engine.with_database(f"late_order{next(_databases)}")
        migrate(store, migrations=all_migrations())
        made.append(store)
        return store

    yield make
    for store in made:
        store.command(f"DROP DATABASE IF EXISTS {store.database} SYNC")


def months(start_ns: int, end_ns: int) -> list[str]:
    """The civil months (Europe/Paris, as the report counts them) that [start, end) touches."""
    paris = ZoneInfo("Europe/Paris")
    first = datetime.fromtimestamp(start_ns / S, paris)
    last = datetime.fromtimestamp((end_ns - 1) / S, paris)
    labels = [f"{first.year}-{first.month:02d}"]
    if (last.year, last.month) != (first.year, first.month):
        labels.append(f"{last.year}-{last.month:02d}")
    return labels


def stated(store: Store, start_ns: int, end_ns: int) -> tuple[list[SloStatus], list[bytes]]:
    """What the platform states from `store` at NOW for the SAMU: every shipped SLO's status over
    [start, end) (budgets: good and valid events, judged minutes, remaining budget, burn rates),
    and the JSON report of each month the data touches, computed as of NOW."""
    samus = [load_registry().require(PARIS)]
    slos = shipped()[0]
    span = Interval(
        datetime.fromtimestamp(start_ns // S, UTC), datetime.fromtimestamp(end_ns // S, UTC)
    )
    statuses = period(store, slos, labels_of(samus), span, NOW).statuses
    reports = [
        render_json(compute_month(store, samus, label, slos, now=NOW), 1)
        for label in months(start_ns, end_ns)
    ]
    return sorted(statuses, key=lambda s: (s.slo, s.samu)), reports


def assert_states_as_in_order(out_of_order: Store, in_order: Store, start: int, end: int) -> None:
    """The SLO statuses and the reports equal those of the in-order run (statuses field for
    field, reports byte for byte), and they are not empty: events counted, minutes judged."""
    statuses, reports = stated(out_of_order, start, end)
    expected_statuses, expected_reports = stated(in_order, start, end)
    assert repr(statuses) == repr(expected_statuses)  # repr: NaN equals NaN, floats exact
    assert reports == expected_reports
    states = {s.slo: s.state for s in statuses if s.samu == PARIS}
    for slo in ("s1-call-setup", "s2-setup-latency-under-1s", "s3-reachability"):
        assert states[slo] != "no_data", (slo, states)


def test_a_month_exported_in_two_halves_second_half_first_counts_to_the_event(
    fresh: Callable[[], Store],
) -> None:
    start = NOW_NS - 31 * 86_400 * S
    requests = decoded(sdk_exports(start, 900, 30 * 96, seed=1, delta=False))
    half = len(requests) // 2
    second_first = [*chunked(requests[half:], 48), *chunked(requests[:half], 48)]
    store, in_order = fresh(), fresh()
    results = asyncio.run(deliver(store, second_first))
    sent = sum(len(r.points) for r in requests)
    assert sum(r.written for r in results) == sent
    assert sum(r.duplicates + r.rejected for r in results) == 0
    assert stored(store) == oracle(requests)
    assert received(store) == sent  # correction rows are not points received
    asyncio.run(deliver(in_order, chunked(requests, 48)))
    assert stored(in_order) == stored(store)
    assert_states_as_in_order(store, in_order, start, NOW_NS)


def test_a_backlog_flushed_two_hours_late_after_newer_points_counts_to_the_event(
    fresh: Callable[[], Store],
) -> None:
    start = NOW_NS - 7 * 3600 * S
    for delta in (False, True):
        store, in_order = fresh(), fresh()
        requests = decoded(sdk_exports(start, 60, 360, seed=2, delta=delta))
        before, cut, after = requests[:120], requests[120:240], requests[240:]
        # Live before the cut and after it (ten minutes a batch); the backlog 2 h later.
        order = [*chunked(before, 10), *chunked(after, 10), *chunked(cut, 30)]
        results = asyncio.run(deliver(store, order))
        assert sum(r.written for r in results) == sum(len(r.points) for r in requests)
        assert stored(store) == oracle(requests), f"delta={delta}"
        asyncio.run(deliver(in_order, chunked(requests, 10)))
        assert_states_as_in_order(store, in_order, start, NOW_NS)


def test_exact_repeats_are_duplicates_and_conflicting_repeats_are_refused_over_otlp(
    store: Store,
) -> None:
    bodies = sdk_exports(NOW_NS - 3600 * S, 60, 3, seed=3, delta=False)
    # Exports 1 and 3 again, and export 2's points but the changed one: all duplicates.
    repeated = sum(len(r.points) for r in decoded(bodies)) - 1
    # The second export again, with one counter value changed.
    request = ExportMetricsServiceRequest.FromString(bodies[1])
    metric = next(
        m for m in request.resource_metrics[0].scope_metrics[0].metrics if m.name.endswith("setups")
    )
    metric.sum.data_points[0].as_int += 1

    async def body() -> list[ExportMetricsServiceResponse]:
        registry = CollectorRegistry()
        metrics = SelfMetrics(registry)
        writer = BatchWriter(store, metrics, FakeClock(NOW), batch_max_delay_s=0)
        await writer.start()
        app = FastAPI()
        app.include_router(
            create_otlp_router(ExportService(writer, KNOWN_SAMU, Limits(), metrics, FakeClock(NOW)))
        )
        answers = []
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://otlp") as client:
            for data in (*bodies, bodies[0], bodies[2], request.SerializeToString()):
                answer = await client.post(
                    "/v1/metrics", content=data, headers={"Content-Type": "application/x-protobuf"}
                )
                assert answer.status_code == 200
                answers.append(ExportMetricsServiceResponse.FromString(answer.content))
        await writer.close()
        assert registry.get_sample_value("vigie_collector_duplicates_total") == repeated
        refused = {"agent": "instance:gw-1", "samu": PARIS, "reason": "conflict"}
        assert registry.get_sample_value("vigie_ingest_points_rejected_total", refused) == 1
        return answers

    answers = asyncio.run(body())
    assert [a.partial_success.rejected_data_points for a in answers] == [0, 0, 0, 0, 0, 1]
    assert answers[-1].partial_success.error_message == "rejected 1 data points: conflict=1"
    assert stored(store) == oracle(decoded(bodies))
    rows = store.query(
        "SELECT reason, samu_id, metric, sum(count) FROM {db}.ingest_rejections "
        "GROUP BY reason, samu_id, metric"
    )
    assert rows == [("conflict", PARIS, "samu.call.setups", 1)]


_samu_ids = (f"late{n}" for n in itertools.count())


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.data())
def test_any_arrival_order_on_the_real_engine_stores_the_in_order_counts(
    store: Store, data: st.DataObject
) -> None:
    samu = next(_samu_ids)
    points = data.draw(series_points(samu, NOW_NS - 3 * 3600 * S))
    arrivals = [
        *data.draw(st.permutations(points)),
        *data.draw(st.lists(st.sampled_from(points), max_size=2)),
    ]
    cuts = sorted(data.draw(st.sets(st.integers(1, len(arrivals)), max_size=3)))
    requests = [
        Decoded(points=tuple(arrivals[a:b]))
        for a, b in zip([0, *cuts], [*cuts, len(arrivals)], strict=True)
        if b > a
    ]
    restart_at = data.draw(st.integers(0, len(requests)))

    async def run() -> list[WriteResult]:
        first = await deliver(store, [[r] for r in requests[:restart_at]])
        return first + await deliver(store, [[r] for r in requests[restart_at:]])

    results = asyncio.run(run())
    assert sum(r.written for r in results) == len(points)
    assert sum(r.duplicates for r in results) == len(arrivals) - len(points)
    totals: Counter[tuple[int, float]] = Counter()
    add_minute_totals(points, totals)
    expected = {
        (m, points[0].metric, points[0].attribute("outcome"), le): v
        for (m, le), v in totals.items()
        if v
    }
    assert stored(store, samu) == expected
    assert received(store, samu) == len(points)
