"""Hand-computed SLO evaluations over a real store: each SLI kind, each budgeting method."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest

from alerts.maintenance import MaintenanceWindow
from slo import figures
from slo.evaluate import SloStatus
from slo.model import SLO
from slo.windows import Interval, window_for
from store import ingest_health
from store.client import Store
from tests.test_slo_eval_factories import (
    LATENCY,
    PROBES,
    SETUPS,
    minutes,
    put_counts,
    put_ingest,
    put_latency,
    samu_labels,
    shipped_slo,
    slos_from,
)

PARIS = "fr.health.samu075"
LYON = "fr.health.samu069"
GUADELOUPE = "fr.health.samu971"
NOW = datetime(2026, 10, 14, 12, 30, 20, tzinfo=UTC)


def run(
    store: Store,
    slos: Sequence[SLO],
    now: datetime,
    samu: Sequence[str] = (PARIS, LYON),
    maintenance: Sequence[MaintenanceWindow] = (),
    window_of: dict[str, Interval] | None = None,
) -> dict[tuple[str, str], SloStatus]:
    labels = samu_labels(samu)
    regions = {k: str(v["region"]) for k, v in labels.items()}
    found = figures.statuses(store, slos, labels, now, window_of, maintenance, regions)
    return {(s.slo, s.samu): s for s in found}


def test_a_ratio_sli_is_the_sum_of_good_over_the_sum_of_valid(store: Store) -> None:
    slo = shipped_slo("s1-call-setup")
    day = NOW - timedelta(days=3)
    put_counts(store, [(m, PARIS, SETUPS, "success", 100) for m in minutes(day, 60)])
    put_counts(store, [(day + timedelta(minutes=5), PARIS, SETUPS, "failed", 2)])
    put_counts(store, [(day, PARIS, SETUPS, "caller_cancelled", 40)])  # not a valid event
    put_counts(store, [(NOW - timedelta(seconds=10), PARIS, SETUPS, "timeout", 1)])  # this minute
    put_counts(store, [(NOW - timedelta(days=29), PARIS, SETUPS, "failed", 50)])  # outside 28 d
    status = run(store, [slo], NOW)[("s1-call-setup", PARIS)]
    assert (status.budget.good, status.budget.valid) == (6000, 6003)
    assert status.sli == pytest.approx(6000 / 6003)
    # 6003 × 0.05 % = 3.0015 bad events allowed, 3 spent.
    assert status.budget.remaining == pytest.approx(1 - 3 / (6003 * 0.0005))
    assert status.budget.budget_minutes == pytest.approx(28 * 1440 * 0.0005)
    assert status.state == "burning"  # the last hour holds one timeout and nothing else


def test_a_samu_without_events_has_no_data_never_a_perfect_score(store: Store) -> None:
    put_counts(store, [(NOW - timedelta(hours=1), PARIS, SETUPS, "success", 10)])
    status = run(store, [shipped_slo("s1-call-setup")], NOW)[("s1-call-setup", LYON)]
    assert status.sli is None
    assert status.state == "no_data"
    assert all(b.burn_rate is None for b in status.burns.values())


def test_a_latency_sli_reads_the_bucket_at_the_threshold(store: Store) -> None:
    under_1s, under_3s = (
        shipped_slo("s2-setup-latency-under-1s"),
        shipped_slo("s2-setup-latency-under-3s"),
    )
    bounds = (0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0)
    put_latency(store, NOW - timedelta(hours=5), PARIS, [0.2, 0.9, 1.0, 1.5, 2.5, 4.0], bounds)
    result = run(store, [under_1s, under_3s], NOW)
    assert result[(under_1s.id, PARIS)].budget.good == 3  # le = 1 holds 0.2, 0.9 and 1.0
    assert result[(under_3s.id, PARIS)].budget.good == 5
    assert result[(under_3s.id, PARIS)].budget.valid == 6
    assert under_1s.sli.metric == LATENCY  # type: ignore[union-attr]


def test_probe_time_slices_judge_each_minute_and_a_silent_minute_is_bad(store: Store) -> None:
    slo = shipped_slo("s3-reachability")
    start = NOW.replace(second=0) - timedelta(minutes=10)
    put_counts(store, [(NOW - timedelta(hours=2), PARIS, PROBES, "success", 1)])  # equipped since
    put_counts(store, [(m, PARIS, PROBES, "success", 1) for m in minutes(start, 10)])
    put_counts(store, [(start + timedelta(minutes=3), PARIS, PROBES, "failure", 1)])
    put_counts(store, [(start + timedelta(minutes=3), PARIS, PROBES, "success", 1)])
    status = run(store, [slo], NOW)[(slo.id, PARIS)]
    five = status.burns[timedelta(minutes=5)]
    # The window starts at 12:25:20: 12:26…12:28 are whole and settled; 12:29 ended 20 s ago.
    assert (five.valid_events, five.bad_events) == (3, 0)
    thirty = status.burns[timedelta(minutes=30)]
    # 12:01 … 12:28: 28 judged minutes; probes in 12:20…12:28, all good but the mixed 12:23;
    # the silent minutes before are bad: the SAMU has probes, and the fleet is not silent.
    assert (thirty.valid_events, thirty.bad_events) == (28, 28 - 8)


def test_minutes_before_a_samus_first_probe_are_not_in_its_window(store: Store) -> None:
    slo = shipped_slo("s3-reachability")
    start = NOW.replace(second=0) - timedelta(minutes=10)
    put_counts(store, [(m, PARIS, PROBES, "success", 1) for m in minutes(start, 10)])
    status = run(store, [slo], NOW)[(slo.id, PARIS)]
    thirty = status.burns[timedelta(minutes=30)]
    assert (thirty.valid_events, thirty.bad_events) == (9, 0)  # 12:20 … 12:28, all good
    assert status.minutes is not None
    # 28 days of minutes, of which all but the 9 judged and the unsettled 12:29, 12:30 are
    # before the first probe: the window is the 9 minutes since, and nothing was spent.
    assert (status.minutes.good, status.minutes.bad) == (9, 0)
    assert status.minutes.excluded == 28 * 1440 - 9 - 2
    assert status.budget.window_minutes == 28 * 1440 - status.minutes.excluded


def test_a_slice_sli_with_a_partial_target_and_skipped_empty_slices(store: Store) -> None:
    (slo,) = slos_from(
        """
apiVersion: vigie/v1
kind: SLO
id: setup-slices
name: Minutes réussies
class: low
objective: 99
sli:
  kind: timeslice
  metric: samu.call.setups
  good: {outcome: [success]}
  valid: {outcome_not: [caller_cancelled]}
  slice: 1m
  slice_target: 90
  no_data: skip
budgeting: timeslices
window: {rolling: 1d}
samu: all
"""
    )
    start = NOW.replace(second=0) - timedelta(minutes=20)
    put_counts(store, [(start, PARIS, SETUPS, "success", 9), (start, PARIS, SETUPS, "failed", 1)])
    put_counts(store, [(start + timedelta(minutes=1), PARIS, SETUPS, "success", 8)])
    put_counts(store, [(start + timedelta(minutes=1), PARIS, SETUPS, "timeout", 2)])
    status = run(store, [slo], NOW)[(slo.id, PARIS)]
    assert (status.budget.good, status.budget.bad) == (1, 1)  # 90 % good; 80 % bad; rest skipped


def test_freshness_minutes_need_points_with_a_small_lag(store: Store) -> None:
    slo = shipped_slo("o1-telemetry-freshness")
    start = NOW.replace(second=0) - timedelta(minutes=6)
    for i, m in enumerate(minutes(start, 5)):
        put_ingest(store, m, PARIS, 12, 75.0 if i == 2 else 3.0)
    status = run(store, [slo], NOW)[(slo.id, PARIS)]
    five = status.burns[timedelta(minutes=5)]
    # Settled whole minutes 12:26…12:28 hold data; 12:26 came 75 s late.
    assert (five.valid_events, five.bad_events) == (3, 1)


def test_counter_deltas_across_a_reset_sum_exactly_in_the_window(store: Store) -> None:
    slo = shipped_slo("s1-call-setup")
    at = NOW - timedelta(hours=2)
    # The collector turned cumulative 100, 150, (reset) 20, 50 into deltas 100, 50, 20, 30.
    rows = [
        (at + timedelta(seconds=10 * i), at, PARIS, SETUPS, "", "success", "sum", float(v))
        for i, v in enumerate((100, 50, 20, 30))
    ]
    store.insert(
        "points",
        rows,
        ("ts", "received_at", "samu_id", "metric", "component", "outcome", "kind", "value"),
    )
    status = run(store, [slo], NOW)[(slo.id, PARIS)]
    assert status.budget.good == status.budget.valid == 200


@pytest.mark.parametrize(
    ("label", "zone", "first", "last", "hours"),
    [
        ("2026-10", "Europe/Paris", "2026-09-30T22:00", "2026-10-31T22:59", 745),
        ("2026-03", "Europe/Paris", "2026-02-28T23:00", "2026-03-31T21:59", 743),
        ("2026-10", "America/Guadeloupe", "2026-10-01T04:00", "2026-11-01T03:59", 744),
    ],
    ids=["october has a 25-hour day", "march has a 23-hour day", "guadeloupe has no dst"],
)
def test_a_calendar_month_starts_and_ends_at_local_midnight(
    store: Store, label: str, zone: str, first: str, last: str, hours: int
) -> None:
    slo = shipped_slo("s1-call-setup-monthly")
    inside = [datetime.fromisoformat(t + "+00:00") for t in (first, last)]
    outside = [inside[0] - timedelta(minutes=1), inside[1] + timedelta(minutes=1)]
    put_counts(store, [(m, GUADELOUPE, SETUPS, "success", 1) for m in inside])
    put_counts(store, [(m, GUADELOUPE, SETUPS, "failed", 1) for m in outside])
    period = window_for(label, zone)
    now = period.end + timedelta(days=2)
    result = run(store, [slo], now, [GUADELOUPE], window_of={slo.id: period})
    status = result[(slo.id, GUADELOUPE)]
    assert (status.budget.good, status.budget.valid) == (2, 2)
    assert status.budget.window_minutes == hours * 60


def test_planned_maintenance_is_excluded_from_the_budget(store: Store) -> None:
    slo = shipped_slo("s1-call-setup")
    start = NOW.replace(minute=0, second=0) - timedelta(hours=3)
    put_counts(store, [(m, PARIS, SETUPS, "success", 10) for m in minutes(start, 120)])
    put_counts(
        store,
        [(m, PARIS, SETUPS, "failed", 10) for m in minutes(start + timedelta(minutes=30), 20)],
    )
    window = MaintenanceWindow(
        id="mw1",
        title="migration",
        starts_at=start + timedelta(minutes=30),
        duration=timedelta(minutes=20),
        approved_by="ans",
        created_by="noc",
        samu_ids=(PARIS,),
    )
    status = run(store, [slo], NOW, maintenance=[window])[(slo.id, PARIS)]
    assert (status.budget.good, status.budget.valid) == (1000, 1000)
    s3 = shipped_slo("s3-reachability")
    put_counts(store, [(start, PARIS, PROBES, "success", 1)])
    probes = run(store, [s3], NOW, maintenance=[window])[(s3.id, PARIS)]
    # Settled minutes since its first probe (09:00 … 12:28, 209), one with a probe: all bad but
    # that one, and the 20 maintenance minutes out of the window.
    assert probes.budget.valid == 209 - 20
    assert probes.budget.good == 1
    assert probes.minutes is not None and probes.minutes.excluded == 28 * 1440 - 1 - 209 - 1 + 20
    assert run(store, [s3], NOW)[(s3.id, LYON)].state == "no_data"  # never reported


def test_a_window_starting_mid_minute_weights_its_oldest_minute(store: Store) -> None:
    slo = shipped_slo("s1-call-setup")
    now = datetime(2026, 10, 14, 12, 30, 45, tzinfo=UTC)
    edge = now.replace(second=0) - timedelta(minutes=5)
    put_counts(store, [(edge, PARIS, SETUPS, "failed", 60)])
    status = run(store, [slo], now)[(slo.id, PARIS)]
    five = status.burns[timedelta(minutes=5)]
    assert five.bad_events == pytest.approx(15)  # 15 s of the 12:25 minute are in the window
    assert status.burns[timedelta(hours=1)].bad_events == 60


def heartbeat(
    store: Store, start: datetime, count: int, shed: Sequence[int], down: Sequence[int]
) -> None:
    """The collector's own rows (`collector_minutes`): up every minute but `down`, shedding
    exports in `shed` (minute offsets from `start`)."""
    rows = [
        (m, "receiver-1", 10, 100, 0, 3 if i in shed else 0, 0.0)
        for i, m in enumerate(minutes(start, count))
        if i not in down
    ]
    store.insert("collector_minutes", rows, ingest_health.COLUMNS)


@pytest.mark.parametrize("collector_rows", [False, True])
def test_a_probe_minute_lost_while_the_collector_shed_or_was_down_is_a_vigie_gap(
    store: Store, collector_rows: bool
) -> None:
    slo = shipped_slo("s3-reachability")
    start = NOW.replace(second=0, minute=0)  # 12:00; 12:10–12:14 of Paris never arrive
    put_counts(store, [(m, LYON, PROBES, "success", 1) for m in minutes(start, 29)])
    lost = {10, 11, 12, 13, 14}
    put_counts(
        store,
        [
            (m, PARIS, PROBES, "success", 1)
            for i, m in enumerate(minutes(start, 29))
            if i not in lost
        ],
    )
    if collector_rows:  # it shed exports in 12:10 and 12:11 and was down in 12:12 and 12:13
        heartbeat(store, start - timedelta(hours=1), 60 + 29, shed=[70, 71], down=[72, 73])
    status = run(store, [slo], NOW)[(slo.id, PARIS)]
    assert status.minutes is not None
    # 12:00 … 12:28 are settled. Without the collector's word, Paris is silent alone while Lyon
    # reports: five bad minutes. With it, four were Vigie's own and only 12:14 is the SAMU's.
    gap, bad = (4, 1) if collector_rows else (0, 5)
    assert (status.minutes.good, status.minutes.bad, status.minutes.gap) == (24, bad, gap)
    assert status.budget.window_minutes == 28 * 1440 - status.minutes.excluded - gap
