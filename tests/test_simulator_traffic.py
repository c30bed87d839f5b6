"""The traffic model: volumes, diurnal shape, day types, outcomes, determinism."""

from __future__ import annotations

from datetime import UTC, date, datetime

import numpy as np
import pytest

from collector.simulator.calls import ABANDONED, ANSWERED, CallParams, SlotPlan, draw_calls
from collector.simulator.condition import NORMAL
from collector.simulator.fleet import SETUPS, Fleet, FleetConfig, SamuBatch
from collector.simulator.scenarios import Timeline
from collector.simulator.traffic import DayTypes, is_holiday, local_time, samu_rng
from store.registry import Samu, load_registry


def samu(number: str, daily: int = 1000, backup: str = "069", tz: str = "Europe/Paris") -> Samu:
    return Samu(
        id=f"fr.health.samu{number}",
        name=f"SAMU {number}",
        departments=(number.lstrip("0") if len(number) == 3 and number < "100" else number,),
        region="test",
        timezone=tz,
        lat=45.0,
        lon=5.0,
        backup_id=f"fr.health.samu{backup}",
        daily_calls=daily,
        tile_row=0,
        tile_col=0,
    )


def day_minutes(day: date, zone: str = "Europe/Paris") -> np.ndarray:
    start = datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp()
    return start + 60.0 * np.arange(1440)


def setups(batch: SamuBatch) -> np.ndarray:
    return sum((v for (m, _), v in batch.sums.items() if m == SETUPS), np.zeros(1, dtype=np.int64))


def fleet(*samus: Samu, seed: int = 7) -> Fleet:
    return Fleet(list(samus), Timeline([], 0.0), FleetConfig(seed=seed))


def test_a_week_of_calls_averages_daily_calls_per_day() -> None:
    s = samu("038", daily=1000)
    f = fleet(s)
    monday = datetime(2025, 3, 3, tzinfo=UTC).timestamp()
    starts = monday + 60.0 * np.arange(7 * 1440)
    total = setups(f.step(starts, 60.0)[s.id]).sum()
    assert total == pytest.approx(7 * 1000, rel=0.05)


def test_an_ordinary_weekday_gets_its_share_of_the_week() -> None:
    s = samu("038", daily=2000)
    starts = day_minutes(date(2025, 3, 4))  # a Tuesday
    total = setups(fleet(s).step(starts, 60.0)[s.id]).sum()
    assert total == pytest.approx(2000 * DayTypes().weekday_share, rel=0.06)


def test_the_night_trough_is_a_quarter_to_a_fifth_of_the_afternoon_peak() -> None:
    s = samu("038", daily=50_000)  # many calls so that the ratio is not noise
    starts = np.concatenate([day_minutes(date(2025, 3, d)) for d in (4, 5, 6)])
    per_minute = setups(fleet(s).step(starts, 60.0)[s.id]).reshape(3, 24, 60).sum(axis=(0, 2))
    local = np.roll(per_minute, 1)  # UTC+1 in March before DST: local hour h is UTC hour h-1
    night, peak = local[3:5].mean(), local[14:20].mean()
    assert 0.19 <= night / peak <= 0.27


@pytest.mark.parametrize(
    ("day", "reason"),
    [
        (date(2025, 7, 14), "Bastille Day (a Monday)"),
        (date(2025, 12, 25), "Christmas (a Thursday)"),
        (date(2025, 5, 29), "Ascension (a Thursday)"),
    ],
)
def test_a_public_holiday_is_busier_than_an_ordinary_weekday(day: date, reason: str) -> None:
    s = samu("038", daily=3000)
    ordinary = date(day.year, day.month, day.day - 7 if day.day > 7 else day.day + 7)
    holiday_calls = setups(fleet(s).step(day_minutes(day), 60.0)[s.id]).sum()
    ordinary_calls = setups(fleet(s).step(day_minutes(ordinary), 60.0)[s.id]).sum()
    assert holiday_calls > 1.6 * ordinary_calls, reason


def test_local_holidays_follow_the_departments() -> None:
    assert is_holiday(date(2025, 12, 26), ("57",))  # Saint Stephen in Moselle
    assert not is_holiday(date(2025, 12, 26), ("38",))
    assert is_holiday(date(2025, 5, 27), ("971",))  # abolition of slavery, Guadeloupe


def test_an_overseas_samu_follows_its_own_local_time() -> None:
    reunion = samu("974", tz="Indian/Reunion")
    noon_utc = datetime(2025, 3, 4, 12, tzinfo=UTC).timestamp()
    hours = local_time(reunion, np.array([noon_utc]), DayTypes()).hours
    assert hours[0] == pytest.approx(16.0)


def test_local_time_is_exact_across_a_dst_change() -> None:
    s = samu("038")
    starts = day_minutes(date(2025, 3, 30))  # clocks go forward at 01:00 UTC
    hours = local_time(s, starts, DayTypes()).hours
    assert hours[59] == pytest.approx(0.0 + 59 / 60 + 1)  # 00:59 UTC = 01:59 CET
    assert hours[60] == pytest.approx(3.0)  # 01:00 UTC = 03:00 CEST


def test_call_outcomes_match_the_published_figures() -> None:
    n = 400_000
    plan = SlotPlan(
        expected=np.array([float(n)]),
        extra=np.zeros(1, dtype=np.int64),
        cond_index=np.zeros(1, dtype=np.int64),
        conditions=(NORMAL,),
        p_transfer=np.array([0.004]),
        load=np.ones(1),
    )
    calls = draw_calls(plan, CallParams(), samu_rng(1, "x"))
    platform = calls.setup != 1  # caller CANCEL is not a platform attempt
    success = (calls.setup == 0).sum() / platform.sum()
    assert success == pytest.approx(0.99995, abs=0.00003)  # meets the 99.99 % national SLO
    assert (calls.setup == 1).mean() == pytest.approx(0.01, abs=0.001)
    ok = calls.setup == 0
    assert (calls.delay[ok] < 1.0).mean() > 0.99
    assert (calls.delay[ok] < 3.0).mean() > 0.999
    presented = ok & (calls.fate != 3)
    qs60 = ((calls.fate == ANSWERED) & (calls.wait <= 60)).sum() / presented.sum()
    assert 0.85 <= qs60 <= 0.90
    abandoned = calls.fate == ABANDONED
    assert (calls.wait[abandoned] < 15).mean() == pytest.approx(0.5, abs=0.02)


def test_the_same_seed_gives_the_same_traffic_whoever_else_is_simulated() -> None:
    a, b = samu("038"), samu("073", backup="038")
    starts = day_minutes(date(2025, 3, 4))
    alone = setups(fleet(a).step(starts, 60.0)[a.id])
    together = setups(fleet(a, b).step(starts, 60.0)[a.id])
    other_seed = setups(fleet(a, seed=8).step(starts, 60.0)[a.id])
    assert np.array_equal(alone, together)
    assert not np.array_equal(alone, other_seed)


def test_the_real_registry_makes_about_82k_calls_a_day_nationally() -> None:
    samus = list(load_registry())
    monday = datetime(2025, 3, 3, tzinfo=UTC).timestamp()
    starts = monday + 60.0 * np.arange(7 * 1440)
    batches = fleet(*samus).step(starts, 60.0)
    per_day = sum(int(setups(b).sum()) for b in batches.values()) / 7
    assert per_day == pytest.approx(sum(s.daily_calls for s in samus), rel=0.02)
    assert 75_000 <= per_day <= 90_000


def test_small_samu_transfer_more_calls_at_night() -> None:
    small, large = samu("048", daily=600), samu("075", daily=6000, backup="092")
    starts = np.concatenate([day_minutes(date(2025, 3, d)) for d in range(3, 31)])
    batches = fleet(small, large).step(starts, 60.0)

    def night_share(s: Samu) -> float:
        out = next(v for (m, a), v in batches[s.id].sums.items() if ("direction", "out") in a)
        calls = setups(batches[s.id])
        hours = local_time(s, starts, DayTypes()).hours
        night = hours < 6
        return float(out[night].sum() / calls[night].sum())

    assert night_share(small) > 2 * night_share(large)
