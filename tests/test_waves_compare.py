"""A wave compared before vs after on simulated history: the verdicts the scenario scripted are
recovered exactly, and each figure equals a recount from the raw rows."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from slo.layout import INF
from slo.quantiles import quantile
from store.client import Store
from tests.wave_data import (
    BROKEN,
    END,
    EXPECTED,
    MAINT_AT,
    MAINTAINED,
    METHOD,
    NIGHT,
    NIGHT_END,
    NIGHT_WINDOW,
    PLANNED,
    SAMU,
    START,
    WAVE,
    labels,
    regions,
    sources,
)
from waves.compare import Comparison, compare
from waves.measures import FIGURES

pytest_plugins = ("tests.wave_fixtures",)
NOW = END + timedelta(minutes=5)
HOURS = METHOD.days * 24


@pytest.fixture(scope="module")
def result(wave_store: Store) -> Comparison:
    return compare(
        wave_store, WAVE, sources(), labels(), NOW, METHOD, [NIGHT_WINDOW, PLANNED], regions()
    )


def test_the_comparison_recovers_every_verdict_the_scenario_scripted(result: Comparison) -> None:
    found = {r.samu_id: {f.figure: f.verdict for f in r.figures} for r in result.samu}
    expected = {s: {f.key: EXPECTED[s].get(f.key, "same") for f in FIGURES} for s in SAMU}
    assert found == expected
    overall = {r.samu_id: r.verdict for r in result.samu}
    assert overall == {
        s: ("worse" if "worse" in e.values() else "better" if e else "same")
        for s, e in EXPECTED.items()
    }
    assert result.complete and result.before.end == NIGHT and result.after.start == NIGHT_END


def _rows(store: Store, select: str, samu: str, start: datetime, end: datetime) -> list[Any]:
    """Rows of `select … FROM table WHERE <conditions>` over the raw per-minute rows of one SAMU
    in [start, end), its declared maintenance left out (the night is outside both sides)."""
    a, b = (start, start)
    if samu == MAINTAINED:
        a, b = PLANNED.starts_at, PLANNED.starts_at + PLANNED.duration
    where = (
        " AND samu_id = {s:String} AND minute >= {x:DateTime('UTC')} "
        "AND minute < {y:DateTime('UTC')} "
        "AND NOT (minute >= {a:DateTime('UTC')} AND minute < {b:DateTime('UTC')})"
    )
    sql = select.replace("{where}", where)
    return store.query(sql, {"s": samu, "x": start, "y": end, "a": a, "b": b})


def _truth(store: Store, samu: str, start: datetime, end: datetime) -> dict[str, float]:
    """Every figure of one side, recounted from minute_counts and minute_gauges."""
    [(ok, valid)] = _rows(
        store,
        "SELECT sumIf(value, outcome = 'success'), sumIf(value, outcome != 'caller_cancelled') "
        "FROM {db}.minute_counts WHERE metric = 'samu.call.setups' AND isInfinite(le){where}",
        samu,
        start,
        end,
    )
    [(good, judged)] = _rows(
        store,
        "SELECT countIf(bad = 0), count() FROM (SELECT minute, sumIf(value, outcome != "
        "'success') AS bad FROM {db}.minute_counts WHERE metric = 'samu.probe.calls'{where} "
        "GROUP BY minute)",
        samu,
        start,
        end,
    )
    by_le = dict(
        _rows(
            store,
            "SELECT le, sum(value) FROM {db}.minute_counts "
            "WHERE metric = 'samu.call.setup.duration'{where} GROUP BY le",
            samu,
            start,
            end,
        )
    )
    bounds = sorted(le for le in by_le if le != INF)
    counts = [by_le[le] for le in bounds] + [by_le[INF]]
    out = {"availability": ok / valid, "reachability": good / judged}
    for q in (0.5, 0.95, 0.99):
        out[f"setup_p{round(q * 100)}"] = float(quantile(bounds, counts, q))
    for key, metric in (
        ("network_latency", "samu.network.latency"),
        ("component_health", "samu.component.up"),
    ):
        [(total, points)] = _rows(
            store,
            "SELECT sum(sum), sum(n) FROM {db}.minute_gauges WHERE metric = '"
            + metric
            + "'{where}",
            samu,
            start,
            end,
        )
        out[key] = total / points
    return out


def test_each_figure_of_each_side_equals_a_recount_from_the_raw_rows(
    wave_store: Store, result: Comparison
) -> None:
    for row in result.samu:
        before = _truth(wave_store, row.samu_id, result.before.start, result.before.end)
        after = _truth(wave_store, row.samu_id, result.after.start, result.after.end)
        for f in row.figures:
            assert (f.before, f.after) == (
                pytest.approx(before[f.figure], rel=1e-9),
                pytest.approx(after[f.figure], rel=1e-9),
            ), (row.samu_id, f.figure)
            assert f.difference == pytest.approx(after[f.figure] - before[f.figure], abs=1e-12)
            assert f.units_before == HOURS, (row.samu_id, f.figure)
            # hours wholly in planned maintenance have no data: they are not resampled
            assert f.units_after == HOURS - (2 if row.samu_id == MAINTAINED else 0)


def test_planned_maintenance_after_the_night_is_left_out_as_from_every_slo(
    wave_store: Store, result: Comparison
) -> None:
    kept = result.samu[SAMU.index(MAINTAINED)]
    undeclared = compare(
        wave_store, WAVE, sources(), labels(), NOW, METHOD, [NIGHT_WINDOW], regions()
    ).only([MAINTAINED])
    seen = undeclared.samu[0]
    assert MAINT_AT > NIGHT_END
    for key in ("reachability", "component_health"):
        declared, counted = kept.figure(key), seen.figure(key)
        assert declared is not None and counted is not None
        # declared: its two hours are left out, the after side is as clean as the before side
        assert (declared.after, declared.units_after) == (1.0, HOURS - 2)
        # not declared: the same two hours count against the move (as the SLO would count them)
        assert counted.units_after == HOURS and counted.after is not None
        assert counted.after < 1.0 and counted.difference is not None and counted.difference < 0
    # two bad hours of 120 stay within what a week's hours tell from chance: not a verdict
    assert seen.figure("reachability").after == pytest.approx(1 - 2 / HOURS)  # type: ignore[union-attr]


def test_a_comparison_before_the_days_after_are_over_is_provisional(wave_store: Store) -> None:
    early = NIGHT_END + timedelta(days=2)
    found = compare(wave_store, WAVE, sources(), labels(), early, METHOD, [NIGHT_WINDOW], regions())
    assert not found.complete
    broken = found.samu[SAMU.index(BROKEN)]
    assert {f.units_after for f in broken.figures} == {48}
    assert broken.figure("availability").verdict == "worse"  # type: ignore[union-attr]


def test_during_the_night_there_is_nothing_after_yet(wave_store: Store) -> None:
    found = compare(
        wave_store, WAVE, sources(), labels(), NIGHT + timedelta(hours=1), METHOD, [], regions()
    )
    assert not found.complete
    assert {f.verdict for r in found.samu for f in r.figures} == {"no_data"}
    assert all(f.before is not None for r in found.samu for f in r.figures)


def test_only_keeps_the_rows_of_the_samu_given(result: Comparison) -> None:
    mine = result.only(["fr.health.samu075"])
    assert [r.samu_id for r in mine.samu] == ["fr.health.samu075"]
    assert (mine.wave, mine.before, mine.after) == (result.wave, result.before, result.after)
    assert result.before.start == START
