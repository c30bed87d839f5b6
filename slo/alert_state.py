"""The engine's alerts: statuses and guard findings in, label sets out, diffed tick to tick.

Every alert is a label set the alerts package routes without knowing SLOs. A new or resolved
alert is handed to the sink at once; every held alert is handed again every `resend_every`
(Alertmanager's own clients resend, so a restarted pipeline learns what fires).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Protocol

from alerts.model import Alert, fingerprint
from slo.evaluate import SloStatus
from slo.guards import Finding
from slo.windows import format_duration


class AlertSink(Protocol):
    """Where firing and resolved alerts go (the alert pipeline's `put`)."""

    def put(self, alerts: list[Alert]) -> None: ...


class CollectingSink:
    """An AlertSink that keeps every alert it was handed (tests, backtests, dry runs)."""

    def __init__(self) -> None:
        self.alerts: list[Alert] = []

    def put(self, alerts: list[Alert]) -> None:
        self.alerts.extend(alerts)


def _worst_component(st: SloStatus) -> str:
    bad = {c: t.bad for c, t in st.components.items() if c and t.bad > 0}
    return max(bad, key=lambda c: bad[c]) if bad else ""


class AlertState:
    """The alerts firing now, and what changed since the last tick."""

    def __init__(
        self,
        sink: AlertSink,
        regions: Mapping[str, str],
        generator_url: str = "",
        resend_every: timedelta = timedelta(minutes=1),
    ) -> None:
        self._sink = sink
        self._regions = regions
        self._generator_url = generator_url
        self._resend_every = resend_every
        self._active: dict[int, Alert] = {}
        self._last_sent: datetime | None = None

    def labels_for(self, f: Finding) -> dict[str, str]:
        labels = {"alertname": f.alertname, "severity": f.severity, **f.labels}
        if f.samu:
            labels["samu"] = f.samu
            if f.samu in self._regions:
                labels["region"] = self._regions[f.samu]
        return labels

    def _desired(
        self, statuses: Sequence[SloStatus], findings: Sequence[Finding]
    ) -> dict[int, tuple[dict[str, str], dict[str, str]]]:
        out: dict[int, tuple[dict[str, str], dict[str, str]]] = {}
        for st in statuses:
            by_severity: dict[str, list[str]] = {}
            for c in st.conditions:
                by_severity.setdefault(c.severity, []).append(
                    f"{c.pair}: burn {c.long_burn:.1f} over {format_duration(c.long_window)}, "
                    f"{c.short_burn:.1f} over {format_duration(c.short_window)} (> {c.factor:g})"
                )
            for severity, lines in by_severity.items():
                f = Finding("SLOBurnRate", st.samu, severity, {"slo": st.slo})  # type: ignore[arg-type]
                labels = self.labels_for(f)
                notes = {"summary": "; ".join(lines)}
                worst = _worst_component(st)
                if worst:
                    notes["component"] = worst
                out[fingerprint(labels)] = (labels, notes)
        for f in findings:
            labels = self.labels_for(f)
            out[fingerprint(labels)] = (labels, dict(f.annotations))
        return out

    def update(
        self, now: datetime, statuses: Sequence[SloStatus], findings: Sequence[Finding]
    ) -> tuple[tuple[Alert, ...], tuple[Alert, ...]]:
        """(firing now, handed to the sink now): resolved alerts end, new ones start."""
        desired = self._desired(statuses, findings)
        changed: list[Alert] = []
        for key, alert in list(self._active.items()):
            if key not in desired:
                changed.append(
                    Alert(
                        alert.labels, alert.starts_at, now, alert.annotations, alert.generator_url
                    )
                )
                del self._active[key]
        for key, (labels, notes) in desired.items():
            old = self._active.get(key)
            alert = Alert(labels, old.starts_at if old else now, None, notes, self._generator_url)
            self._active[key] = alert
            if old is None:
                changed.append(alert)
        resend = self._last_sent is None or now - self._last_sent >= self._resend_every
        sent = (
            changed
            if not resend
            else [*changed, *(a for a in self._active.values() if a not in changed)]
        )
        if resend:
            self._last_sent = now
        if sent:
            self._sink.put(list(sent))
        return tuple(self._active.values()), tuple(sent)
