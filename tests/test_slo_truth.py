"""One truth for every number: the signed report, `vigie slo status --window` and an independent
recomputation from the raw events agree, to the event and to the minute, on generated months.

Each month (a DST month each way and an ordinary one) holds: a SAMU with a maintenance night
(failures inside it excluded), a SAMU with calls but no probes (reachability: no data, never
0 %), a SAMU that starts mid-month, an outage, a carrier silence (bad: the fleet reports), a
fleet-wide silence (a Vigie gap: excluded, not bad), caller hang-ups (not valid events), and a
day of one SAMU's data that arrives late, after the figures were first asked for. The recount
below shares no code with the platform: plain loops over the events the test generated.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import count

import numpy as np
import pytest

from alerts.maintenance import MaintenanceWindow
from reports.compute import compute_month
from reports.model import MonthReport
from slo.api import compute_status
from slo.windows import window_for
from store.client import Store
from store.migrations import migrate
from store.registry import Samu, load_registry
from tests.report_data import Windows
from tests.test_slo_eval_factories import COUNT_COLUMNS, shipped
from vigie.schema import all_migrations

INF = float("inf")
NORMAL, NO_PROBES, LATE_START, OUTAGE, CARRIER, QUIET = (
    "fr.health.samu004",
    "fr.health.samu005",
    "fr.health.samu02A",
    "fr.health.samu02B",
    "fr.health.samu048",
    "fr.health.samu069",
)
FLEET = (NORMAL, NO_PROBES, LATE_START, OUTAGE, CARRIER, QUIET)
OUTCOMES = ("success", "failed", "timeout", "caller_cancelled")
_names = count()


@dataclass
class Month:
    """The events of one generated month, and what the test knows of them."""

    label: str
    start: int
    end: int
    # (minute, samu) → {(metric, outcome, le): value}
    events: dict[tuple[int, str], dict[tuple[str, str, float], float]] = field(default_factory=dict)
    alive: set[tuple[int, str]] = field(default_factory=set)
    maintenance: tuple[str, int, int] = ("", 0, 0)
    late: set[tuple[int, str]] = field(default_factory=set)  # arrive after the first ask

    def minutes(self) -> range:
        return range(self.start, self.end, 60)


def generate(label: str, seed: int) -> Month:
    period = window_for(label)
    start, end = int(period.start.timestamp()), int(period.end.timestamp())
    rng = np.random.default_rng(seed)
    day = 86400
    month = Month(label, start, end)
    month.maintenance = (NORMAL, start + 5 * day + 3600, start + 5 * day + 4 * 3600)
    outage = (start + 12 * day + 9 * 3600, start + 12 * day + 11 * 3600)
    carrier = (start + 18 * day + 3600, start + 18 * day + 2 * 3600)
    fleet_gap = (start + 22 * day + 600, start + 22 * day + 1800)
    late_start = start + 9 * day + 7 * 3600 + 17 * 60
    for m in month.minutes():
        if fleet_gap[0] <= m < fleet_gap[1]:
            continue  # nothing from anyone: our silence
        for samu in FLEET:
            if samu == LATE_START and m < late_start:
                continue
            if samu == CARRIER and carrier[0] <= m < carrier[1]:
                continue  # the SAMU alone is silent
            down = samu == OUTAGE and outage[0] <= m < outage[1]
            paused = samu == NORMAL and month.maintenance[1] <= m < month.maintenance[2]
            cell: dict[tuple[str, str, float], float] = defaultdict(float)
            calls = int(rng.poisson(0.6))
            for _ in range(calls):
                r = rng.random()
                outcome = (
                    "failed"
                    if down or paused
                    else ("caller_cancelled" if r < 0.05 else "timeout" if r < 0.052 else "success")
                )
                cell[("samu.call.setups", outcome, INF)] += 1
                if outcome == "success":
                    delay = float(rng.exponential(0.4))
                    for le in (1.0, 3.0, INF):
                        cell[("samu.call.setup.duration", "", le)] += delay <= le
            if samu != NO_PROBES:
                ok = not down and rng.random() > 0.0005
                cell[("samu.probe.calls", "success" if ok else "failure", INF)] += 1
            month.events[(m, samu)] = dict(cell)
            month.alive.add((m, samu))
    late_day = start + 20 * day
    month.late = {(m, OUTAGE) for m in range(late_day, late_day + day, 60)}
    return month


def insert(store: Store, month: Month, keys: set[tuple[int, str]] | None) -> None:
    rows = []
    ingest = []
    for (m, samu), cell in month.events.items():
        if keys is not None and (m, samu) not in keys:
            continue
        at = datetime.fromtimestamp(m, UTC)
        rows += [
            (at, samu, metric, "", outcome, le, v) for (metric, outcome, le), v in cell.items()
        ]
    for m, samu in month.alive:
        if keys is None or (m, samu) in keys:
            ingest.append((datetime.fromtimestamp(m, UTC), samu, 12, 0.4))
    for i in range(0, len(rows), 300_000):
        store.insert("minute_counts", rows[i : i + 300_000], COUNT_COLUMNS)
    store.insert("minute_ingest", ingest, ("minute", "samu_id", "points", "max_lag_s"))


def recount(month: Month, known: set[tuple[int, str]]) -> dict[str, dict[str, float]]:
    """Each SAMU's figures from the events in `known` (those the store holds), by hand."""
    samu_of, a, b = month.maintenance
    out: dict[str, dict[str, float]] = {}
    first_alive: dict[str, int] = {}
    first_probe: dict[str, int] = {}
    for m, s in sorted(known):
        first_alive.setdefault(s, m)
        cell = month.events.get((m, s), {})
        if any(k[0] == "samu.probe.calls" for k in cell):
            first_probe.setdefault(s, m)
    alive = {(m, s) for m, s in month.alive if (m, s) in known}
    silent_fleet: set[int] = set()
    for m in month.minutes():
        monitored = [
            s
            for s in FLEET
            if first_alive[s] is not None
            and first_alive[s] <= m
            and not (s == samu_of and a <= m < b)
        ]
        silent = [s for s in monitored if (m, s) not in alive]
        if (len(silent) >= 3 and len(silent) >= 0.5 * len(monitored)) or (
            len(silent) == len(monitored) >= 2
        ):
            silent_fleet.add(m)
    for s in FLEET:
        x = dict.fromkeys(
            ("calls", "s1_good", "s1_valid", "s2_good", "s2_valid", "good", "bad", "gap"), 0.0
        )
        for m in month.minutes():
            cell = month.events.get((m, s), {}) if (m, s) in known else {}
            paused = s == samu_of and a <= m < b
            for (metric, outcome, le), v in cell.items():
                if metric == "samu.call.setups":
                    x["calls"] += v
                    if not paused and outcome != "caller_cancelled":
                        x["s1_valid"] += v
                        x["s1_good"] += v if outcome == "success" else 0
                elif metric == "samu.call.setup.duration" and not paused:
                    x["s2_good"] += v if le == 1.0 else 0
                    x["s2_valid"] += v if le == INF else 0
            if paused or s not in first_probe or m < first_probe[s]:
                continue
            results = {k[1]: v for k, v in cell.items() if k[0] == "samu.probe.calls"}
            if results:
                x["good" if set(results) == {"success"} else "bad"] += 1
            elif m in silent_fleet:
                x["gap"] += 1
            else:
                x["bad"] += 1
        out[s] = x
    return out


@pytest.fixture
def fresh(engine: Store) -> Iterator[Store]:
    store = engine.with_database(f"truth{next(_names)}")
    migrate(store, migrations=all_migrations())
    yield store
    store.command(f"DROP DATABASE IF EXISTS {store.database} SYNC")


@pytest.fixture(scope="module")
def november(engine: Store) -> Iterator[tuple[Store, Month]]:
    store = engine.with_database(f"truth{next(_names)}")
    migrate(store, migrations=all_migrations())
    month = generate("2026-11", 3)
    insert(store, month, None)
    yield store, month
    store.command(f"DROP DATABASE IF EXISTS {store.database} SYNC")


def fleet() -> list[Samu]:
    registry = load_registry()
    return [registry.require(s) for s in FLEET]


def maintenance(month: Month) -> Windows:
    samu, a, b = month.maintenance
    return Windows(
        MaintenanceWindow(
            id="night",
            title="migration",
            starts_at=datetime.fromtimestamp(a, UTC),
            duration=timedelta(seconds=b - a),
            approved_by="ANS",
            created_by="noc",
            samu_ids=(samu,),
        )
    )


def figures(store: Store, month: Month) -> tuple[MonthReport, dict[tuple[str, str], object]]:
    now = datetime.fromtimestamp(month.end, UTC) + timedelta(days=2)
    slos = shipped()[0]
    report = compute_month(
        store, fleet(), month.label, slos, maintenance=maintenance(month), now=now
    )
    statuses = compute_status(
        store,
        load_registry(),
        slos,
        now,
        window=month.label,
        maintenance=maintenance(month).list(),
    )
    return report, {(st.slo, st.samu): st for st in statuses}


@pytest.mark.parametrize(("label", "seed"), [("2026-10", 1), ("2027-03", 2)])
def test_the_report_equals_the_status_and_the_recount_before_and_after_late_data(
    fresh: Store, label: str, seed: int
) -> None:
    month = generate(label, seed)
    store = fresh
    on_time = {k for k in month.events} | month.alive
    on_time -= month.late
    insert(store, month, on_time)
    for known in (on_time, on_time | month.late):
        if known is not on_time:
            insert(store, month, month.late)  # a day of the outage SAMU arrives late
        report, status = figures(store, month)
        expected = recount(month, known)
        rows = {r.samu_id: r for r in report.samu}
        for samu, x in expected.items():
            row = rows[samu]
            assert (row.calls, row.s1_good, row.s1_valid) == (
                x["calls"],
                x["s1_good"],
                x["s1_valid"],
            )
            assert (row.s2_good, row.s2_valid) == (x["s2_good"], x["s2_valid"])
            s1 = status[("s1-call-setup", samu)]
            s2 = status[("s2-setup-latency-under-1s", samu)]
            s3 = status[("s3-reachability", samu)]
            assert (s1.budget.good, s1.budget.valid) == (x["s1_good"], x["s1_valid"])
            assert row.s1 == s1.sli and row.budget_left == s1.budget.remaining
            assert (s2.budget.good, s2.budget.valid) == (x["s2_good"], x["s2_valid"])
            assert row.s2 == s2.sli
            assert s3.minutes is not None
            judged = (s3.minutes.good, s3.minutes.bad, s3.minutes.gap)
            assert judged == (x["good"], x["bad"], x["gap"])
            if samu == NO_PROBES:
                assert row.s3 is None and row.s3_minutes_down is None  # no data, never 0 %
            else:
                assert (row.s3_minutes_down, row.s3_minutes_judged) == (
                    x["bad"],
                    x["good"] + x["bad"],
                )
                assert row.s3 == s3.sli and row.s3_minutes_gap == x["gap"]
        good = sum(x["s1_good"] for x in expected.values())
        valid = sum(x["s1_valid"] for x in expected.values())
        national = status[("s1-call-setup-national", "national")]
        assert (report.summary.s1_good, report.summary.s1_valid) == (good, valid)
        assert (national.budget.good, national.budget.valid) == (good, valid)
        assert report.summary.s1 == national.sli
    assert rows[QUIET].s3_minutes_gap == 20  # the fleet-wide silence: ours, not the SAMU's


def test_a_report_listing_one_samu_still_states_national_figures(
    november: tuple[Store, Month],
) -> None:
    store, month = november
    slos = shipped()[0]
    now = datetime.fromtimestamp(month.end, UTC) + timedelta(days=2)
    whole = compute_month(store, fleet(), month.label, slos, now=now)
    one = compute_month(store, fleet(), month.label, slos, now=now, only=[OUTAGE])
    assert [r.samu_id for r in one.samu] == [OUTAGE]
    assert (one.summary.s1_good, one.summary.s1_valid) == (
        whole.summary.s1_good,
        whole.summary.s1_valid,
    )
    assert one.summary.s1 == whole.summary.s1
    assert one.summary.s1_valid > next(r.s1_valid for r in one.samu)


def test_the_status_of_a_past_month_answers_that_month(november: tuple[Store, Month]) -> None:
    store, month = november
    now = datetime.fromtimestamp(month.end, UTC) + timedelta(days=40)
    statuses = compute_status(store, load_registry(), shipped()[0], now, OUTAGE, "2026-11")
    s3 = next(s for s in statuses if s.slo == "s3-reachability")
    assert s3.state != "no_data" and s3.window_end == datetime.fromtimestamp(month.end, UTC)
    assert s3.minutes is not None and s3.minutes.bad >= 120  # the 2 h outage
