"""Figure builders, fleet arithmetic, theme contrast and texts: pure functions, values in."""

from __future__ import annotations

from datetime import timedelta

import pytest

from dashboards import i18n
from dashboards.colourblind import MIN_DELTA_E, closest_pair, delta_e
from dashboards.figures.maps import MapTile, geo_map, tile_grid
from dashboards.figures.samu_charts import (
    Threshold,
    burn_down,
    burn_rate_series,
    entraide_pair,
    heat_map,
)
from dashboards.figures.series import Span, calls_vs_usual, sli_series
from dashboards.history import HourPoint
from dashboards.i18n import fmt
from dashboards.theme import (
    ICONS,
    LIGHT,
    PALETTES,
    STATES,
    WALL,
    contrast,
    luminance,
    rgb_to_hex,
)
from slo.policy import BurnSample
from tests.dash_factory import NOW, PARIS_ID, REGISTRY

HOURS = [HourPoint(NOW - timedelta(hours=3 - k), 1000.0 - 10 * (k == 1), 1000.0) for k in range(3)]


@pytest.mark.parametrize("palette", list(PALETTES.values()), ids=list(PALETTES))
def test_every_state_colour_reaches_wcag_aa_against_its_text_and_the_page(palette: object) -> None:
    assert palette is LIGHT or palette is WALL
    for state in STATES:
        fill = palette.fills[state]
        assert contrast(fill, palette.on_fill[state]) >= 4.5, state
        if palette is WALL:  # on the dark wall every tile also stands out from the page
            assert contrast(fill, palette.background) >= 4.5, state
    assert contrast(palette.text, palette.background) >= 7


@pytest.mark.parametrize("palette", list(PALETTES.values()), ids=list(PALETTES))
def test_state_colours_stay_apart_for_colour_blind_operators(palette: object) -> None:
    assert palette is LIGHT or palette is WALL
    smallest, vision, a, b = closest_pair(palette.fills)
    assert smallest >= MIN_DELTA_E, f"{a} and {b} look alike with {vision} (ΔE {smallest:.1f})"
    assert len(set(ICONS.values())) == len(STATES)  # a distinct shape for each state too


def test_the_colour_blind_check_can_fail() -> None:
    # Red and green of equal lightness: apart for normal vision, alike for deuteranopes.
    assert delta_e("#d32f2f", "#388e3c") > 40
    assert delta_e("#b35900", "#5c7a00", "deuteranopia") < MIN_DELTA_E


@pytest.mark.parametrize(
    ("a", "b", "ratio"),
    [("#000000", "#ffffff", 21.0), ("#ffffff", "#ffffff", 1.0), ("#777777", "#ffffff", 4.48)],
)
def test_contrast_follows_the_wcag_formula(a: str, b: str, ratio: float) -> None:
    assert contrast(a, b) == pytest.approx(ratio, abs=0.01)
    assert luminance("#ffffff") == pytest.approx(1.0)


def test_computed_style_colours_read_back_as_hex() -> None:
    assert rgb_to_hex("rgb(255, 107, 107)") == "#ff6b6b"
    assert rgb_to_hex("rgba(0, 0, 0, 1)") == "#000000"


def test_the_tile_map_has_one_linked_square_per_samu_with_an_icon_and_a_label() -> None:
    tiles = [MapTile(s, "page" if s.id == PARIS_ID else "ok") for s in REGISTRY]
    grid = tile_grid(tiles, "fr")
    assert len(grid.children) == len(REGISTRY) == 100
    paris = next(a for a in grid.children if a.href == f"/samu/{PARIS_ID}")
    assert paris.children == "‼ 75" and paris.className == "tile state-page"
    assert paris.style == {"gridRow": 4, "gridColumn": 7}  # tile (3, 6), 1-based in CSS
    assert "Alerte d'astreinte" in getattr(paris, "aria-label")
    overseas = next(a for a in grid.children if a.href.endswith("971"))
    assert overseas.style["gridRow"] == 13  # the corner row


def test_the_geographic_map_draws_seats_on_plain_axes_with_overseas_insets() -> None:
    tiles = [MapTile(s, "no_data" if s.overseas else "ok") for s in REGISTRY]
    fig = geo_map(tiles, WALL, "en", big=True)
    assert [trace.type for trace in fig.data] == ["scatter", "scatter"]  # nothing fetched
    assert [trace.name for trace in fig.data] == ["? No data", "✓ OK"]
    overseas = fig.data[0]
    assert len(set(overseas.x)) == 5 and set(overseas.y) == {41.2}
    assert fig.layout.font.size == 24


def test_the_sli_series_shows_percentages_and_the_objective_line() -> None:
    spans = [Span(NOW - timedelta(hours=2), NOW - timedelta(hours=1), "incident", "panne")]
    fig = sli_series(HOURS, 0.9995, spans, LIGHT, "fr", x_range=(NOW - timedelta(days=1), NOW))
    assert list(fig.data[0].y) == [100.0, 99.0, 100.0]
    lines = [s for s in fig.layout.shapes if s.type == "line"]
    assert lines[0].y0 == pytest.approx(99.95)
    rects = [s for s in fig.layout.shapes if s.type == "rect"]
    assert len(rects) == 1 and rects[0].fillcolor == LIGHT.fills["page"]
    assert fig.layout.xaxis.range[1] == NOW.astimezone(i18n.PARIS).replace(tzinfo=None)


def test_the_burn_down_ends_at_the_budget_left_now_beside_steady_consumption() -> None:
    window = (NOW - timedelta(hours=3), NOW + timedelta(days=28))
    fig = burn_down(HOURS, 0.99, window, LIGHT, "fr")
    # 10 bad of 3000 valid against an allowance of 30: two thirds left after hour 2.
    assert list(fig.data[0].y) == pytest.approx([100.0, 100 * (1 - 10 / 30), 100 * (1 - 10 / 30)])
    assert list(fig.data[1].y) == [100, 0] and fig.data[1].name == "consommation régulière"


def test_burn_rates_over_time_are_drawn_against_the_policy_thresholds() -> None:
    thresholds = [
        Threshold("page", timedelta(hours=1), 14.4),
        Threshold("ticket", timedelta(days=1), 3.0),
    ]
    fig = burn_rate_series(HOURS, 0.99, thresholds, LIGHT, "fr")
    assert list(fig.data[0].y) == pytest.approx([0.01, 1.0, 0.01])  # 1 % bad = burn 1
    lines = {trace.name: set(trace.y) for trace in fig.data[1:]}
    assert lines == {
        "seuil astreinte 14,4 (1\u202fh)": {14.4},
        "seuil ticket 3,0 (1\u202fj)": {3.0},
    }
    assert fig.layout.yaxis.type == "log"


def test_the_heat_map_puts_bad_minutes_in_their_paris_hour_and_day() -> None:
    bad = {NOW: 12, NOW - timedelta(days=1, hours=13): 3}  # 16:00 and 03:00 Paris
    fig = heat_map(bad, NOW - timedelta(days=2), NOW, LIGHT, "fr")
    z = fig.data[0].z
    assert len(z) == 3 and z[2][16] == 12 and z[1][3] == 3 and sum(map(sum, z)) == 15
    empty = heat_map({}, NOW - timedelta(days=2), NOW, WALL, "en")
    assert [a.text for a in empty.layout.annotations] == ["no data"]


def test_the_entraide_pair_shows_both_samu_and_the_transfers() -> None:
    hour = NOW - timedelta(hours=1)
    fig = entraide_pair("SAMU 75", {hour: 80.0}, "SAMU 92", {hour: 40.0}, {hour: 5.0}, LIGHT, "fr")
    assert [t.name for t in fig.data] == [
        "appels de SAMU 75",
        "appels de SAMU 92",
        "transférés vers SAMU 92",
    ]


def test_calls_are_drawn_against_the_usual_rate_as_steps() -> None:
    calls = {NOW - timedelta(minutes=2): 3.0, NOW - timedelta(minutes=1): 4.0}
    fig = calls_vs_usual(calls, {NOW - timedelta(hours=1): 2.5}, [], LIGHT, "en")
    assert [t.name for t in fig.data] == ["calls / min", "usual (4 weeks)"]
    assert fig.data[1].line.shape == "hv"


def test_builders_do_not_mutate_their_inputs() -> None:
    hours = list(HOURS)
    burns = {timedelta(hours=1): BurnSample(2.0, 1, 10)}
    sli_series(hours, 0.999, [], LIGHT, "fr")
    burn_down(hours, 0.999, (NOW, NOW), LIGHT, "fr")
    burn_rate_series(hours, 0.999, [], LIGHT, "fr")
    assert hours == HOURS and list(burns) == [timedelta(hours=1)]


def test_every_text_exists_in_french_and_english() -> None:
    for key in i18n.text_keys():
        assert i18n.t(key, "fr") and i18n.t(key, "en"), key
    assert i18n.t("nav.alerts", "de") == "Alertes"  # unknown language: French
    with pytest.raises(KeyError):
        i18n.t("no.such.key")


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, "—"),
        (timedelta(minutes=5), "5\u202fmin"),
        (timedelta(hours=2, minutes=5), "2\u202fh 05\u202fmin"),
        (timedelta(hours=4, minutes=59, seconds=38.4), "4\u202fh 59\u202fmin"),
        (timedelta(days=3, hours=4), "3\u202fj 4\u202fh"),
        (timedelta(seconds=45), "45\u202fs"),
    ],
)
def test_durations_read_in_two_units(value: timedelta | None, text: str) -> None:
    assert fmt("fr").duration(value) == text


def test_numbers_and_times_are_formatted_like_france() -> None:
    f = fmt("fr")
    assert f.instant(NOW, "dd/MM HH:mm") == "14/10 16:00"  # CEST
    assert f.local(NOW, "America/Guadeloupe") == "10:00 (UTC−04:00)"
    assert f.local(NOW, "Indian/Reunion") == "18:00 (UTC+04:00)"
    assert f.percent(0.99951, 3) == "99,951\u202f%"
    assert f.number(12345.67) == "12\u202f345,7"
    assert fmt("en").percent(0.99951, 3) == "99.951%"
    assert fmt("en").number(12345.67) == "12,345.7"
