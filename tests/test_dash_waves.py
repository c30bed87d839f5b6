"""The migration waves page: one row per SAMU from the real comparison of the simulated wave,
a SAMU manager's rows only, every visible text from the catalogue, routed and in the menu."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from alerts.events import EventLog
from alerts.maintenance_store import MaintenanceStore
from dashboards import ids
from dashboards.app import create_ui
from dashboards.i18n import PSEUDO
from dashboards.pages import shell, waves
from dashboards.ports import UiServices
from dashboards.waveview import wave_view
from people.model import ROLES_HEADER, SCOPE_HEADER, USER_HEADER, Role
from store.audit import AuditLog
from store.client import Store
from store.clock import FakeClock
from tests.dash_factory import REGISTRY, services, who
from tests.test_dash_callbacks import text_of
from tests.test_dash_texts import data_strings, strings, untranslated
from tests.test_slo_eval_factories import shipped
from tests.wave_data import BROKEN, END, EXPECTED, SAMU, WAVE
from vigie.waves_role import build_waves

pytest_plugins = ("tests.wave_fixtures",)
PARIS = "fr.health.samu075"


@pytest.fixture(scope="module")
def ui(wave_store: Store) -> UiServices:
    clock = FakeClock(END + timedelta(minutes=5))
    audit = AuditLog(wave_store, clock)
    maintenance = MaintenanceStore(wave_store, clock, EventLog(wave_store, clock), audit)
    specs = shipped()[0]
    service = build_waves(wave_store, clock, REGISTRY, audit, maintenance, lambda: specs)
    service.book.plan([WAVE], actor="noc")  # or unchanged: another module planned it already
    return replace(services(wave_store, clock=clock), waves=service)


def rows_of(table: Any) -> dict[str, Any]:
    body = table.children[2]
    return {tr.id.removeprefix("wave-row-"): tr for tr in body.children}


def test_the_page_shows_one_row_per_samu_with_each_verdict(ui: UiServices) -> None:
    head, table, picture = waves.render(ui, who(Role.VIEWER), WAVE.id, 5, "network_latency", "en")
    rows = rows_of(table)
    assert list(rows) == list(SAMU)
    broken = rows[BROKEN].children
    assert text_of(broken[2]) == "▼ worse"
    assert [text_of(c).count("▼ worse") for c in broken[3:]] == [1] * 7
    shifted = text_of(rows[PARIS])
    assert shifted.count("▼ worse") == 2 and shifted.count("= same") == 6  # overall + latency
    assert "worse: 3" in text_of(head) and "better: 1" in text_of(head)
    assert "complete comparison" in text_of(head)
    verdicts = {t.name for t in picture.data}
    assert verdicts == {"worse", "same"}  # network latency: two shifted, one broken, the rest same


def test_a_samu_manager_sees_only_their_samu_and_others_see_no_wave(ui: UiServices) -> None:
    mine = who(Role.VIEWER, scope=frozenset({PARIS}))
    _, table, picture = waves.render(ui, mine, WAVE.id, 5, "setup_p50", "fr")
    assert list(rows_of(table)) == [PARIS]
    assert [len(trace.y) for trace in picture.data] == [1]
    other = who(Role.VIEWER, scope=frozenset({"fr.health.samu013"}))
    head, table, _ = waves.render(ui, other, WAVE.id, 5, "setup_p50", "fr")
    assert "Aucune vague" in text_of(head) and table == ""
    assert waves.visible_waves(ui, other) == []


def test_the_view_model_states_values_changes_and_intervals_in_french(ui: UiServices) -> None:
    found = ui.waves.compare(WAVE.id, 5)
    view = wave_view(found, REGISTRY, "fr")
    latency = next(c for c in view.rows[0].cells if c.figure == "network_latency")
    assert latency.before.endswith(" ms") and latency.change.startswith("+15,")
    assert latency.interval.startswith("intervalle [+14,") and latency.verdict == "worse"
    assert [r.verdict for r in view.rows] == [
        "worse" if "worse" in EXPECTED[s].values() else "better" if EXPECTED[s] else "same"
        for s in SAMU
    ]


def test_every_visible_text_of_the_page_comes_from_the_catalogue(ui: UiServices) -> None:
    app = create_ui(ui)
    admin = who(Role.ADMIN)
    with app.server.test_request_context("/"):
        parts = [
            waves.layout_for(ui)(PSEUDO, {"wave": WAVE.id}),
            *waves.render(ui, admin, WAVE.id, 5, "availability", PSEUDO)[:2],
            waves.render(ui, admin, "nope", 5, "availability", PSEUDO)[0],
        ]
        figure = waves.render(ui, admin, WAVE.id, 5, "setup_p99", PSEUDO)[2]
    data = data_strings(ui) | {
        WAVE.id,
        WAVE.title,
        WAVE.approved_by,
        "hebergement-regional",
        "cloud-souverain",
    }
    bad = [text for page in [*parts, figure] for text in untranslated(strings(page), data)]
    assert bad == [], "\n".join(bad)


def test_the_page_is_routed_and_in_the_menu(ui: UiServices) -> None:
    app = create_ui(ui)
    assert "/waves" in [
        link.href for link in (li.children for li in shell.nav_links("fr").children)
    ]
    viewer = {USER_HEADER: "noc", ROLES_HEADER: "viewer", SCOPE_HEADER: "*"}
    with app.server.test_request_context("/", headers=viewer):
        page, theme, hidden = shell.render(
            "/waves",
            f"?wave={WAVE.id}&days=14",
            "fr",
            {"/": lambda lang, p: "national", "/waves": waves.layout_for(ui)},
            lambda *_: "wall",
            lambda *_: "samu",
        )
    assert theme == "theme-light" and not hidden
    found = {c.id: c for c in _walk(page) if getattr(c, "id", None)}
    assert found[ids.WAVES_PICK].value == WAVE.id and found[ids.WAVES_DAYS].value == 14


def _walk(component: object) -> list[object]:
    children = getattr(component, "children", None)
    kids = children if isinstance(children, list) else [children] if children is not None else []
    return [component, *(c for k in kids for c in _walk(k))]
