"""The SLO REST API over a real store, and the status table the CLI prints."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner
from fastapi import FastAPI
from fastapi.testclient import TestClient

from slo.api import compute_status, create_slo_router, status_dict
from slo.errors import SpecError
from slo.loader import LoadResult
from store.client import Store
from store.clock import FakeClock
from tests.test_slo_eval_factories import (
    SETUPS,
    minutes,
    put_counts,
    registry,
    shipped,
    shipped_slo,
)
from vigie.commands.slo_cmds import print_status

NOW = datetime(2026, 10, 14, 12, 0, tzinfo=UTC)
PARIS = "fr.health.samu075"


def client(store: Store, reload_fails: bool = False) -> TestClient:
    loaded = LoadResult(*shipped())

    def reload() -> LoadResult:
        if reload_fails:
            raise SpecError([])
        return loaded

    app = FastAPI()
    app.include_router(create_slo_router(store, registry(), FakeClock(NOW), lambda: loaded, reload))
    return TestClient(app)


def test_the_slos_are_listed_with_their_objective_and_window(store: Store) -> None:
    body = client(store).get("/api/v1/slos").json()
    s1 = next(s for s in body["slos"] if s["id"] == "s1-call-setup")
    assert (s1["objective_percent"], s1["window"], s1["scope"]) == (99.95, "28d", "samu")
    assert [g["id"] for g in body["guards"]] == ["s4-traffic-plausibility"]


def test_the_status_of_one_samu_over_a_calendar_month(store: Store) -> None:
    october = datetime(2026, 9, 30, 22, 0, tzinfo=UTC)
    put_counts(store, [(m, PARIS, SETUPS, "success", 100) for m in minutes(october, 100)])
    put_counts(store, [(october + timedelta(hours=5), PARIS, SETUPS, "failed", 1)])
    put_counts(store, [(october - timedelta(minutes=1), PARIS, SETUPS, "failed", 9)])
    response = client(store).get(
        "/api/v1/slos/s1-call-setup/status", params={"samu": PARIS, "window": "2026-10"}
    )
    (row,) = response.json()["status"]
    assert (row["good"], row["valid"], row["state"]) == (10000, 10001, "ok")
    assert row["window_start"] == october.isoformat()


@pytest.mark.parametrize(
    ("path", "params", "code"),
    [
        ("/api/v1/slos/nope/status", {}, 404),
        ("/api/v1/slos/s1-call-setup/status", {"samu": "fr.health.samu999"}, 404),
        ("/api/v1/slos/s1-call-setup/status", {"window": "octobre"}, 422),
    ],
    ids=["an unknown slo", "an unknown samu", "a window that is not a period"],
)
def test_bad_requests_get_clear_answers(
    store: Store, path: str, params: dict[str, str], code: int
) -> None:
    assert client(store).get(path, params=params).status_code == code


def test_the_national_view_counts_the_samu_burning(store: Store) -> None:
    put_counts(store, [(NOW - timedelta(minutes=10), PARIS, SETUPS, "failed", 5)])
    body = client(store).get("/api/v1/slos/national").json()
    s1 = next(v for v in body["burning"] if v["slo"] == "s1-call-setup")
    assert (s1["samu"], s1["exhausted"], s1["no_data"], s1["alerting"]) == (100, 1, 99, 1)
    national = [c for c in body["composites"] if c["samu"] == "national"]
    assert {c["slo"] for c in national} >= {"s1-call-setup", "s1-call-setup-national"}


def test_a_reload_answers_with_the_ids_or_refuses_invalid_specs(store: Store) -> None:
    ok = client(store).post("/api/v1/slos/reload")
    assert ok.status_code == 200
    assert "s1-call-setup" in ok.json()["slos"]
    assert client(store, reload_fails=True).post("/api/v1/slos/reload").status_code == 422


def test_the_status_table_shows_no_data_as_a_dash(store: Store) -> None:
    put_counts(store, [(NOW - timedelta(minutes=30), PARIS, SETUPS, "success", 100)])
    rows = compute_status(
        store, registry(), [shipped_slo("s1-call-setup")], NOW, samu=None, window=None
    )
    wanted = [status_dict(r) for r in rows if r.samu in (PARIS, "fr.health.samu069")]
    result = CliRunner().invoke(_table, [], obj=wanted)
    lines = result.output.splitlines()
    assert lines[0].split() == [
        "SAMU",
        "SLO",
        "SLI",
        "objective",
        "budget",
        "left",
        "burn",
        "1h",
        "burn",
        "6h",
        "burn",
        "3d",
        "bad/gap",
        "min",
        "state",
    ]
    assert lines[1].split() == [
        "fr.health.samu069",
        "s1-call-setup",
        "—",
        "99.95%",
        "—",
        "—",
        "—",
        "—",
        "—",
        "no_data",
    ]
    assert lines[2].split()[2:] == [
        "100.000%",
        "99.95%",
        "100.0%",
        "0.00",
        "0.00",
        "0.00",
        "—",
        "ok",
    ]


import click  # noqa: E402  (a tiny command to capture the table through click)


@click.command()
@click.pass_obj
def _table(rows: list[dict[str, object]]) -> None:
    print_status(rows)  # type: ignore[arg-type]
