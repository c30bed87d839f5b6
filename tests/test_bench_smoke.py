"""The benchmark harness runs end to end in its tiny mode (figures not asserted: no timing)."""

from __future__ import annotations

from pathlib import Path

from bench.figure import Figure
from bench.ingest import percentile
from bench.run_all import run_all, table


def test_the_quick_ingest_benchmark_writes_a_table_and_stores_exactly_what_was_accepted(
    tmp_path: Path,
) -> None:
    output = tmp_path / "benchmarks.md"
    text = run_all(quick=True, output=output, modules=("bench.ingest",))
    assert output.read_text() == text
    rows = [line for line in text.splitlines() if line.startswith("| ") and "---" not in line]
    # The header, eight throughput figures (small requests included), three per open-loop
    # level (1×, 10×, 30×), peak memory and the exact count.
    assert len(rows) == 1 + 8 + 3 * 3 + 2
    (exact,) = [row for row in rows if row.startswith("| points in the store")]
    assert "= 1 exactly ✓" in exact


def test_a_table_row_shows_a_missed_target_and_the_ratio_to_its_baseline() -> None:
    figure = Figure("ingest", 30_000.0, "points/s", "≥ 60,000", "insert 75,000/s", 0.4, False)
    row = table([(figure, "2025-01-01", "2 × cpu")]).splitlines()[2]
    assert row == (
        "| ingest | 30,000 | points/s | ≥ 60,000 ✗ not met | insert 75,000/s | 0.40 "
        "| 2025-01-01 | 2 × cpu |"
    )


def test_percentiles_are_taken_by_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert (percentile(values, 0.5), percentile(values, 0.99), percentile(values, 1.0)) == (
        50.0,
        99.0,
        100.0,
    )
