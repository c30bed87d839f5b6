"""Page callbacks called directly, over a real store and fakes of the alerting ports."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import plotly.graph_objects as go
import pytest

from dashboards import ids
from dashboards.app import create_ui
from dashboards.pages import alerts, national, samu, shell, wall
from dashboards.ports import SilenceView
from people.model import Role
from slo.evaluate import MinuteTally
from store.client import Store
from tests.dash_factory import (
    LYON_ID,
    NOW,
    PARIS_ID,
    FakeAlerting,
    FakeIncidents,
    incident,
    page_group,
    services,
    status,
    who,
)


def text_of(component: Any) -> str:
    """All the text of a Dash component tree."""
    if component is None:
        return ""
    if isinstance(component, str | int | float):
        return str(component)
    if isinstance(component, list | tuple):
        return " ".join(text_of(c) for c in component)
    return text_of(getattr(component, "children", None))


def statuses() -> list[Any]:
    return [
        status(PARIS_ID, 99_990, 100_000, bad_recent=5, condition="ticket"),  # 5 % bad over 1 h
        status(LYON_ID, 50_000, 50_000),
        status("national", 149_990, 150_000, slo="s1-call-setup-national", objective=0.9999),
    ]


def test_the_national_view_shows_kpis_map_risk_rows_and_entraide(store: Store) -> None:
    ui = services(store, statuses(), FakeAlerting([page_group(LYON_ID)]))
    kpis, tiles, rows, entraide, more = national.refresh(ui, who(Role.VIEWER), "tiles", {}, "fr")
    text = text_of(kpis)
    assert "99,993\u202f%" in text  # 28 d national SLI
    assert "1" in text_of(kpis[3])  # one active page
    assert len(tiles.children) == 100
    assert len(rows) == national.RISK_ROWS and more == "Afficher les 100 SAMU"
    everything = national.refresh(ui, who(Role.VIEWER), "tiles", {"all": True}, "fr")
    assert len(everything[2]) == 100
    first = text_of(rows[0])
    assert "Lyon" in first and "Alerte d'astreinte" in first  # the page comes first
    assert "Paris" in text_of(rows[1]) and "Ticket ouvert" in text_of(rows[1])  # then the ticket
    assert "SAMU 69" in text_of(entraide)


def test_a_samu_manager_sees_only_their_samu(store: Store) -> None:
    ui = services(store, statuses(), FakeAlerting([page_group(LYON_ID)]))
    manager = who(Role.VIEWER, scope=frozenset({PARIS_ID}))
    kpis, graph, rows, _, _ = national.refresh(ui, manager, "geo", {}, "en")
    assert len(rows) == 1 and "Paris" in text_of(rows)
    assert "Active pages 0 " in text_of(kpis[3])  # Lyon's page is not theirs
    assert sum(len(trace.x) for trace in graph.figure.data) == 1
    assert samu.refresh(ui, manager, LYON_ID, "en")[0].children == "Unknown SAMU or outside scope."


@pytest.mark.parametrize(
    ("current", "column", "expected"),
    [
        ({"col": "risk", "desc": False}, "burn", {"col": "burn", "desc": False}),
        ({"col": "burn", "desc": False}, "burn", {"col": "burn", "desc": True}),
        ({"col": "burn", "desc": True}, "sli", {"col": "sli", "desc": False}),
        ({"col": "sli", "desc": False}, "all", {"col": "sli", "desc": False, "all": True}),
    ],
)
def test_clicking_a_column_sorts_by_it_and_again_reverses(
    current: dict[str, Any], column: str, expected: dict[str, Any]
) -> None:
    assert national.next_sort(current, column) == expected


def test_clicking_a_map_tile_names_the_samu_page() -> None:
    assert national.clicked_samu({"points": [{"customdata": PARIS_ID}]}) == PARIS_ID
    assert national.clicked_samu({"points": []}) is None
    assert national.clicked_samu(None) is None


def test_the_samu_page_has_its_slos_four_figures_and_alerts(store: Store) -> None:
    fake = FakeIncidents([incident(PARIS_ID)])
    ui = services(store, statuses(), FakeAlerting([page_group(PARIS_ID)]), fake)
    head, slos, sli, budget, burns, calls, heat, pair, alerts_part = samu.refresh(
        ui, who(Role.VIEWER), PARIS_ID, "fr"
    )
    assert "SAMU 75" in text_of(head) and "Ticket ouvert" not in text_of(head)
    assert "Alerte d'astreinte" in text_of(head)
    assert "S1 · établissement des appels" in text_of(slos)
    assert all(isinstance(f, go.Figure) for f in (sli, budget, burns, calls, heat, pair))
    factors = sorted(trace.y[0] for trace in burns.data if trace.name.startswith("seuil"))
    assert factors == pytest.approx([1.0, 3.0, 6.0, 14.4])  # the policy's four thresholds
    assert len(heat.data[0].z[0]) == 24 and "SAMU 75" in pair.data[0].name
    assert "inc-1" in text_of(alerts_part) and "Opérateur NOC 1" in text_of(alerts_part)


def test_an_overseas_samu_page_shows_its_local_time(store: Store) -> None:
    ui = services(store, [status("fr.health.samu971", 10, 10)])
    head = samu.refresh(ui, who(Role.VIEWER), "fr.health.samu971", "fr")[0]
    assert "UTC−04:00" in text_of(head)


def test_ack_from_the_alerts_page_goes_through_the_on_call_service(store: Store) -> None:
    fake = FakeIncidents([incident(PARIS_ID)])
    ui = services(store, statuses(), FakeAlerting([page_group(PARIS_ID)]), fake)
    groups = alerts.render(ui, who(Role.ONCALL), "fr")[0]
    assert "Prendre en compte" in text_of(groups)
    trigger = {"type": ids.ACK, "index": "inc-1|ack"}
    outcome = alerts.act(ui, who(Role.ONCALL), trigger, {}, "ui 127.0.0.1", "fr")
    assert outcome.changed and "pris en compte" in outcome.message
    assert fake.acts == [("inc-1", "ack", "alice", "ui 127.0.0.1")]
    groups = alerts.render(ui, who(Role.ONCALL), "fr")[0]
    assert "Annuler la prise en compte" in text_of(groups)


def test_a_viewer_can_neither_ack_nor_silence(store: Store) -> None:
    fake = FakeIncidents([incident(PARIS_ID)])
    ui = services(store, statuses(), FakeAlerting([page_group(PARIS_ID)]), fake)
    groups = alerts.render(ui, who(Role.VIEWER), "fr")[0]
    assert "Prendre en compte" not in text_of(groups)
    trigger = {"type": ids.ACK, "index": "inc-1|ack"}
    outcome = alerts.act(ui, who(Role.VIEWER), trigger, {}, "ui", "en")
    assert not outcome.changed and outcome.message == "This needs the on-call role."
    assert fake.acts == []


@pytest.mark.parametrize(
    ("fields", "scope", "message"),
    [
        ({"matchers": "samu=fr.health.samu075", "ends": "2h", "comment": "travaux"}, None, "sil-1"),
        (
            {"matchers": "samu=fr.health.samu075", "ends": "2030-10-14 18:30", "comment": "x"},
            frozenset({PARIS_ID}),
            "sil-1",
        ),
        (
            {"matchers": "samu=fr.health.samu069", "ends": "2h", "comment": "x"},
            frozenset({PARIS_ID}),
            "périmètre",
        ),
        (
            {"matchers": "samu=fr.health.samu075", "ends": "2030-10-14 10:00", "comment": "x"},
            None,
            "futur",
        ),
        ({"matchers": "samu", "ends": "2h", "comment": "x"}, None, "illisible"),
        ({"matchers": "samu=fr.health.samu075", "ends": "2h", "comment": ""}, None, "commentaire"),
    ],
)
def test_creating_a_silence_checks_labels_end_time_comment_and_scope(
    store: Store, fields: dict[str, str], scope: frozenset[str] | None, message: str
) -> None:
    fake = FakeAlerting()
    ui = services(store, alerting=fake)
    outcome = alerts.act(ui, who(Role.ONCALL, scope=scope), "silence-create", fields, "ui", "fr")
    assert message in outcome.message
    if message == "sil-1":
        matchers, ends, _, actor, _ = fake.created[0]
        assert actor == "alice" and ends > NOW and matchers["samu"].startswith("fr.health")


def test_a_silence_ending_at_a_paris_time_ends_at_that_utc_instant(store: Store) -> None:
    fake = FakeAlerting()
    fields = {"matchers": "samu=fr.health.samu075", "ends": "2030-10-14 18:30", "comment": "x"}
    alerts.act(services(store, alerting=fake), who(Role.ONCALL), "c", fields, "ui", "fr")
    assert fake.created[0][1] == NOW + timedelta(hours=2, minutes=30)  # 18:30 CEST = 16:30 UTC


def test_expiring_a_silence_goes_through_the_alerting_service(store: Store) -> None:
    silence = SilenceView(
        "s1",
        ('samu="fr.health.samu075"',),
        NOW,
        NOW + timedelta(hours=1),
        "bob",
        "travaux",
        "active",
    )
    fake = FakeAlerting(silence_list=[silence])
    ui = services(store, alerting=fake)
    listed = alerts.render(ui, who(Role.ONCALL), "fr")[2]
    assert "Expirer" in text_of(listed)
    trigger = {"type": ids.EXPIRE, "index": "s1"}
    assert alerts.act(ui, who(Role.ONCALL), trigger, {}, "ui", "fr").changed
    assert fake.expired == [("s1", "alice", "ui")]


def test_the_wall_focus_follows_the_rotation_slot(store: Store) -> None:
    ui = services(store, statuses(), FakeAlerting([page_group(LYON_ID)]))
    viewer = who(Role.VIEWER)

    def shown(page: str, cycle: int = 0) -> tuple[str, Any]:
        out = wall.refresh(ui, viewer, 3, {"page": page, "cycle": cycle}, "fr")
        return out[4], out[5]

    assert shown("national")[0] == "SAMU par état"
    assert "SAMU 69" in shown("trouble", 0)[0] and "SAMU 75" in shown("trouble", 1)[0]
    assert shown("trouble", 2)[0] == shown("trouble", 0)[0]  # round the SAMU in trouble
    title, rows = shown("alerts")
    assert title == "Alertes d'astreinte et tickets" and "Lyon" in text_of(rows)
    every = [shown(p)[1] for p in wall.PAGES]
    assert {len(r) for r in every} == {wall.FOCUS_ROWS}  # the structure never changes
    last = wall.refresh(ui, viewer, 3, {}, "fr")[6]
    assert last == {"at_ms": int(NOW.timestamp() * 1000), "clock": "16:00"}  # Paris time


def test_the_wall_pages_and_periods_come_from_the_kiosk_url_or_the_defaults() -> None:
    assert wall.pages_of({}, ("national", "alerts")) == ["national", "alerts"]
    assert wall.pages_of({"pages": "alerts,bogus,trouble"}, ()) == ["alerts", "trouble"]
    assert wall.pages_of({"pages": "bogus"}, ("bogus",)) == ["national"]
    assert wall.seconds({"rotate": "30"}, "rotate", 20) == 30.0
    assert wall.seconds({"rotate": "0.1"}, "rotate", 20) == 1.0


@pytest.mark.parametrize(
    ("path", "search", "theme", "header_hidden"),
    [
        ("/", "", "theme-light", False),
        ("/alerts", "", "theme-light", False),
        ("/samu/fr.health.samu075", "", "theme-light", False),
        ("/wall", "", "theme-wall", True),
        ("/", "?kiosk=1", "theme-wall", True),
    ],
)
def test_routing_picks_the_page_and_the_wall_theme(
    store: Store, path: str, search: str, theme: str, header_hidden: bool
) -> None:
    create_ui(services(store))  # the app builds with every callback registered
    pages = {"/": national.layout, "/alerts": alerts.layout}
    content, root, hidden = shell.render(
        path, search, "fr", pages, wall.layout_for(services(store)), samu.layout
    )
    assert (root, hidden) == (theme, header_hidden)
    assert content is not None


def test_the_wall_refresh_period_comes_from_the_query_or_the_default() -> None:
    assert wall.interval_ms({}, 10) == 10_000
    assert wall.interval_ms({"refresh": "2"}, 10) == 2_000
    assert wall.interval_ms({"refresh": "0"}, 10) == 1_000
    assert wall.interval_ms({"refresh": "x"}, 10) == 10_000


def test_the_risk_row_and_the_samu_page_say_the_minutes_not_judged(store: Store) -> None:
    s3 = replace(
        status(PARIS_ID, 1_000, 1_000, slo="s3-reachability"),
        minutes=MinuteTally(good=1_000, gap=4, no_data=9),
    )
    ui = services(store, [*statuses(), s3])
    said = "S3 · joignabilité : 9 min sans données, 4 min de trou Vigie"
    rows = national.refresh(ui, who(Role.VIEWER), "tiles", {"all": True}, "fr")
    assert said in text_of(rows)
    head, slos = samu.refresh(ui, who(Role.VIEWER), PARIS_ID, "fr")[:2]
    assert said in text_of(head)
    assert "Minutes non jugées" in text_of(slos) and "9 min sans données" in text_of(slos)
