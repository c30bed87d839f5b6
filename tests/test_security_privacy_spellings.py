"""The privacy guard knows how people spell French phone numbers, NIR and e-mail addresses
(issue 14, item 6): generated spellings are refused in attribute values and names, with the
reason counted; generated look-alikes pass.

Phone numbers: national, +33, 0033, (+33), +33 (0), a stray 0 after +33, the prefix in
parentheses; grouped in pairs or threes or not at all; separated by spaces (also no-break and
thin spaces), dots, dashes, slashes, with spaces around or not. NIR/INS: with or without key,
written plain or with separators, the key after the same separator or after a space or " / ".
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import (
    ExportMetricsServiceRequest,
)
from opentelemetry.proto.common.v1.common_pb2 import KeyValue

from collector.decode import decode_metrics_request
from collector.limits import Limits
from collector.privacy import EMAIL, HEALTH_ID, PHONE, classify, find
from collector.reasons import REASONS
from collector.redaction import REDACTED, redact

PARIS = "fr.health.samu075"
NOW_NS = 1_790_000_000 * 10**9
PROPERTY = settings(max_examples=300, deadline=None, derandomize=True, database=None)
SEPARATORS = ["", " ", ".", "-", "/", "  ", " - ", " . ", " / ", "\u00a0", "\u202f"]
GROUPINGS = [(2, 2, 2, 2), (2, 2, 4), (3, 3, 2), (2, 3, 3), (4, 4), (1, 3, 4)]
DIGITS = "0123456789"


def grouped(digits: str, sizes: tuple[int, ...], sep: str) -> str:
    parts, at = [], 0
    for size in sizes:
        parts.append(digits[at : at + size])
        at += size
    return sep.join(p for p in parts if p)


@st.composite
def phone_numbers(draw: Any) -> str:
    """A French number (0X + 8 digits) in one of the forms people write."""
    first = draw(st.sampled_from("123456789"))
    rest = draw(st.text(DIGITS, min_size=8, max_size=8))
    sep = draw(st.sampled_from(SEPARATORS))
    body = grouped(rest, draw(st.sampled_from(GROUPINGS)), sep)
    gap = draw(st.sampled_from([" ", "", sep]))
    form = draw(st.integers(0, 9))
    national = [
        f"0{first}{sep}{body}",
        f"(0{first}){gap}{body}",
        f"(0){first}{sep}{body}",
    ]
    international = [
        f"+33{gap}{first}{sep}{body}",
        f"0033{gap}{first}{sep}{body}",
        f"+33{gap}(0){gap}{first}{sep}{body}",
        f"0033{gap}(0){first}{sep}{body}",
        f"(+33){gap}{first}{sep}{body}",
        f"+33{gap}0{first}{sep}{body}",
        f"+ 33 {first}{sep}{body}",
    ]
    return (national + international)[form]


def nir_key(body: str) -> str:
    digits = body.upper().replace("2A", "19").replace("2B", "18")
    return f"{97 - int(digits) % 97:02d}"


@st.composite
def nirs(draw: Any) -> str:
    """A NIR/INS: sex, year, month, department (2A/2B too), commune, order, optional key."""
    sex = draw(st.sampled_from("123478"))
    year = draw(st.integers(0, 99))
    month = draw(st.integers(1, 12))
    dept = draw(st.sampled_from(["01", "13", "2A", "2B", "59", "75", "95", "97", "99"]))
    commune, order = draw(st.integers(1, 999)), draw(st.integers(1, 999))
    parts = [sex, f"{year:02d}", f"{month:02d}", dept, f"{commune:03d}", f"{order:03d}"]
    sep = draw(st.sampled_from(SEPARATORS))
    text = sep.join(parts)
    key = draw(st.sampled_from(["none", "same", "space", "slash"]))
    if key == "none":
        return text
    joiner = {"same": sep, "space": " ", "slash": " / "}[key]
    return f"{text}{joiner}{nir_key(''.join(parts))}"


@st.composite
def emails(draw: Any) -> str:
    word = st.text("abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=10)
    local = draw(st.lists(word, min_size=1, max_size=3)).copy()
    joined = draw(st.sampled_from([".", "_", "-", "+"])).join(local)
    domain = ".".join(draw(st.lists(word, min_size=1, max_size=3)))
    tld = draw(st.sampled_from(["fr", "com", "org", "sante.fr", "gouv.fr"]))
    address = f"{joined}@{domain}.{tld}"
    return address.upper() if draw(st.booleans()) else address


def in_text(draw: Any, value: str) -> str:
    before = draw(st.sampled_from(["", "appel du ", "tel:", "caller=", "rappeler le ", "("]))
    after = draw(st.sampled_from(["", " svp", ")", ";", " merci", ","]))
    return f"{before}{value}{after}"


@st.composite
def phone_texts(draw: Any) -> str:
    return in_text(draw, draw(phone_numbers()))


@st.composite
def nir_texts(draw: Any) -> str:
    return in_text(draw, draw(nirs()))


@st.composite
def email_texts(draw: Any) -> str:
    return in_text(draw, draw(emails()))


@PROPERTY
@given(phone_texts())
def test_every_spelling_of_a_french_phone_number_is_refused(text: str) -> None:
    assert classify(text) == PHONE, text
    assert REDACTED in redact(text) and classify(redact(text)) is None


@PROPERTY
@given(nir_texts())
def test_every_spelling_of_a_nir_is_refused(text: str) -> None:
    assert classify(text) == HEALTH_ID, text
    assert classify(redact(text)) is None


@PROPERTY
@given(email_texts())
def test_every_e_mail_address_is_refused(text: str) -> None:
    assert classify(text) == EMAIL, text
    assert classify(redact(text)) is None


LOOK_ALIKES = st.one_of(
    st.integers(0, 10**6).map(str),  # counts, codes
    st.integers(1_000_000_000, 1_999_999_999).map(str),  # epoch seconds
    st.floats(0, 1000, allow_nan=False).map(repr),  # durations, ratios, bucket bounds
    st.integers(0, 10**9).map(lambda n: f"0.{n:09d}"),  # small decimals with many digits
    st.tuples(*[st.integers(0, 255)] * 4).map(lambda t: ".".join(map(str, t))),  # IPv4
    st.sampled_from(["fr.health.samu075", "fr.health.samu02B", "fr.health.samu974"]),
    st.datetimes().map(lambda d: d.isoformat() + "Z"),
    st.from_regex(r"gw-[0-9]{3}-[0-9]{2}\.samu\.local", fullmatch=True),  # host names
    # instance ids with a start time, as the simulator makes them (sim-<seed>-<epoch>-<samu>)
    st.tuples(
        st.integers(0, 99), st.integers(1_000_000_000, 1_999_999_999), st.integers(1, 976)
    ).map(lambda t: f"sim-{t[0]}-{t[1]}-{t[2]:03d}"),
)


@PROPERTY
@given(LOOK_ALIKES)
def test_look_alikes_pass(text: str) -> None:
    assert classify(text) is None, (text, list(find(text)))


def request_with(key: str, value: str) -> Any:
    """A counter point of a known metric carrying one extra attribute `key`=`value`."""
    request = ExportMetricsServiceRequest()
    rm = request.resource_metrics.add()
    rm.resource.attributes.append(KeyValue(key="samu.id"))
    rm.resource.attributes[0].value.string_value = PARIS
    metric = rm.scope_metrics.add().metrics.add()
    metric.name = "samu.call.setups"
    metric.sum.is_monotonic = True
    metric.sum.aggregation_temporality = 2
    point = metric.sum.data_points.add()
    point.start_time_unix_nano, point.time_unix_nano = NOW_NS - 60 * 10**9, NOW_NS
    point.as_int = 1
    point.attributes.append(KeyValue(key="outcome"))
    point.attributes[0].value.string_value = "success"
    point.attributes.append(KeyValue(key=key))
    point.attributes[1].value.string_value = value
    return request


SPELLINGS = st.one_of(
    phone_numbers().map(lambda t: (t, PHONE)),
    nirs().map(lambda t: (t, HEALTH_ID)),
    emails().map(lambda t: (t, EMAIL)),
)


@settings(PROPERTY, max_examples=100, suppress_health_check=list(HealthCheck))
@given(SPELLINGS, st.booleans())
def test_the_collector_refuses_them_in_attribute_values_and_names_and_counts_the_reason(
    spelling: tuple[str, str], as_name: bool
) -> None:
    text, reason = spelling
    key, value = (text, "x") if as_name else ("caller", text)
    decoded = decode_metrics_request(request_with(key, value), {PARIS}, NOW_NS, Limits())
    assert decoded.points == ()
    assert [(r.reason, r.count) for r in decoded.rejections] == [(reason, 1)]
    assert reason in REASONS, "a reason the collector's counter knows"
    assert text not in repr(decoded.rejections), "the value is never kept"


def test_the_decimals_of_a_number_are_not_a_nir() -> None:
    # Found by test_look_alikes_pass: 13 decimals that read as a plausible NIR.
    assert classify("128.7570112812703") is None
    assert classify("1.85.05.78.006.084") == HEALTH_ID


def test_an_epoch_followed_by_a_dash_is_not_a_nir() -> None:
    # Found by tests/test_e2e_detection.py: the simulator's instance id has its start time.
    assert classify("sim-1-1796543048-001") is None
    # Found by test_look_alikes_pass: from January 2027 an epoch reads as a plausible birth
    # record (1801010101: year 80, month 10, department 10), split from its suffix by a dash.
    assert classify("sim-1-1801010101-001") is None
    assert classify("1801010101001") == HEALTH_ID, "the same digits written as a NIR are one"
    assert classify("1-85-05-78-006-084") == HEALTH_ID
