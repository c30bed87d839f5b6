"""Backfill: the encoded OTLP requests decode to exactly the tally; delivery retries and reports."""

from __future__ import annotations

import gzip
import math
from collections import defaultdict
from datetime import UTC, datetime

import httpx
import pytest
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import (
    ExportMetricsPartialSuccess,
    ExportMetricsServiceRequest,
    ExportMetricsServiceResponse,
)

from collector.conventions import METRICS
from collector.simulator.backfill import (
    BackfillEncoder,
    BackfillOptions,
    Progress,
    backfill_window,
    run_backfill,
)
from collector.simulator.delivery import EncodedRequest, Sender
from collector.simulator.errors import BackfillError, CollectorUnreachable, SimulatorError
from collector.simulator.scenario_spec import parse_scenario
from collector.simulator.tally import INF, CountKey, Tally, rollup
from store.clock import FakeClock
from store.registry import Samu

NOW = datetime(2025, 3, 6, 10, 30, 20, tzinfo=UTC)
S075, S092, S048 = "fr.health.samu075", "fr.health.samu092", "fr.health.samu048"


def samu(samu_id: str, backup: str, daily: int) -> Samu:
    return Samu(
        samu_id, samu_id, (samu_id[-2:],), "test", "Europe/Paris", 48.0, 2.0, backup, daily, 0, 0
    )


SAMUS = [samu(S075, S092, 1800), samu(S092, S075, 900), samu(S048, S092, 250)]


def decode_counts(bodies: list[bytes]) -> tuple[dict[CountKey, float], int]:
    """What a collector would count per minute: cumulative → delta, first point in full."""
    counts: dict[CountKey, float] = defaultdict(float)
    last: dict[tuple[str, str, str], tuple[float, tuple[int, ...]]] = {}
    points = 0
    for body in bodies:
        request = ExportMetricsServiceRequest.FromString(body)
        for rm in request.resource_metrics:
            resource = {a.key: a.value.string_value for a in rm.resource.attributes}
            for sm in rm.scope_metrics:
                for metric in sm.metrics:
                    kind = METRICS[metric.name].kind
                    data = getattr(metric, kind)
                    for p in data.data_points:
                        points += 1
                        if kind == "gauge":
                            continue
                        attrs = tuple(sorted((a.key, a.value.string_value) for a in p.attributes))
                        key = (resource["samu.id"], metric.name, repr(attrs))
                        minute = p.time_unix_nano // 60_000_000_000 * 60
                        component, outcome = rollup(metric.name, attrs)
                        base = (minute, resource["samu.id"], metric.name, component, outcome)
                        if kind == "sum":
                            prev = last.get(key, (0.0, ()))[0]
                            counts[(*base, INF)] += p.as_int - prev
                            last[key] = (p.as_int, ())
                        else:
                            prev_b = last.get(key, (0.0, (0,) * len(p.bucket_counts)))[1]
                            delta = [b - a for a, b in zip(prev_b, p.bucket_counts, strict=True)]
                            running = 0
                            for bound, d in zip((*p.explicit_bounds, INF), delta, strict=True):
                                running += d
                                counts[(*base, bound)] += running
                            last[key] = (p.count, tuple(p.bucket_counts))
    return {k: v for k, v in counts.items() if v}, points


def encoder(days: float = 1.0, tally: Tally | None = None, **options: object) -> BackfillEncoder:
    first, end = backfill_window(NOW.timestamp(), days)
    settings: dict[str, object] = {"chunk_minutes": 180, **options}
    opts = BackfillOptions(days=days, seed=5, **settings)  # type: ignore[arg-type]
    return BackfillEncoder(SAMUS, opts, first, end, tally)


def test_decoded_requests_count_exactly_what_the_tally_says() -> None:
    tally = Tally()
    requests = list(
        encoder(1.0, tally, scenarios=(parse_scenario("outage:048@+2h/30m"),)).requests()
    )
    counts, points = decode_counts([r.body for r in requests])
    assert counts == tally.snapshot()
    assert points == sum(r.points for r in requests)
    assert tally.total(samu_id=S048, metric="samu.call.setups", outcome="failed") > 0


def test_every_series_has_one_point_a_minute_with_one_start_time_after_it_starts() -> None:
    first, end = backfill_window(NOW.timestamp(), 0.5)
    times: dict[tuple[str, str, str], list[int]] = defaultdict(list)
    starts: set[int] = set()
    for r in encoder(0.5).requests():
        for rm in ExportMetricsServiceRequest.FromString(r.body).resource_metrics:
            samu_id = rm.resource.attributes[0].value.string_value
            for metric in rm.scope_metrics[0].metrics:
                for p in getattr(metric, METRICS[metric.name].kind).data_points:
                    times[(samu_id, metric.name, str(p.attributes))].append(p.time_unix_nano)
                    starts.add(p.start_time_unix_nano)
    assert starts == {first * 1_000_000_000}
    for key, stamps in times.items():
        seconds = [t // 1_000_000_000 for t in stamps]
        assert seconds == list(range(seconds[0], end, 60)), key
        assert all(s % 60 == 59 for s in seconds)
    assert end == int(NOW.timestamp()) // 60 * 60


def test_requests_carry_about_ten_thousand_points() -> None:
    requests = list(encoder(1.0, chunk_minutes=360, samu_per_request=2).requests())
    big = [r.points for r in requests if r.group == 0]
    assert all(5_000 <= p <= 20_000 for p in big)


@pytest.mark.parametrize("days", [0, -1, 35, 34.5])
def test_backfill_is_capped_at_34_days_by_the_late_data_policy(days: float) -> None:
    with pytest.raises(SimulatorError, match="35 days"):
        backfill_window(NOW.timestamp(), days)


def _response(rejected: int = 0, message: str = "") -> httpx.Response:
    answer = ExportMetricsServiceResponse(
        partial_success=ExportMetricsPartialSuccess(
            rejected_data_points=rejected, error_message=message
        )
    )
    return httpx.Response(
        200, content=answer.SerializeToString(), headers={"content-type": "application/x-protobuf"}
    )


def test_503_is_retried_after_retry_after_and_partial_success_is_reported() -> None:
    answers = [httpx.Response(503, headers={"Retry-After": "3"})] * 2 + [_response(4, "pii")]
    seen: list[bytes] = []

    def handler(request: httpx.Request) -> httpx.Response:
        assert request.headers["content-type"] == "application/x-protobuf"
        assert request.headers["content-encoding"] == "gzip"
        seen.append(gzip.decompress(request.content))
        return answers.pop(0)

    slept: list[float] = []
    client = httpx.Client(transport=httpx.MockTransport(handler))
    sender = Sender("http://collector:4318", client, sleep=slept.append)
    sender.send(EncodedRequest(b"\x0a\x00", 10, 0, 0))
    assert slept == [3.0, 3.0]
    assert seen == [b"\x0a\x00"] * 3
    report = sender.report
    assert (report.requests, report.points, report.rejected, report.retries) == (1, 10, 4, 2)
    assert report.messages == {"pii": 1}


@pytest.mark.parametrize(
    ("handler", "error", "message"),
    [
        (lambda r: httpx.Response(400, text="truncated protobuf"), BackfillError, "400"),
        (lambda r: httpx.Response(503), BackfillError, "503"),
    ],
)
def test_a_refused_request_stops_the_backfill(handler: object, error: type, message: str) -> None:
    client = httpx.Client(transport=httpx.MockTransport(handler))  # type: ignore[arg-type]
    sender = Sender("http://collector:4318", client, max_retries=2, sleep=lambda s: None)
    with pytest.raises(error, match=message):
        sender.deliver([EncodedRequest(b"", 1, 0, 0)])


def test_an_unreachable_collector_is_a_clear_error() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused")

    client = httpx.Client(transport=httpx.MockTransport(refuse))
    sender = Sender("http://127.0.0.1:9", client, max_retries=1, sleep=lambda s: None)
    with pytest.raises(CollectorUnreachable, match="no collector at"):
        sender.send(EncodedRequest(b"", 1, 0, 0))


def test_run_backfill_sends_everything_in_order_per_series_and_reports_progress() -> None:
    bodies: list[bytes] = []

    def handler(request: httpx.Request) -> httpx.Response:
        bodies.append(gzip.decompress(request.content))
        return _response()

    tally = Tally()
    progress: list[Progress] = []
    report = run_backfill(
        "http://collector:4318",
        SAMUS,
        BackfillOptions(days=0.5, seed=5, chunk_minutes=120, samu_per_request=1, concurrency=3),
        FakeClock(NOW),
        client=httpx.Client(transport=httpx.MockTransport(handler)),
        tally=tally,
        progress=progress.append,
    )
    counts, points = decode_counts(bodies)  # decode_counts checks order by delta sign below
    assert counts == tally.snapshot()
    assert all(v > 0 for v in counts.values())
    assert report.points == points and report.rejected == 0
    assert progress[-1].minutes_done == progress[-1].minutes_total == 720
    assert math.isclose(tally.total(metric="samu.reachability.checks"), 3 * 720 * 6)
