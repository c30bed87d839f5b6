"""The dispatch benchmark runs end to end in its quick mode (its figures mean nothing there)."""

from __future__ import annotations

import re

from bench.dispatch import alert_labels, run, tree_text


def test_the_benchmark_tree_has_every_grouping_wait_at_zero() -> None:
    waits = re.findall(r"group_wait: (\S+)", tree_text())
    assert waits and set(waits) == {"0s"}


def test_the_alerts_cover_every_samu_slo_and_severity() -> None:
    labels = alert_labels(100)
    assert len(labels) == 800
    assert len({(x["samu"], x["slo"], x["severity"]) for x in labels}) == 800


def test_the_quick_run_notifies_every_latency_alert() -> None:
    figures = run(quick=True)
    assert len(figures) == 5
    assert all(f.value == f.value and f.value > 0 for f in figures)  # no NaN, no zero
    assert "n=20" in figures[3].benchmark
