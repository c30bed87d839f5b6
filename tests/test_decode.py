"""OTLP metrics decoding: real SDK payloads in, DataPoints and counted rejections out."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from opentelemetry.metrics import CallbackOptions, Meter, Observation
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import (
    ExportMetricsServiceRequest,
)
from opentelemetry.sdk.metrics.view import ExponentialBucketHistogramAggregation, View

from collector.attributes import series_key
from collector.conventions import SETUP_BOUNDS
from collector.decode import decode_metrics, decode_metrics_request
from collector.errors import DecodeError
from collector.limits import Limits
from collector.model import Decoded, Rejection
from tests.fixtures.otlp.sdk import (
    KNOWN_SAMU,
    PARIS,
    a_bit_of_everything,
    metrics_request,
    resource,
    setup_durations,
    setups,
    to_json,
)
from vigie.settings import Settings

LIMITS = Limits()
SECOND = 10**9


def point_time(request: Any) -> int:
    """The collection time the SDK stamped on the first point."""
    metric = request.resource_metrics[0].scope_metrics[0].metrics[0]
    return int(getattr(metric, metric.WhichOneof("data")).data_points[0].time_unix_nano)


def decode(request: Any, now_ns: int | None = None, limits: Limits = LIMITS) -> Decoded:
    now = point_time(request) + SECOND if now_ns is None else now_ns
    return decode_metrics(request.SerializeToString(), "protobuf", KNOWN_SAMU, now, limits)


def reasons(decoded: Decoded) -> dict[str, int]:
    counts: dict[str, int] = {}
    for rejection in decoded.rejections:
        counts[rejection.reason] = counts.get(rejection.reason, 0) + rejection.count
    return counts


def test_protobuf_and_json_bodies_decode_to_the_same_points() -> None:
    request = metrics_request(a_bit_of_everything)
    now = point_time(request) + SECOND
    from_proto = decode_metrics(request.SerializeToString(), "protobuf", KNOWN_SAMU, now, LIMITS)
    from_json = decode_metrics(to_json(request), "json", KNOWN_SAMU, now, LIMITS)
    assert from_proto == from_json
    assert len(from_proto.points) == 6 and not from_proto.rejections


def test_a_cumulative_counter_becomes_sum_points_with_sorted_allow_listed_attributes() -> None:
    decoded = decode(metrics_request(setups({"failed": 2}, component="telephony")))
    (point,) = decoded.points
    assert (point.metric, point.kind, point.samu_id) == ("samu.call.setups", "sum", PARIS)
    assert point.attributes == (("component", "telephony"), ("outcome", "failed"))
    assert (point.value, point.temporality) == (2.0, "cumulative")
    assert 0 < point.start_ns <= point.time_ns


def test_delta_temporality_and_gauges_are_labelled_as_such() -> None:
    decoded = decode(metrics_request(a_bit_of_everything, delta=True))
    kinds = {(p.metric, p.temporality) for p in decoded.points}
    assert ("samu.call.setups", "delta") in kinds
    assert ("samu.call.setup.duration", "delta") in kinds
    assert ("samu.component.up", "none") in kinds


def test_a_histogram_keeps_bounds_buckets_count_and_sum() -> None:
    decoded = decode(metrics_request(setup_durations(0.05, 0.3, 0.3, 1.0, 12.0)))
    (point,) = decoded.points
    assert point.bounds == SETUP_BOUNDS
    assert point.bucket_counts == (1, 0, 2, 1, 0, 0, 0, 0, 1)
    assert (point.value, point.hist_sum) == (5.0, pytest.approx(13.65))


def test_an_int_attribute_value_is_checked_as_text() -> None:
    decoded = decode(metrics_request(setups({"failed": 1}, **{"sip.status_code": 503})))
    assert decoded.points[0].attribute("sip.status_code") == "503"


def test_resource_attributes_outside_the_list_are_dropped_not_refused() -> None:
    res = resource(host_name="gw01", deployment_environment="prod")
    decoded = decode(metrics_request(setups({"success": 1}), res=res))
    assert len(decoded.points) == 1 and not decoded.rejections


def test_series_key_depends_on_the_sender_instance_and_is_stable_across_processes() -> None:
    one = decode(metrics_request(setups({"success": 1}), res=resource(service_instance_id="a")))
    two = decode(metrics_request(setups({"success": 1}), res=resource(service_instance_id="b")))
    assert one.points[0].series_key != two.points[0].series_key
    # blake2b, not hash(): the same value in every process (PYTHONHASHSEED does not matter).
    key = series_key("samu.call.setups", PARIS, (("outcome", "success"),), "gw-1", "samu-gateway")
    assert key == 0xDE3D111BF9923ADE


def test_decoding_does_not_mutate_the_request() -> None:
    request = metrics_request(a_bit_of_everything)
    before = request.SerializeToString()
    decode_metrics_request(request, KNOWN_SAMU, point_time(request), LIMITS)
    assert request.SerializeToString() == before


def _observable_up_down(meter: Meter) -> None:
    def observe(_: CallbackOptions) -> list[Observation]:
        return [Observation(3, {"outcome": "success"})]

    meter.create_observable_up_down_counter("samu.call.setups", callbacks=[observe])


def _gauge_for_counter(meter: Meter) -> None:
    meter.create_gauge("samu.call.setups").set(3, {"outcome": "success"})


def _counter_for_gauge(meter: Meter) -> None:
    meter.create_counter("samu.component.up").add(1, {"component": "hub"})


def _unknown_metric(meter: Meter) -> None:
    meter.create_counter("samu.call.mystery").add(1)


def _phone_in_metric_name(meter: Meter) -> None:
    meter.create_counter("calls.from.0612345678").add(1)


REFUSED: list[tuple[str, Callable[[Meter], None], dict[str, str], dict[str, int]]] = [
    ("a resource without samu.id", setups({"success": 3}), {"samu": ""}, {"missing_samu_id": 1}),
    (
        "a samu.id not in the registry",
        setups({"success": 3, "failed": 1}),
        {"samu": "fr.health.samu099"},
        {"unknown_samu": 2},
    ),
    ("a malformed samu.id", setups({"success": 1}), {"samu": "paris"}, {"unknown_samu": 1}),
    ("a metric not in the conventions", _unknown_metric, {}, {"unknown_metric": 1}),
    ("a gauge sent for a counter", _gauge_for_counter, {}, {"unsupported_type": 1}),
    ("a counter sent for a gauge", _counter_for_gauge, {}, {"unsupported_type": 1}),
    ("a non-monotonic sum", _observable_up_down, {}, {"unsupported_type": 1}),
    (
        "histogram bounds that miss the SLO thresholds",
        setup_durations(0.3, bounds=(0.5, 2.0, 5.0)),
        {},
        {"bad_bounds": 1},
    ),
    (
        "an attribute not allowed for the metric",
        setups({"success": 1}, operator="jdupont"),
        {},
        {"attribute_not_allowed": 1},
    ),
    ("an outcome outside the closed set", setups({"maybe": 1}), {}, {"attribute_value": 1}),
    (
        "a bad SIP code",
        setups({"failed": 1}, **{"sip.status_code": 999}),
        {},
        {"attribute_value": 1},
    ),
    (
        "a phone number in a point attribute",
        setups({"failed": 1}, caller="06 12 34 56 78"),
        {},
        {"pii_phone_number": 1},
    ),
    (
        "a phone number in an allow-listed attribute",
        setups({"failed": 1}, component="+33612345678"),
        {},
        {"pii_phone_number": 1},
    ),
    (
        "a NIR in a resource attribute that would be dropped",
        setups({"success": 2, "failed": 1}),
        {"patient": "1 85 05 78 006 084"},
        {"pii_health_id": 2},
    ),
    ("a phone number in the metric name", _phone_in_metric_name, {}, {"pii_phone_number": 1}),
]


@pytest.mark.parametrize(
    ("name", "record", "res", "expected"), REFUSED, ids=[case[0] for case in REFUSED]
)
def test_refused_points_are_counted_by_reason(
    name: str, record: Callable[[Meter], None], res: dict[str, str], expected: dict[str, int]
) -> None:
    res = dict(res)
    samu = res.pop("samu", PARIS) or None
    decoded = decode(metrics_request(record, res=resource(samu, **res)))
    assert reasons(decoded) == expected
    assert not decoded.points


def test_an_exponential_histogram_is_unsupported() -> None:
    view = View(
        instrument_name="samu.call.setup.duration",
        aggregation=ExponentialBucketHistogramAggregation(),
    )
    decoded = decode(metrics_request(setup_durations(0.3), views=(view,)))
    assert reasons(decoded) == {"unsupported_type": 1}


def test_a_missing_required_attribute_is_named() -> None:
    decoded = decode(metrics_request(lambda m: m.create_counter("samu.call.setups").add(1)))
    assert decoded.rejections == (
        Rejection("missing_attribute", 1, PARIS, "samu.call.setups", "outcome"),
    )


def test_an_unknown_samu_id_is_reported_truncated_and_in_safe_characters() -> None:
    bad = "fr.health.samu<script>" + "x" * 100
    decoded = decode(metrics_request(setups({"success": 1}), res=resource(bad)))
    (rejection,) = decoded.rejections
    assert rejection.reason == "unknown_samu"
    assert rejection.samu_id == "fr.health.samu_script_" + "x" * 42


def test_a_personal_value_never_appears_in_a_rejection() -> None:
    phone = "0612345678"
    decoded = decode(metrics_request(setups({"failed": 1}, caller=phone), res=resource(phone)))
    assert reasons(decoded) == {"pii_phone_number": 1}
    assert phone not in repr(decoded)


@pytest.mark.parametrize(
    ("name", "now_offset_s", "reason"),
    [
        ("a point older than the late-data limit", LIMITS.max_age_s + 1, "too_old"),
        ("a point stamped in the future", -(LIMITS.max_future_s + 1), "future"),
    ],
)
def test_points_outside_the_time_window_are_refused(
    name: str, now_offset_s: int, reason: str
) -> None:
    request = metrics_request(setups({"success": 1}))
    decoded = decode(request, now_ns=point_time(request) + now_offset_s * SECOND)
    assert reasons(decoded) == {reason: 1}


def _mutated(change: Callable[[Any], None]) -> Any:
    request = metrics_request(setups({"success": 1}))
    change(request.resource_metrics[0].scope_metrics[0].metrics[0].sum.data_points[0])
    return request


@pytest.mark.parametrize(
    ("name", "change"),
    [
        ("a NaN counter value", lambda p: setattr(p, "as_double", float("nan"))),
        ("an infinite counter value", lambda p: setattr(p, "as_double", float("inf"))),
        ("a negative counter value", lambda p: setattr(p, "as_int", -4)),
        ("a point without value", lambda p: p.ClearField("as_int")),
        ("a start time after the point time", lambda p: setattr(p, "start_time_unix_nano", 2**62)),
    ],
)
def test_bad_values_are_refused(name: str, change: Callable[[Any], None]) -> None:
    request = _mutated(change)
    assert reasons(decode(request)) == {"bad_value": 1}


def test_a_point_flagged_no_recorded_value_is_skipped_silently() -> None:
    decoded = decode(_mutated(lambda p: setattr(p, "flags", 1)))
    assert (decoded.points, decoded.spans, decoded.rejections) == ((), (), ())


def test_histogram_buckets_that_do_not_add_up_are_refused() -> None:
    request = metrics_request(setup_durations(0.3))
    point = request.resource_metrics[0].scope_metrics[0].metrics[0].histogram.data_points[0]
    point.bucket_counts[0] = 7
    assert reasons(decode(request)) == {"bad_value": 1}


@pytest.mark.parametrize(
    ("name", "body", "encoding", "message"),
    [
        ("truncated protobuf", None, "protobuf", "not a valid protobuf"),
        ("random bytes as protobuf", b"\xff\xff\xff\xff\x0f", "protobuf", "not a valid protobuf"),
        ("random JSON", b'{"hello": [1, 2', "json", "not valid JSON"),
        ("a JSON array", b"[1, 2, 3]", "json", "must be an object"),
        ("JSON of the wrong shape", b'{"resourceMetrics": 3}', "json", "not an OTLP metrics"),
        ("invalid UTF-8 as JSON", b'{"a": "\xff"}', "json", "not valid JSON"),
    ],
)
def test_undecodable_bodies_raise_a_precise_decode_error(
    name: str, body: bytes | None, encoding: Any, message: str
) -> None:
    if body is None:
        body = metrics_request(a_bit_of_everything).SerializeToString()[:-7]
    with pytest.raises(DecodeError, match=message):
        decode_metrics(body, encoding, KNOWN_SAMU, 0, LIMITS)


def test_otlp_json_accepts_int64_as_strings_or_numbers_and_enum_numbers() -> None:
    now = 1_750_000_000 * SECOND
    document = {
        "resourceMetrics": [
            {
                "resource": {"attributes": [{"key": "samu.id", "value": {"stringValue": PARIS}}]},
                "scopeMetrics": [
                    {
                        "scope": {"name": "gw"},
                        "metrics": [
                            {
                                "name": "samu.call.setups",
                                "unit": "{call}",
                                "sum": {
                                    "aggregationTemporality": 1,
                                    "isMonotonic": True,
                                    "dataPoints": [
                                        {
                                            "attributes": [
                                                {"key": "outcome", "value": {"stringValue": "ok"}}
                                            ],
                                            "startTimeUnixNano": str(now - 60 * SECOND),
                                            "timeUnixNano": now,
                                            "asInt": "12",
                                        },
                                        {
                                            "attributes": [
                                                {
                                                    "key": "outcome",
                                                    "value": {"stringValue": "success"},
                                                },
                                                {
                                                    "key": "sip.status_code",
                                                    "value": {"intValue": 200},
                                                },
                                            ],
                                            "timeUnixNano": str(now),
                                            "asDouble": 3.0,
                                        },
                                    ],
                                },
                                "unknownField": "ignored",
                            }
                        ],
                    }
                ],
            }
        ]
    }
    decoded = decode_metrics(json.dumps(document).encode(), "json", KNOWN_SAMU, now, LIMITS)
    assert reasons(decoded) == {"attribute_value": 1}
    (point,) = decoded.points
    assert (point.value, point.temporality, point.time_ns) == (3.0, "delta", now)
    assert point.attributes == (("outcome", "success"), ("sip.status_code", "200"))


def test_an_empty_request_decodes_to_nothing() -> None:
    body = ExportMetricsServiceRequest().SerializeToString()
    assert decode_metrics(body, "protobuf", KNOWN_SAMU, 0, LIMITS) == Decoded()
    assert decode_metrics(b"{}", "json", KNOWN_SAMU, 0, LIMITS) == Decoded()


def test_limits_follow_the_platform_settings() -> None:
    settings = Settings(max_point_age_days=2, max_point_future_s=60, retry_after_s=3)
    limits = Limits.from_settings(settings)
    assert (limits.max_age_s, limits.max_future_s, limits.retry_after_s) == (172_800, 60, 3)
    assert limits.max_body_bytes == settings.max_body_bytes
