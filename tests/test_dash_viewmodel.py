"""The view model of a SAMU: its colour, words and figures come from one computation and agree,
for each situation an operator meets (healthy, paging, ticket, maintenance, no data, Vigie
ingest gap, SAMU in entraide); then the national view drawn from those view models."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from dashboards import fleet
from dashboards.i18n import t
from dashboards.ports import AlertView, GroupView
from dashboards.theme import ICONS, LIGHT
from dashboards.viewmodel import SamuFacts, SamuView, samu_view, slo_row
from slo.evaluate import MinuteTally
from store.formats import NNBSP
from tests.dash_factory import LYON_ID, NOW, PARIS_ID, REGISTRY, page_group, status

PARIS = REGISTRY.get(PARIS_ID)
LYON = REGISTRY.get(LYON_ID)
PRIMARY = "s1-call-setup"
assert PARIS is not None and LYON is not None


def healthy() -> SamuFacts:
    return SamuFacts(PARIS, (status(PARIS_ID, 100_000, 100_000),))


def view(facts: SamuFacts, lang: str = "fr") -> SamuView:
    return samu_view(facts, PRIMARY, NOW, lang)


def agrees(v: SamuView, lang: str = "fr") -> None:
    """Colour, icon, words and figures are one story."""
    assert v.icon == ICONS[v.state] and v.label == t(f"state.{v.state}", lang)
    assert v.budget_text != "" and "-" not in v.budget_text  # never a negative budget


def test_a_healthy_samu_is_ok_with_its_primary_slo_figures() -> None:
    v = view(healthy())
    agrees(v)
    assert (v.state, v.slo) == ("ok", PRIMARY)
    assert (v.sli_text, v.budget_text, v.burn_text) == (
        f"100,000{NNBSP}%",
        f"100,0{NNBSP}%",
        "0,0",
    )
    assert v.why == "Objectifs tenus, aucune alerte"


def test_a_paging_samu_shows_the_figures_of_the_slo_that_pages_not_the_primary() -> None:
    """The bug of issue 16: red beside "burn 0 / budget 100 %" (S1's figures, S3's page)."""
    s3 = status(PARIS_ID, 40_000, 40_320, bad_recent=60, slo="s3-reachability", condition="page")
    facts = SamuFacts(
        PARIS,
        (status(PARIS_ID, 100_000, 100_000), s3),
        (page_group(PARIS_ID, slo="s3-reachability").alerts[0],),
    )
    v = view(facts)
    agrees(v)
    assert (v.state, v.slo) == ("page", "s3-reachability")
    assert v.burn == pytest.approx(1200.0) and v.burn_text == f"1{NNBSP}200,0"
    assert v.budget_left is not None and v.budget_left < 0
    assert v.budget_text == "épuisé"  # overspent: a word, not -1 487 %
    assert v.why == f"S3 · joignabilité : combustion 1{NNBSP}200,0 sur 1{NNBSP}h (seuil 14,4)"
    assert v.pages == 1


def test_a_page_condition_without_its_alert_yet_still_pages_and_a_silenced_one_does_not() -> None:
    s1 = status(PARIS_ID, 99_000, 100_000, bad_recent=50, condition="page")
    assert view(SamuFacts(PARIS, (s1,))).state == "page"
    muted = page_group(PARIS_ID, suppressed=True).alerts[0]
    v = view(SamuFacts(PARIS, (s1,), (muted,)))
    assert v.state == "ok" and v.muted == 1 and v.pages == 0


def test_a_guard_page_shows_its_own_name_and_no_unrelated_figures() -> None:
    alert = page_group(PARIS_ID, slo="", alertname="TrafficCollapse").alerts[0]
    v = view(replace(healthy(), alerts=(alert,)))
    agrees(v)
    assert (v.state, v.slo, v.why) == ("page", "", "Effondrement du trafic")
    assert (v.sli_text, v.burn_text, v.budget_text) == ("—", "—", "—")


def test_a_ticket_is_amber_with_its_slo_burn() -> None:
    s2 = status(PARIS_ID, 99_800, 100_000, bad_recent=1, slo="s2-setup-latency", condition="ticket")
    alert = page_group(PARIS_ID, severity="ticket", slo="s2-setup-latency").alerts[0]
    v = view(SamuFacts(PARIS, (status(PARIS_ID, 10, 10), s2), (alert,)), "en")
    agrees(v, "en")
    assert (v.state, v.label, v.slo) == ("ticket", "Ticket open", "s2-setup-latency")
    assert v.why == "S2 · setup latency: burn 20.0 over 1\u202fh (threshold 3.0)"
    assert LIGHT.fills[v.state] == "#f99a15"


def test_maintenance_says_which_window_and_keeps_the_figures() -> None:
    v = view(replace(healthy(), maintenance="Migration Genesys"))
    agrees(v)
    assert v.state == "maintenance" and v.why == "Maintenance planifiée : Migration Genesys"
    assert v.sli_text == f"100,000{NNBSP}%"


def test_no_data_is_never_ok_and_shows_dashes() -> None:
    v = view(SamuFacts(PARIS, (status(PARIS_ID, 0, 0, recent_valid=0),)))
    agrees(v)
    assert v.state == "no_data" and v.why == "Aucune donnée reçue de ce SAMU"
    assert (v.sli_text, v.budget_text, v.burn_text, v.exhaustion_text) == ("—",) * 4
    assert view(SamuFacts(PARIS)).state == "no_data"  # no status at all


def test_a_vigie_ingest_gap_is_ours_not_the_samus() -> None:
    facts = SamuFacts(PARIS, (status(PARIS_ID, 0, 0, recent_valid=0),), gap=True)
    v = view(facts)
    agrees(v)
    assert (v.state, v.label) == ("gap", "Trou de collecte Vigie")
    assert "exclues du budget" in v.why


def test_a_samu_in_entraide_names_its_backup() -> None:
    v = view(replace(healthy(), entraide_out=12, backup=LYON))
    agrees(v)
    assert v.state == "ok" and v.entraide == f"en entraide vers {LYON.name}"


def test_an_exhausted_budget_says_since_when() -> None:
    s1 = status(PARIS_ID, 99_000, 100_000)
    since = {PRIMARY: NOW - timedelta(days=3, hours=2)}
    v = view(replace(healthy(), statuses=(s1,), exhausted_since=since))
    assert v.budget_text == f"épuisé depuis 3{NNBSP}j 2{NNBSP}h"
    assert slo_row(s1, NOW, "fr").budget_text == "épuisé"


def test_the_national_view_counts_states_from_the_same_view_models_as_the_tiles() -> None:
    statuses = [
        status(PARIS_ID, 99_990, 100_000, bad_recent=5, condition="page"),
        status(LYON_ID, 50_000, 50_000),
        status("national", 149_990, 150_000, slo="s1-call-setup-national", objective=0.9999),
    ]
    groups = [page_group(PARIS_ID), page_group(PARIS_ID, receiver="entraide-mail")]
    facts = fleet.facts(REGISTRY, statuses, groups, [], NOW, {LYON_ID: 4.0})
    rows = fleet.views(facts, PRIMARY, NOW, "fr")
    by_id = {r.samu.id: r for r in rows}
    assert by_id[PARIS_ID].state == "page" and by_id[PARIS_ID].pages == 1  # one alert, 2 receivers
    assert by_id[LYON_ID].state == "ok" and by_id["fr.health.samu001"].state == "no_data"
    national = fleet.national_status(statuses, "s1-call-setup-national", PRIMARY)
    k = fleet.kpis(rows, national, NOW, "fr")
    assert k.pages == 1 and sum(k.by_state.values()) == 100
    assert k.by_state["page"] == sum(r.state == "page" for r in rows)
    assert k.sli_window == pytest.approx(149_990 / 150_000)
    pairs = fleet.entraide(rows, {LYON_ID: 4.0})
    assert [p.samu.samu.id for p in pairs][:2] == [LYON_ID, PARIS_ID]  # in entraide first
    assert fleet.transfers_text(pairs[0], 15, "fr").startswith("→ ")
    assert next(r.samu.id for r in fleet.risk_order(rows)) == PARIS_ID


def test_the_view_model_does_not_mutate_its_inputs() -> None:
    facts = healthy()
    before = repr(facts)
    view(facts)
    assert repr(facts) == before


def test_a_fleet_wide_vigie_gap_turns_every_samu_grey_not_red() -> None:
    gap = AlertView("ff", {"alertname": "VigieIngestGap", "severity": "page"}, "", NOW, "active")
    groups = [GroupView("{}:{}", "noc-pager", {}, (gap,)), page_group(PARIS_ID)]
    statuses = [status(s.id, 0, 0, recent_valid=0) for s in REGISTRY]
    rows = fleet.views(fleet.facts(REGISTRY, statuses, groups, [], NOW), PRIMARY, NOW, "fr")
    states = {r.samu.id: r.state for r in rows}
    assert states.pop(PARIS_ID) == "page"  # a page of its own still shows
    assert set(states.values()) == {"gap"}
    k = fleet.kpis(rows, None, NOW, "fr")
    assert k.pages == 1 and k.by_state["gap"] == 99  # the platform alert pages no SAMU


def test_minutes_a_slice_slo_did_not_judge_are_said_on_the_tile_row_and_slo_table() -> None:
    s3 = replace(
        status(PARIS_ID, 39_000, 39_000, slo="s3-reachability"),
        minutes=MinuteTally(good=39_000, bad=0, gap=5, no_data=1_234, excluded=60),
    )
    v = view(SamuFacts(PARIS, (status(PARIS_ID, 100_000, 100_000), s3)))
    agrees(v)
    assert v.state == "ok"  # minutes not judged spend no budget: they do not colour the SAMU
    line = f"S3 · joignabilité : 1{NNBSP}234 min sans données, 5 min de trou Vigie"
    assert v.minutes == line and v.hover == f"{v.why} — {line}"
    assert (
        slo_row(s3, NOW, "fr").minutes_text == f"1{NNBSP}234 min sans données, 5 min de trou Vigie"
    )
    english = view(SamuFacts(PARIS, (s3,)), "en").minutes
    assert english.endswith("1,234 min without data, 5 min of Vigie gap")
    judged = replace(s3, minutes=MinuteTally(good=39_000))
    assert view(SamuFacts(PARIS, (judged,))).minutes == ""
    assert slo_row(judged, NOW, "fr").minutes_text == "0"
    assert slo_row(status(PARIS_ID, 1, 1), NOW, "fr").minutes_text == "—"  # not a slice SLO
