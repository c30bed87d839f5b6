"""The waves API behind the access gate: plans audited, comparisons filtered by SAMU scope."""

from __future__ import annotations

import csv
import io
from collections.abc import Collection
from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient

from alerts.events import EventLog
from alerts.maintenance_store import MaintenanceStore
from people.model import Role
from store.audit import AuditLog
from store.client import Store
from store.clock import FakeClock
from store.registry import load_registry
from tests.people_factory import add, app_for, people_service
from tests.test_slo_eval_factories import shipped
from tests.wave_data import BROKEN, END, EXPECTED, PLAN, SAMU, WAVE
from vigie.waves_role import PrincipalScope, build_waves
from waves.api import create_waves_router
from waves.measures import FIGURES

pytest_plugins = ("tests.wave_fixtures",)
MINE = "fr.health.samu075"


@pytest.fixture(scope="module")
def api(wave_store: Store) -> tuple[TestClient, Any]:
    clock = FakeClock(END + timedelta(minutes=5))
    people = people_service(wave_store, clock)
    audit = AuditLog(wave_store, clock)
    maintenance = MaintenanceStore(wave_store, clock, EventLog(wave_store, clock), audit)
    specs = shipped()[0]
    service = build_waves(wave_store, clock, load_registry(), audit, maintenance, lambda: specs)
    app = app_for(wave_store, people, [create_waves_router(service, PrincipalScope())])
    return TestClient(app), people


def bearer(people: Any, name: str, *roles: Role, samu: list[str] | None = None) -> dict[str, str]:
    person = people.accounts.by_name(name)
    person_id = person.id if person is not None else add(people, name, *roles, samu=samu)
    return {"Authorization": f"Bearer {people.tokens.issue(person_id, 't', 'test')[1]}"}


@pytest.fixture(scope="module")
def planned(api: tuple[TestClient, Any]) -> dict[str, Any]:
    client, people = api
    admin = bearer(people, "admin-w", Role.ADMIN)
    # The wave store is shared by the session: another module may have planned this wave.
    before = [w["id"] for w in client.get("/api/v1/waves", headers=admin).json()]
    answer = client.post("/api/v1/waves?name=plan.yaml", content=PLAN, headers=admin)
    assert answer.status_code == 201, answer.text
    return {**answer.json(), "known_before": WAVE.id in before}


def test_an_admin_plans_a_wave_and_everyone_national_sees_all_of_it(
    api: tuple[TestClient, Any], planned: dict[str, Any]
) -> None:
    client, people = api
    outcome = "unchanged" if planned["known_before"] else "planned"  # the same plan again
    assert planned["waves"] == [{"id": WAVE.id, "outcome": outcome}]
    assert planned["warnings"] == []
    viewer = bearer(people, "noc-w", Role.VIEWER)
    [wave] = client.get("/api/v1/waves", headers=viewer).json()
    assert [m["id"] for m in wave["samu"]] == list(SAMU)
    one = client.get(f"/api/v1/waves/{WAVE.id}", headers=viewer).json()
    assert [e["kind"] for e in one["history"]] == ["wave.planned"]
    assert one["maintenance_id"] == one["history"][0]["maintenance_id"] != ""


def test_the_comparison_through_the_api_states_the_verdicts(
    api: tuple[TestClient, Any], planned: dict[str, Any]
) -> None:
    client, people = api
    viewer = bearer(people, "noc-w", Role.VIEWER)
    body = client.get(f"/api/v1/waves/{WAVE.id}/compare?days=5", headers=viewer).json()
    assert body["complete"] and body["method"]["days"] == 5
    found = {r["samu"]: {f["figure"]: f["verdict"] for f in r["figures"]} for r in body["samu"]}
    assert found == {s: {f.key: EXPECTED[s].get(f.key, "same") for f in FIGURES} for s in SAMU}
    text = client.get(f"/api/v1/waves/{WAVE.id}/compare?days=5&format=csv", headers=viewer).text
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == len(SAMU) * len(FIGURES)
    broken = [r for r in rows if r["samu"] == BROKEN]
    assert {r["verdict"] for r in broken} == {"worse"}


def test_a_samu_manager_sees_only_the_rows_of_their_samu(
    api: tuple[TestClient, Any], planned: dict[str, Any]
) -> None:
    client, people = api
    mine = bearer(people, "samu75-w", Role.VIEWER, samu=[MINE])
    [wave] = client.get("/api/v1/waves", headers=mine).json()
    assert [m["id"] for m in wave["samu"]] == [MINE]
    body = client.get(f"/api/v1/waves/{WAVE.id}/compare?days=5", headers=mine).json()
    assert [r["samu"] for r in body["samu"]] == [MINE]
    text = client.get(f"/api/v1/waves/{WAVE.id}/compare?days=5&format=text", headers=mine).text
    assert MINE in text and BROKEN not in text
    other = bearer(people, "samu13-w", Role.VIEWER, samu=["fr.health.samu013"])
    assert client.get("/api/v1/waves", headers=other).json() == []
    assert client.get(f"/api/v1/waves/{WAVE.id}/compare", headers=other).status_code == 404


def test_changing_a_wave_needs_an_admin_and_every_samu_of_it_in_scope(
    api: tuple[TestClient, Any], wave_store: Store, planned: dict[str, Any]
) -> None:
    client, people = api
    oncall = bearer(people, "oncall75-w", Role.ONCALL, samu=[MINE])
    assert client.post("/api/v1/waves", content=PLAN, headers=oncall).status_code == 403
    assert client.delete(f"/api/v1/waves/{WAVE.id}", headers=oncall).status_code == 403

    class OnlyMine:
        """A scope that grants the SAMU 075 alone (admins are national today: the rule is
        checked on the router itself)."""

        def refusal(self, request: Request, samu_ids: Collection[str]) -> str | None:
            outside = sorted(set(samu_ids) - {MINE})
            return f"outside your SAMU scope: {', '.join(outside)}" if outside else None

    service = build_waves(
        wave_store,
        FakeClock(END),
        load_registry(),
        AuditLog(wave_store, FakeClock(END)),
        MaintenanceStore(wave_store, FakeClock(END), EventLog(wave_store, FakeClock(END))),
        lambda: shipped()[0],
    )
    app = FastAPI()
    app.include_router(create_waves_router(service, OnlyMine()))
    bare = TestClient(app)
    answer = bare.post("/api/v1/waves", content=PLAN)
    assert answer.status_code == 403 and BROKEN in answer.json()["detail"]
    assert bare.delete(f"/api/v1/waves/{WAVE.id}").status_code == 403
    assert [r["samu"] for r in bare.get(f"/api/v1/waves/{WAVE.id}/compare").json()["samu"]] == [
        MINE
    ]


def test_an_invalid_plan_is_refused_with_every_problem_and_its_line(
    api: tuple[TestClient, Any],
) -> None:
    client, people = api
    admin = bearer(people, "admin-w", Role.ADMIN)
    bad = PLAN.replace("fr.health.samu075", "fr.health.samu999")
    answer = client.post("/api/v1/waves?name=plan.yaml", content=bad, headers=admin)
    assert answer.status_code == 400
    assert answer.json()["problems"] == [
        "plan.yaml:9: waves[0].samu[0]: unknown SAMU id 'fr.health.samu999'"
    ]
    csv_plan = "wave,samu\nv,fr.health.samu054\n"
    answer = client.post("/api/v1/waves?name=p.csv", content=csv_plan, headers=admin)
    assert answer.status_code == 400 and "missing column(s)" in answer.json()["detail"]
