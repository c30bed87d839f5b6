"""The privacy guard verified end to end: no phone-, NIR- or e-mail-like value reaches any table.

A corpus of numbers in every French and international form, NIR/INS with and without keys or
separators and e-mail addresses goes through every entry point (OTLP resource, point and span
attributes, metric and span names, samu.id; alert labels and annotations; silence comments,
creators and matchers; maintenance notes). Then every String, LowCardinality, Nullable, Array
and Map column of every table of the store is read and checked with the guard's own classifier:
nothing is found.
Telemetry is refused; alerts are kept with the personal part `[redacted]` (never lost).
"""

from __future__ import annotations

import re

import pytest

from collector.privacy import classify
from collector.redaction import REDACTED, redact
from store.client import Store
from store.clock import SystemClock
from tests.fixtures.otlp.sdk import metrics_request, resource, setups, spans_request, to_json
from tests.test_security_injection import PARIS, Platform, platform_app
from tests.test_spans import one_span


def nir(body: str) -> str:
    digits = body.upper().replace("2A", "19").replace("2B", "18")
    return f"{body}{97 - int(digits) % 97:02d}"


PHONES = [
    "0612345678",
    "06 12 34 56 78",
    "06.12.34.56.78",
    "06-12-34-56-78",
    "01 45 67 89 10",
    "+33612345678",
    "+33 6 12 34 56 78",
    "+33 (0)6 12 34 56 78",
    "0033 6 12 34 56 78",
    "0590 12 34 56",
    "+590 590 12 34 56",
    "+262 692 12 34 56",
    "33612345678",
    "sip:+33612345678@ims.example",
    "tel:+33-6-12-34-56-78",
    "+1 (415) 555-2671",
    "+44 20 7946 0958",
    "0044 20 7946 0958",
    "+4915112345678",
    # spellings the guard learnt in issue 14 (tests/test_security_privacy_spellings.py)
    "06  12  34  56  78",
    "06 - 12 - 34 - 56 - 78",
    "06/12/34/56/78",
    "(06) 12 34 56 78",
    "061 234 5678",
    "06\u00a012\u00a034\u00a056\u00a078",
    "+33 06 12 34 56 78",
    "(+33) 6 12 34 56 78",
]
NIRS = [
    nir("1850578006084"),
    "1 85 05 78 006 084",
    "1 85 05 78 006 084 " + nir("1850578006084")[-2:],
    nir("284122A123456"),
    "2 84 12 2A 123 456",
    "1.72.03.2B.051.012",
    "2840712345678",
    nir("7850512345678"),
    "1-85-05-78-006-084-" + nir("1850578006084")[-2:],
    "1  85  05  78  006  084",
    "1 85 05 78 006 084 / " + nir("1850578006084")[-2:],
]
EMAILS = ["jean.dupont@example.fr", "J.Dupont+samu@CHU-Lyon.fr"]
CORPUS = PHONES + NIRS + EMAILS
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_HEX = re.compile(r"\b[0-9a-f]{16,}\b")


def _name(value: str) -> str:
    """A value as an SDK instrument name allows it (letters, digits, . _ -)."""
    return re.sub(r"[^A-Za-z0-9._-]+", "-", value).strip("-")


@pytest.mark.parametrize("text", CORPUS)
def test_the_corpus_is_caught_by_the_guard_and_redaction_leaves_nothing(text: str) -> None:
    assert classify(text) is not None
    assert classify(redact(f"rappeler le {text} svp")) is None
    assert REDACTED in redact(text)


def send_everything(rig: Platform) -> None:
    c = rig.client
    json_headers = {"Content-Type": "application/json"}
    for i, value in enumerate(CORPUS):
        metric_bodies = [
            metrics_request(setups({"success": 1}), resource(value)),
            metrics_request(setups({"success": 1}), resource(PARIS, caller_number=value)),
            metrics_request(setups({"success": 1}, component=value), resource(PARIS)),
            metrics_request(setups({"success": 1}, caller=value), resource(PARIS)),
            metrics_request(
                lambda m, v=value: m.create_counter(f"samu.calls.{_name(v)}").add(1),
                resource(PARIS),
            ),
        ]
        for body in metric_bodies:
            answer = c.post("/v1/metrics", content=to_json(body), headers=json_headers)
            assert answer.status_code == 200
        span_bodies = [
            spans_request(one_span(name=f"call {value}")),
            spans_request(one_span(attributes={"caller": value})),
            spans_request(one_span(), resource(PARIS, host_name=value)),
        ]
        for body in span_bodies:
            answer = c.post("/v1/traces", content=to_json(body), headers=json_headers)
            assert answer.status_code == 200
        alert = {
            "labels": {"alertname": "Caller", "samu": PARIS, "caller": value, "n": str(i)},
            "annotations": {"summary": f"rappeler le {value}", "description": value},
        }
        assert c.post("/api/v2/alerts", json=[alert]).status_code == 200
        silence = {
            "matchers": [{"name": "caller", "value": value, "isRegex": False, "isEqual": True}],
            "startsAt": "2026-01-01T00:00:00Z",
            "endsAt": "2099-01-01T00:00:00Z",
            "createdBy": value,
            "comment": f"patient {value}",
        }
        assert c.post("/api/v2/silences", json=silence).status_code == 200
    clean = metrics_request(setups({"success": 5}, component="telephony"), resource(PARIS))
    assert c.post("/v1/metrics", content=to_json(clean), headers=json_headers).status_code == 200
    window = {
        "title": f"bascule, joindre {PHONES[1]}",
        "samu_ids": [PARIS],
        "starts_at": "2099-01-01T00:00:00+01:00",
        "duration": "1h",
        "approved_by": f"chef {PHONES[0]}",
        "reason": f"NIR {NIRS[0]}",
    }
    assert c.post("/api/v1/maintenance", json=window).status_code == 201


def personal_values(store: Store) -> list[tuple[str, str, str]]:
    """(table, column, value) of every stored text that the guard flags."""
    columns = store.query(
        "SELECT c.table, c.name FROM system.columns AS c INNER JOIN system.tables AS t "
        "ON c.database = t.database AND c.table = t.name WHERE c.database = {d:String} "
        "AND t.engine NOT LIKE '%View' AND (c.type LIKE '%String%' OR c.type LIKE 'Map%' "
        "OR c.type LIKE 'Array%')",
        {"d": store.database},
    )
    assert len(columns) > 50, "the scan must cover the whole schema"
    found = []
    for table, column in columns:
        rows = store.query(
            "SELECT DISTINCT toString({c:Identifier}) FROM {db}.{t:Identifier}",
            {"c": column, "t": table},
        )
        for (value,) in rows:
            text = _HEX.sub(" ", _UUID.sub(" ", str(value)))
            if classify(text) is not None:
                found.append((table, column, str(value)[:120]))
    return found


def test_no_phone_or_nir_like_value_reaches_any_column_of_any_table(store: Store) -> None:
    with platform_app(store, SystemClock()) as rig:
        send_everything(rig)
        labels = {a["labels"]["caller"] for a in rig.client.get("/api/v2/alerts").json()}
    assert personal_values(store) == []
    assert labels == {REDACTED} or all(REDACTED in v for v in labels), "alerts are kept"
    refused = store.query(
        "SELECT reason, sum(count) FROM {db}.ingest_rejections GROUP BY reason ORDER BY reason"
    )
    reasons = {r for r, _ in refused}
    assert {"pii_phone_number", "pii_health_id"} <= reasons
    assert store.query("SELECT count() FROM {db}.points")[0][0] > 0, "clean data still flows"


def test_the_scan_finds_a_number_that_slipped_into_any_table(store: Store) -> None:
    from store.audit import AuditLog

    AuditLog(store, SystemClock()).record("marie", "silence.created", details={"c": PHONES[1]})
    assert [(t, c) for t, c, _ in personal_values(store)] == [("audit_log", "details")]
