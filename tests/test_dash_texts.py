"""Every visible text comes from the catalogue: each page is rendered in the pseudo-locale
(catalogue texts wrapped in ⟦…⟧) for a situation with every state, alerts, silences, incidents
and a report; any visible text left once the catalogue texts, the data (SAMU names, label values,
people) and formatted numbers are taken out is an untranslated string, and fails the test."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from typing import Any

import plotly.graph_objects as go
import pytest
from babel.dates import get_day_names, get_month_names

from alerts.maintenance import MaintenanceWindow
from dashboards import fleet, ids
from dashboards.app import create_ui
from dashboards.i18n import PSEUDO
from dashboards.pages import alerts, national, reports, samu, shell, wall
from dashboards.ports import AlertView, GroupView, SilenceView, UiServices
from dashboards.theme import STATES
from people.model import Role
from slo.evaluate import MinuteTally
from store.client import Store
from tests.dash_factory import (
    LYON_ID,
    NOW,
    PARIS_ID,
    REGISTRY,
    FakeAlerting,
    FakeIncidents,
    FakeMaintenance,
    incident,
    page_group,
    services,
    status,
    who,
)
from tests.test_dash_reports import FakeReports

MARSEILLE_ID = "fr.health.samu013"
GAP = {"alertname": "VigieIngestGap", "severity": "ticket", "samu": "fr.health.samu029"}
_NUMBER = re.compile(r"[−+-]?\d[\d\u202f\u00a0 ,.:/]*(\s?(%|j|h|min|s|d))*")
_WORD = re.compile(r"[A-Za-zÀ-ÿ]{2,}")


def situation(store: Store) -> UiServices:
    """Every state on the map, alerts of both severities and a guard, a silence, an incident."""
    groups = [
        page_group(PARIS_ID),
        page_group(PARIS_ID, receiver="entraide-mail"),
        page_group(LYON_ID, "b2", severity="ticket", slo="s2-setup-latency"),
        page_group(MARSEILLE_ID, "c3", slo="", alertname="TrafficCollapse", suppressed=True),
        GroupView("{}:{}", "platform", {}, (AlertView("d4", GAP, "", NOW, "active"),)),
    ]
    end = NOW + timedelta(hours=2)
    silence = SilenceView("s-1", ('samu="x"',), NOW, end, "bob", "travaux", "active")
    window = MaintenanceWindow(
        id="m1",
        title="Migration",
        starts_at=NOW - timedelta(hours=1),
        duration=timedelta(hours=3),
        approved_by="carol",
        created_by="carol",
        samu_ids=("fr.health.samu033",),
    )
    statuses = [
        status(PARIS_ID, 99_000, 100_000, bad_recent=50, condition="page"),
        status(LYON_ID, 99_990, 100_000, bad_recent=2, slo="s2-setup-latency", condition="ticket"),
        status("fr.health.samu033", 100, 100),
        status("fr.health.samu059", 100, 100),
        replace(  # minutes not judged: no data and a Vigie gap, said in words
            status(PARIS_ID, 100, 100, slo="s3-reachability"),
            minutes=MinuteTally(good=100, gap=3, no_data=7),
        ),
        status("national", 149_990, 150_000, slo="s1-call-setup-national", objective=0.9999),
    ]
    ui = services(
        store,
        statuses,
        FakeAlerting(groups, [silence]),
        FakeIncidents([incident(PARIS_ID)]),
        FakeMaintenance([window]),
    )
    return replace(ui, reports=FakeReports())


def data_strings(ui: UiServices) -> set[str]:
    """What the pages may show verbatim: the platform's data, not UI words."""
    out = {"Vigie 15", "SLO", "SAMU", "SLI", "UTC"}
    for s in REGISTRY:
        out |= {s.id, s.name, s.region, s.department, s.id.removeprefix("fr.health.samu")}
    for g in ui.alerting.groups():
        out |= {g.receiver, *g.labels.values()}
        for a in g.alerts:
            out |= {a.summary, a.fingerprint, *a.labels.values()}
    for sil in ui.alerting.silences():
        out |= {sil.id, sil.created_by, sil.comment, *sil.matchers}
    for shift in ui.alerting.on_call():
        out |= {shift.schedule, *shift.on_call, *shift.next_people}
    for i in ui.incidents.open_incidents():
        out |= {i.id, i.title, i.acked_by}
    for w in ui.maintenance.list():
        out |= {w.title}
    out |= {"alice", "carol"}
    for locale in ("fr_FR", "en_GB"):  # month and day names in formatted dates
        for width in ("abbreviated", "wide"):
            out |= set(get_month_names(width, locale=locale).values())
            out |= set(get_day_names(width, locale=locale).values())
    return {s for s in out if s}


def strings(value: Any) -> Iterator[str]:
    """Every visible text of a component tree or a figure."""
    if value is None or isinstance(value, bool | int | float):
        return
    if isinstance(value, str):
        yield value
        return
    if isinstance(value, list | tuple):
        for v in value:
            yield from strings(v)
        return
    if isinstance(value, go.Figure):
        layout = value.layout
        for text in (layout.title.text, layout.xaxis.title.text, layout.yaxis.title.text):
            yield from strings(text)
        for note in layout.annotations or ():
            yield from strings(note.text)
        for trace in value.data:
            yield from strings(getattr(trace, "name", None))
            yield from strings(list(getattr(trace, "text", None) or ()))
            yield from strings(list(getattr(trace, "hovertext", None) or ()))
        return
    for attr in ("children", "title", "placeholder", "aria-label", "label"):
        yield from strings(getattr(value, attr, None))
    figure = getattr(value, "figure", None)
    if isinstance(figure, go.Figure):
        yield from strings(figure)
    for option in getattr(value, "options", None) or ():
        if isinstance(option, dict):
            yield from strings(option.get("label"))


def untranslated(texts: Iterator[str], data: set[str]) -> list[str]:
    """The texts that still hold words once catalogue texts, data and numbers are removed."""
    bad = []
    ordered = [
        re.compile(rf"(?<!\w){re.escape(v)}(?!\w)")
        for v in sorted(data, key=len, reverse=True)
        if _WORD.search(v)  # codes and numbers are left to the number pattern
    ]
    for text in texts:
        rest, previous = text, ""
        while rest != previous:  # catalogue texts nest (a reason names an SLO)
            previous, rest = rest, re.sub(r"⟦[^⟦⟧]*⟧", " ", rest)
        for value in ordered:
            rest = value.sub(" ", rest)
        rest = _NUMBER.sub(" ", rest)
        if _WORD.search(rest):
            bad.append(text)
    return bad


def pages(ui: UiServices) -> Iterator[Any]:
    """Every page's skeleton and what each of its callbacks returns, in the pseudo-locale."""
    lang = PSEUDO
    admin = who(Role.ONCALL, Role.REPORTER)
    yield shell.header(lang)
    yield national.layout(lang, {})
    yield national.refresh(ui, admin, "tiles", {"all": True}, lang)
    yield national.refresh(ui, admin, "geo", {}, lang)
    yield samu.layout(lang, {"samu_id": PARIS_ID})
    for samu_id in (PARIS_ID, LYON_ID, "fr.health.samu033", "fr.health.samu971", "nope"):
        yield samu.refresh(ui, admin, samu_id, lang)
    yield alerts.layout(lang, {})
    yield alerts.render(ui, admin, lang)
    yield alerts.incident_panel(ui, admin, "inc-1", lang)
    yield alerts.act(ui, admin, "create", {"matchers": "x"}, "ui", lang).message
    yield wall.layout_for(ui)(lang, {})
    for page in wall.PAGES:
        for cycle in range(3):
            yield wall.refresh(ui, admin, 0, {"page": page, "cycle": cycle}, lang)[:6]
    layout = reports.layout_for(ui)
    yield layout(lang, {})
    yield reports.render(ui, admin, "2030-09", lang)
    yield reports.render(ui, admin, "2030-08", lang)


def test_every_visible_text_of_every_page_comes_from_the_catalogue(store: Store) -> None:
    ui = situation(store)
    app = create_ui(ui)  # every callback registers
    facts = fleet.facts(REGISTRY, ui.slo_status(), ui.alerting.groups(), ui.maintenance.list(), NOW)
    assert {r.state for r in fleet.views(facts, "s1-call-setup", NOW, "fr")} == set(STATES)
    data = data_strings(ui)
    with app.server.test_request_context("/"):
        bad = [text for page in pages(ui) for text in untranslated(strings(page), data)]
    assert bad == [], "\n".join(bad)


@pytest.mark.parametrize(
    "text",
    ["Budget restant", "burn 16.0 over 1h", "Aucune donnée ⟦x⟧", "State: page"],
)
def test_the_check_catches_a_string_that_skipped_the_catalogue(text: str) -> None:
    assert untranslated(iter([text]), set()) == [text]


def test_the_check_lets_catalogue_texts_data_and_numbers_through() -> None:
    texts = ["⟦Budget restant⟧", "SAMU 75 Paris", "99,95\u202f%", "4\u202fh 59\u202fmin", "12:05"]
    assert untranslated(iter(texts), {"SAMU 75 Paris"}) == []
    assert ids.GROUPS  # the ids module is the one the pages use
