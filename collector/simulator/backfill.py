"""History through the collector: N days of per-minute OTLP points, as any agent would send.

Each series has one cumulative point per minute (at second 59 of the minute) with one fixed
start time (the first backfilled minute); a series starts with its first non-zero minute, as
an SDK series starts with its first measurement, and gauges have a point every minute.
Requests are protobuf `ExportMetricsServiceRequest`s encoded by `wire` (≈10k points each,
a couple of SAMU × 6 hours), gzip-compressed and POSTed to /v1/metrics. A series' requests go
out in time order (one worker per SAMU group), 503/429 are retried after Retry-After, and
`partial_success` rejections are counted in the report. The collector refuses points older
than 35 days (late-data policy), so at most 34 days are backfilled.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

import httpx
import numpy as np
from numpy.typing import NDArray

from collector.conventions import METRICS
from collector.simulator import wire
from collector.simulator.agent import SCOPE, SERVICE_NAME
from collector.simulator.delivery import DeliveryReport, EncodedRequest, Sender
from collector.simulator.errors import SimulatorError
from collector.simulator.fleet import Fleet, FleetConfig, SamuBatch
from collector.simulator.scenario_spec import check_live
from collector.simulator.scenarios import Scenario, Timeline
from collector.simulator.tally import SeriesId, Tally
from collector.simulator.traffic import SamuInfo
from store.clock import Clock

MAX_DAYS = 34
NS = 1_000_000_000
POINT_OFFSET_S = 59  # a minute's point is stamped at second 59 of that minute


@dataclass(frozen=True)
class BackfillOptions:
    """How much history, from which model, in which request sizes."""

    days: float = 7.0
    seed: int = 0
    surge: float = 1.0
    probe_interval_s: float = 60.0
    heartbeat_interval_s: float = 10.0
    scenarios: tuple[Scenario, ...] = ()  # offsets count from the first backfilled minute
    chunk_minutes: int = 360
    samu_per_request: int = 2
    concurrency: int = 2
    max_retries: int = 10
    timeout_s: float = 60.0
    # Agent token sent as `Authorization: Bearer …` (collector.agent_auth); never shown.
    auth_token: str = field(default="", repr=False)


@dataclass
class _Carry:
    """A series' cumulative value so far (a bucket vector and sum for histograms)."""

    value: NDArray[np.int64]
    hist_sum: float = 0.0


@dataclass
class _SamuState:
    carries: dict[SeriesId, _Carry] = field(default_factory=dict)


def backfill_window(now: float, days: float) -> tuple[int, int]:
    """The [first, end) minutes (epoch seconds) of a backfill ending at the last whole minute."""
    if not 0 < days <= MAX_DAYS:
        raise SimulatorError(
            f"--days must be within 0..{MAX_DAYS}: the collector refuses points older than "
            "35 days (late-data policy)"
        )
    end = int(now // 60 * 60)
    return end - round(days * 1440) * 60, end


class BackfillEncoder:
    """Steps the fleet chunk by chunk and encodes each SAMU group's cumulative points."""

    def __init__(
        self,
        samus: Sequence[SamuInfo],
        options: BackfillOptions,
        first_minute: int,
        end_minute: int,
        tally: Tally | None = None,
    ) -> None:
        ids = [s.id for s in samus]
        self.options, self.tally = options, tally
        self.first, self.end = first_minute, end_minute
        config = FleetConfig(
            seed=options.seed,
            surge=options.surge,
            probe_interval_s=options.probe_interval_s,
            heartbeat_interval_s=options.heartbeat_interval_s,
        )
        check_live(options.scenarios)
        self.fleet = Fleet(samus, Timeline(options.scenarios, float(first_minute), ids), config)
        self.instance = f"backfill-{options.seed}-{first_minute}"
        size = max(1, options.samu_per_request)
        self.groups = [ids[i : i + size] for i in range(0, len(ids), size)]
        self._state = {i: _SamuState() for i in ids}
        self.total_minutes = (end_minute - first_minute) // 60

    def requests(self) -> Iterator[EncodedRequest]:
        """Every request, chunk after chunk; within a group, in time order."""
        chunk = max(1, self.options.chunk_minutes)
        for begin in range(self.first, self.end, chunk * 60):
            n = min(chunk, (self.end - begin) // 60)
            minutes = begin + 60 * np.arange(n, dtype=np.int64)
            batches = self.fleet.step(minutes.astype(np.float64), 60.0)
            times = (minutes + POINT_OFFSET_S).astype(np.uint64) * np.uint64(NS)
            for g, group in enumerate(self.groups):
                bodies, points = [], 0
                for samu_id in group:
                    body, count = self._encode(batches[samu_id], minutes, times)
                    bodies.append(body)
                    points += count
                yield EncodedRequest(b"".join(bodies), points, g, begin + 60 * n)

    def _encode(
        self, batch: SamuBatch, minutes: NDArray[np.int64], times: NDArray[np.uint64]
    ) -> tuple[bytes, int]:
        state = self._state[batch.samu_id]
        start_ns = self.first * NS
        by_metric: dict[str, list[bytes]] = {}
        points = 0
        series_ids = sorted(set(state.carries) | set(batch.sums) | set(batch.hists))
        for series in series_ids:
            name, attributes = series
            if METRICS[name].kind == "histogram":
                encoded = self._histogram(batch, state, series, minutes, times, start_ns)
            else:
                encoded = self._sum(batch, state, series, minutes, times, start_ns)
            if encoded:
                by_metric.setdefault(name, []).append(encoded[0])
                points += encoded[1]
        for (name, attributes), values in sorted(batch.gauges.items()):
            by_metric.setdefault(name, []).append(
                wire.number_points(attributes, start_ns, times, values)
            )
            points += len(values)
        metrics = [
            wire.metric(name, METRICS[name].unit, METRICS[name].kind, b"".join(parts))
            for name, parts in by_metric.items()
        ]
        resource = (
            ("samu.id", batch.samu_id),
            ("service.instance.id", f"{self.instance}-{batch.samu_id[-3:]}"),
            ("service.name", SERVICE_NAME),
        )
        return wire.resource_metrics(resource, SCOPE, metrics), points

    def _sum(
        self,
        batch: SamuBatch,
        state: _SamuState,
        series: SeriesId,
        minutes: NDArray[np.int64],
        times: NDArray[np.uint64],
        start_ns: int,
    ) -> tuple[bytes, int] | None:
        increments = batch.sums.get(series, np.zeros(len(minutes), dtype=np.int64))
        carry = state.carries.get(series)
        base = int(carry.value[0]) if carry is not None else 0
        cumulative = base + np.cumsum(increments)
        first = 0 if carry is not None else int(np.argmax(cumulative > 0))
        if carry is None and not cumulative.any():
            return None
        state.carries[series] = _Carry(np.array([cumulative[-1]], dtype=np.int64))
        if self.tally is not None:
            nz = np.flatnonzero(increments)
            self.tally.add_sums(
                minutes[nz].tolist(), batch.samu_id, series, increments[nz].tolist()
            )
        body = wire.number_points(series[1], start_ns, times[first:], cumulative[first:])
        return body, len(minutes) - first

    def _histogram(
        self,
        batch: SamuBatch,
        state: _SamuState,
        series: SeriesId,
        minutes: NDArray[np.int64],
        times: NDArray[np.uint64],
        start_ns: int,
    ) -> tuple[bytes, int] | None:
        width = len(METRICS[series[0]].bounds) + 1
        empty = (np.zeros((len(minutes), width), dtype=np.int64), np.zeros(len(minutes)))
        counts, sums = batch.hists.get(series, empty)
        carry = state.carries.get(series) or _Carry(np.zeros(width, dtype=np.int64))
        cumulative = carry.value + np.cumsum(counts, axis=0)
        cum_sums = carry.hist_sum + np.cumsum(sums)
        totals = cumulative.sum(axis=1)
        if series not in state.carries and not totals.any():
            return None
        first = 0 if series in state.carries else int(np.argmax(totals > 0))
        state.carries[series] = _Carry(cumulative[-1].copy(), float(cum_sums[-1]))
        if self.tally is not None:
            for i in np.flatnonzero(counts.sum(axis=1)):
                self.tally.add_histogram(int(minutes[i]), batch.samu_id, series, counts[i].tolist())
        body = wire.histogram_points(
            series[1],
            start_ns,
            times[first:],
            cumulative[first:],
            cum_sums[first:],
            METRICS[series[0]].bounds,
        )
        return body, len(minutes) - first


def chunk_count(first_minute: int, end_minute: int, chunk_minutes: int) -> int:
    """How many chunks a backfill window takes (for progress)."""
    return math.ceil((end_minute - first_minute) / 60 / max(1, chunk_minutes))


@dataclass(frozen=True)
class Progress:
    """Where a running backfill is: model minutes encoded and what has been sent."""

    minutes_done: int
    minutes_total: int
    points_sent: int
    requests_sent: int
    elapsed_s: float


def run_backfill(
    endpoint: str,
    samus: Sequence[SamuInfo],
    options: BackfillOptions,
    clock: Clock,
    client: httpx.Client | None = None,
    tally: Tally | None = None,
    progress: Callable[[Progress], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> DeliveryReport:
    """Backfill `options.days` days up to the clock's last whole minute through the collector."""
    first, end = backfill_window(clock.now().timestamp(), options.days)
    encoder = BackfillEncoder(samus, options, first, end, tally)
    own = client is None
    http = client or httpx.Client(timeout=options.timeout_s)
    sender = Sender(endpoint, http, options.max_retries, sleep, token=options.auth_token)
    began = time.monotonic()

    def tracked() -> Iterator[EncodedRequest]:
        for request in encoder.requests():
            yield request
            if progress is not None:
                progress(
                    Progress(
                        (request.end_minute - first) // 60,
                        encoder.total_minutes,
                        sender.report.points,
                        sender.report.requests,
                        time.monotonic() - began,
                    )
                )

    try:
        return sender.deliver(tracked(), options.concurrency)
    finally:
        if own:
            http.close()
