"""Figure builders, fleet arithmetic, theme contrast and texts: pure functions, values in."""

from __future__ import annotations

from datetime import timedelta

import pytest

from dashboards import fleet, i18n
from dashboards.figures.maps import MapTile, geo_map, tile_grid
from dashboards.figures.series import Span, burn_down, burn_rates, calls_vs_usual, sli_series
from dashboards.history import HourPoint
from dashboards.theme import LIGHT, PALETTES, STATES, WALL, contrast, luminance, rgb_to_hex
from slo.policy import BurnSample
from tests.dash_factory import LYON_ID, NOW, PARIS_ID, REGISTRY, page_group, status

HOURS = [HourPoint(NOW - timedelta(hours=3 - k), 1000.0 - 10 * (k == 1), 1000.0) for k in range(3)]


@pytest.mark.parametrize("palette", list(PALETTES.values()), ids=list(PALETTES))
def test_every_state_colour_reaches_wcag_aa_against_its_text_and_the_page(palette: object) -> None:
    assert palette is LIGHT or palette is WALL
    for state in STATES:
        fill = palette.fills[state]
        assert contrast(fill, palette.on_fill) >= 4.5, state
        assert contrast(fill, palette.background) >= 4.5, state
    assert contrast(palette.text, palette.background) >= 7


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


def test_the_burn_down_ends_at_the_budget_left_now() -> None:
    fig = burn_down(HOURS, 0.99, [], LIGHT, "fr")
    # 10 bad of 3000 valid against an allowance of 30: two thirds left after hour 2.
    assert list(fig.data[0].y) == pytest.approx([100.0, 100 * (1 - 10 / 30), 100 * (1 - 10 / 30)])


def test_burn_rates_show_one_bar_per_window_and_a_dash_without_events() -> None:
    burns = {
        timedelta(hours=1): BurnSample(20.0, 10, 1000),
        timedelta(minutes=5): BurnSample(None, 0, 0),
    }
    fig = burn_rates(burns, LIGHT, "fr")
    assert list(fig.data[0].x) == ["5m", "1h"]
    assert list(fig.data[0].text) == ["—", "20.0"]
    assert list(fig.data[0].marker.color) == [LIGHT.fills["ok"], LIGHT.fills["burning"]]


def test_calls_are_drawn_against_the_usual_rate_as_steps() -> None:
    calls = {NOW - timedelta(minutes=2): 3.0, NOW - timedelta(minutes=1): 4.0}
    fig = calls_vs_usual(calls, {NOW - timedelta(hours=1): 2.5}, [], LIGHT, "en")
    assert [t.name for t in fig.data] == ["calls / min", "usual (4 weeks)"]
    assert fig.data[1].line.shape == "hv"


def test_builders_do_not_mutate_their_inputs() -> None:
    hours = list(HOURS)
    burns = {timedelta(hours=1): BurnSample(2.0, 1, 10)}
    sli_series(hours, 0.999, [], LIGHT, "fr")
    burn_down(hours, 0.999, [], LIGHT, "fr")
    burn_rates(burns, LIGHT, "fr")
    assert hours == HOURS and list(burns) == [timedelta(hours=1)]


@pytest.mark.parametrize(
    ("statuses", "pages", "maintenance", "expected"),
    [
        ([status(PARIS_ID, 10, 10)], 1, True, "page"),
        ([status(PARIS_ID, 10, 10)], 0, True, "maintenance"),
        ([status(PARIS_ID, 99_990, 100_000, bad_recent=5)], 0, False, "burning"),
        ([status(PARIS_ID, 0, 0, recent_valid=0)], 0, False, "no_data"),
        # no call in the window, but fresh telemetry: a quiet night, not a blind spot
        (
            [
                status(PARIS_ID, 0, 0, recent_valid=0),
                status(PARIS_ID, 60, 60, slo="o1-telemetry-freshness", objective=0.999),
            ],
            0,
            False,
            "ok",
        ),
        ([status(PARIS_ID, 10, 10)], 0, False, "ok"),
        # an exhausted budget that no longer burns is history, not a burning SAMU
        ([status(PARIS_ID, 99_000, 100_000)], 0, False, "ok"),
    ],
)
def test_the_shown_state_puts_pages_first_and_never_shows_no_data_as_ok(
    statuses: list[object], pages: int, maintenance: bool, expected: str
) -> None:
    primary = statuses[0].state  # type: ignore[attr-defined]
    assert fleet.shown_state(statuses, pages, maintenance, primary) == expected  # type: ignore[arg-type]


def test_rows_kpis_and_entraide_from_statuses_and_alerts() -> None:
    statuses = [
        status(PARIS_ID, 99_990, 100_000, bad_recent=5),
        status(LYON_ID, 50_000, 50_000),
        status("national", 149_990, 150_000, slo="s1-call-setup-national", objective=0.9999),
    ]
    rows = fleet.rows(REGISTRY, statuses, [page_group(LYON_ID)], [], NOW, "s1-call-setup")
    by_id = {r.samu.id: r for r in rows}
    assert by_id[PARIS_ID].state == "burning" and by_id[LYON_ID].state == "page"
    assert by_id["fr.health.samu001"].state == "no_data"  # no status: never "ok"
    assert by_id[PARIS_ID].burn == pytest.approx(100.0)
    national = fleet.national_status(statuses, "s1-call-setup-national", "s1-call-setup")
    kpis = fleet.kpis(rows, national, [page_group(LYON_ID)])
    assert kpis.pages == 1 and kpis.by_state["no_data"] == 98
    assert kpis.sli_window == pytest.approx(149_990 / 150_000)
    assert kpis.sli_now == 1.0  # the national status has no bad event in its 5 min window
    first = fleet.entraide(rows, REGISTRY)[0]
    assert first.samu.id == LYON_ID and first.backup is not None
    assert [r.samu.id for r in fleet.risk_order(rows)][:2] == [LYON_ID, PARIS_ID]


def test_every_text_exists_in_french_and_english() -> None:
    for key in i18n.text_keys():
        assert i18n.t(key, "fr") and i18n.t(key, "en"), key
    assert i18n.t("nav.alerts", "de") == "Alertes"  # unknown language: French


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, "—"),
        (timedelta(minutes=5), "5 min"),
        (timedelta(hours=2, minutes=5), "2 h 05 min"),
        (timedelta(days=3, hours=4), "3 j 4 h"),
    ],
)
def test_durations_read_in_two_units(value: timedelta | None, text: str) -> None:
    assert i18n.duration(value) == text


def test_times_are_shown_in_paris_and_overseas_local_time() -> None:
    assert i18n.paris(NOW) == "14/10 16:00"  # CEST
    assert i18n.local(NOW, "America/Guadeloupe") == "10:00 (UTC−04:00)"
    assert i18n.local(NOW, "Indian/Reunion") == "18:00 (UTC+04:00)"
    assert i18n.percent(0.99951, 3) == "99,951 %"
