"""bench/storage.py runs end to end in its tiny mode, and `--only` replaces its rows in
docs/benchmarks.md without touching the other benchmarks' (figures not asserted: no timing)."""

from __future__ import annotations

import shutil
import sys
import types
from pathlib import Path

import pytest

from bench.figure import Figure
from bench.run_all import HEADER, run_only

ROOT = Path(__file__).resolve().parents[1]


def _rows(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("| ") and line != HEADER[0]]


def test_the_quick_storage_benchmark_replaces_only_its_own_rows(tmp_path: Path) -> None:
    output = tmp_path / "benchmarks.md"
    shutil.copy(ROOT / "docs" / "benchmarks.md", output)
    others = [
        r
        for r in _rows(output.read_text())
        if not r.startswith(("| storage:", "| S3 backup", "| restore drill"))
    ]
    text = run_only(quick=True, output=output, modules=["bench.storage"])
    rows = _rows(text)
    assert rows[: len(others)] == others  # the other benchmarks' rows, as they were
    mine = rows[len(others) :]
    assert [r for r in mine if r.startswith("| storage: one `points` row")]
    (drill,) = [r for r in mine if r.startswith("| restore drill")]
    assert "passes ✓" in drill  # the drill restored the backup and found every figure equal
    (incremental,) = [r for r in mine if r.startswith("| S3 backup, incremental")]
    assert "< full" in incremental


def test_only_replaces_a_modules_rows_and_note_never_duplicates_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = types.ModuleType("bench_fake")
    fake.PREFIXES = ("fake:",)  # type: ignore[attr-defined]
    fake.NOTES = "**Fake** (`bench_fake`). Its method."  # type: ignore[attr-defined]
    fake.run = lambda quick: [Figure("fake: one", 1.0, "s")]  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "bench_fake", fake)
    output = tmp_path / "benchmarks.md"
    shutil.copy(ROOT / "docs" / "benchmarks.md", output)
    before = _rows(output.read_text())
    once = run_only(quick=True, output=output, modules=["bench_fake"])
    twice = run_only(quick=True, output=output, modules=["bench_fake"])
    assert _rows(once) == _rows(twice) == [*before, _rows(once)[-1]]
    assert twice.count("**Fake**") == 1
