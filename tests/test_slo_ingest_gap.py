"""Our own gap is not the SAMU's fault: a stalled receiver is one platform alert, and a SAMU
silent while the fleet reports still pages at once.

The simulator's fleet (every SAMU of the registry) exports every 10 s; what it draws is written
as the collector writes it (delta points, stamped at the export instant). The engine ticks every
10 s of simulated time. Then the receiver stalls for 5 minutes: nothing is stored; afterwards the
agents' retries deliver the backlog late. Nothing of that may page a SAMU or spend its budget.
Then one SAMU alone goes silent (a carrier fault): it pages within 60 s.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np

from alerts.model import Alert
from collector.simulator.fleet import Fleet, FleetConfig
from collector.simulator.scenarios import Timeline
from collector.simulator.tally import rollup
from slo.engine import Engine
from slo.loader import LoadResult
from store.client import Store
from store.clock import FakeClock
from tests.test_slo_eval_factories import policies, registry, shipped
from vigie.backtest_history import POINT_COLUMNS

START = datetime(2030, 10, 9, 13, 0, tzinfo=UTC)  # in the future: `points` keeps 35 days
EXPORT = timedelta(seconds=10)
STALL = (START + timedelta(minutes=3), START + timedelta(minutes=8))
CARRIER_AT = START + timedelta(minutes=11)
CARRIER = "fr.health.samu075"


class Sink:
    """Every alert handed over, with the simulated instant."""

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.seen: list[tuple[datetime, Alert]] = []

    def put(self, alerts: list[Alert]) -> None:
        self.seen += [(self.clock.now(), a) for a in alerts]

    def pages(self) -> list[tuple[datetime, Alert]]:
        return [
            (t, a) for t, a in self.seen if a.ends_at is None and a.labels["severity"] == "page"
        ]


def rows(batches: dict[str, object], at: datetime, received: datetime) -> list[tuple[object, ...]]:
    out: list[tuple[object, ...]] = []
    ts = at - timedelta(milliseconds=1)
    for samu_id, batch in batches.items():
        for (metric, attributes), values in batch.sums.items():  # type: ignore[attr-defined]
            total = float(np.sum(values))
            if total:
                component, outcome = rollup(metric, attributes)
                out.append((ts, received, samu_id, metric, component, outcome, "sum", total))
    return out


def test_a_stalled_receiver_is_one_gap_alert_and_a_silent_samu_still_pages(store: Store) -> None:
    samus = list(registry())
    ids = [s.id for s in samus]
    fleet = Fleet(samus, Timeline((), START.timestamp(), ids), FleetConfig(seed=21))
    clock = FakeClock(START)
    sink = Sink(clock)
    slos, guards = shipped()
    engine = Engine(store, LoadResult(slos, guards), policies(), registry(), clock, sink)
    backlog: list[tuple[datetime, list[tuple[object, ...]]]] = []
    t = START
    while t < CARRIER_AT + timedelta(seconds=90):
        end = t + EXPORT
        batches = fleet.step(np.array([t.timestamp()]), EXPORT.total_seconds())
        if t >= CARRIER_AT:
            batches.pop(CARRIER)  # the carrier fault: nothing more from that SAMU
        if STALL[0] <= t < STALL[1]:
            backlog.append((end, []))  # the exports wait at the agents
            backlog[-1][1].extend(rows(batches, end, end))
        else:
            if backlog:  # the agents' retries deliver the backlog, late
                late = [(*r[:1], end + timedelta(seconds=1), *r[2:]) for _, b in backlog for r in b]
                store.insert("points", late, POINT_COLUMNS)
                backlog.clear()
            store.insert(
                "points", rows(batches, end, end + timedelta(milliseconds=300)), POINT_COLUMNS
            )
        clock.set(end + timedelta(seconds=3))
        engine.tick()
        t = end
    before = [(at, a) for at, a in sink.pages() if at < CARRIER_AT]
    samu_pages = [a.labels for _, a in before if a.labels.get("samu")]
    assert samu_pages == []
    gaps = [a for _, a in before if a.labels["alertname"] == "VigieIngestGap"]
    assert len({a.starts_at for a in gaps}) == 1  # one alert, handed over (and resent) as one
    assert STALL[0] < gaps[0].starts_at < STALL[0] + timedelta(minutes=1)
    latest = engine.latest
    assert latest is not None
    s3 = [st for st in latest.statuses if st.slo == "s3-reachability" and st.samu != CARRIER]
    assert len(s3) == len(ids) - 1
    assert all(st.minutes is not None and st.minutes.bad == 0 for st in s3)
    assert all(st.minutes is not None and st.minutes.gap == 0 for st in s3)  # the backlog came
    carrier = [at for at, a in sink.pages() if a.labels.get("samu") == CARRIER and at >= CARRIER_AT]
    assert carrier and min(carrier) - CARRIER_AT <= timedelta(seconds=60)
    others = {
        a.labels["samu"] for at, a in sink.pages() if at >= CARRIER_AT and a.labels.get("samu")
    }
    assert others == {CARRIER}
