"""A plan file (YAML or CSV) → validated waves, every problem as `file:line: path: reason`.

Both forms become the same data with the line of every value (`store.yamldoc` for YAML; the row
of each value for CSV), are validated by the strict spec (`waves.plan_spec`), then mapped once
to `waves.model.Wave` with the checks that need the SAMU registry and the whole plan: unknown
SAMU ids are refused (with the id that was probably meant), a SAMU is not moved twice in
overlapping nights, a wave id is not used twice. All problems are reported at once.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import UTC
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from store.yamldoc import YamlPath, YamlSyntaxError, format_path, load_document
from waves.errors import PlanError
from waves.model import ID_PATTERN, Move, Wave
from waves.plan_spec import CSV_COLUMNS, CSV_OPTIONAL, MoveSpec, PlanSpec, WaveSpec

BUSY_NIGHT = 10  # the platform's largest waves move ten SAMU in one night (DOMAIN.md)


@dataclass(frozen=True)
class Plan:
    """The waves of a plan file, and warnings that do not stop the import."""

    waves: tuple[Wave, ...]
    warnings: tuple[str, ...] = ()


@dataclass
class _Doc:
    """Plan data with the line of every path (YAML keys and items, or CSV rows)."""

    file: str
    data: Any
    lines: dict[YamlPath, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def line(self, path: YamlPath) -> int:
        for end in range(len(path), -1, -1):
            if path[:end] in self.lines:
                return self.lines[path[:end]]
        return 1

    def fail(self, path: YamlPath, message: str, line: int | None = None) -> None:
        where = f"{format_path(path)}: " if path else ""
        self.problems.append(f"{self.file}:{line or self.line(path)}: {where}{message}")


def _resolve(loc: Sequence[str | int], data: Any) -> YamlPath:
    """A pydantic error location as a path in the data (union member names dropped)."""
    out: list[str | int] = []
    node = data
    for part in loc:
        inside = isinstance(node, list) and isinstance(part, int) and part < len(node)
        if not inside and not (isinstance(node, dict) and part in node):
            continue
        node = node[part]
        out.append(part)
    return tuple(out)


def _yaml(text: str, file: str) -> _Doc:
    try:
        doc = load_document(text)
    except YamlSyntaxError as exc:
        raise PlanError(f"{file}:{exc.line or 1}: invalid YAML: {exc.problem}") from None
    if doc is None:
        raise PlanError(f"{file}:1: the plan is empty")
    out = _Doc(file, doc.data, dict(doc.lines))
    for path, line in doc.duplicates:
        out.problems.append(f"{file}:{line}: {format_path(path)}: key written twice")
    return out


def _csv(text: str, file: str) -> _Doc:
    """CSV rows (`,` or `;`, UTF-8 with or without BOM) as the data of a YAML plan."""
    text = text.removeprefix("\ufeff")
    first = text.split("\n", 1)[0]
    reader = csv.DictReader(
        io.StringIO(text), delimiter=";" if first.count(";") > first.count(",") else ","
    )
    doc = _Doc(file, {"version": 1, "waves": []}, {(): 1})
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in CSV_COLUMNS if c not in header]
    unknown = [c for c in header if c not in (*CSV_COLUMNS, *CSV_OPTIONAL)]
    if missing or unknown:
        parts = [f"missing column(s) {', '.join(missing)}"] if missing else []
        parts += [f"unknown column(s) {', '.join(unknown)}"] if unknown else []
        raise PlanError(f"{file}:1: {'; '.join(parts)} (columns: {', '.join(CSV_COLUMNS)})")
    waves: dict[str, int] = {}
    for row in reader:
        line = reader.line_num
        cells = {(k or "").strip(): (v or "").strip() for k, v in row.items() if k}
        if not any(cells.values()):
            continue
        wid = cells["wave"]
        if wid not in waves:
            waves[wid] = len(doc.data["waves"])
            doc.data["waves"].append({"id": wid, "samu": []})
            doc.lines[("waves", waves[wid])] = line
        i = waves[wid]
        wave = doc.data["waves"][i]
        for column, key in (
            ("title", ("title",)),
            ("night_start", ("night", "start")),
            ("night_end", ("night", "end")),
            ("approved_by", ("approved_by",)),
            ("reason", ("reason",)),
        ):
            value = cells.get(column, "")
            if not value:
                continue
            target = wave.setdefault("night", {}) if len(key) == 2 else wave
            known = target.get(key[-1])
            if known is not None and known != value:
                seen = doc.lines[("waves", i, *key)]
                doc.fail(
                    ("waves", i, *key), f"{value!r} differs from {known!r} on line {seen}", line
                )
                continue
            target[key[-1]] = value
            doc.lines.setdefault(("waves", i, *key), line)
        j = len(wave["samu"])
        wave["samu"].append({"id": cells["samu"], "from": cells["from"], "to": cells["to"]})
        doc.lines[("waves", i, "samu", j)] = line
    return doc


def read_plan(path: Path) -> _Doc:
    """The plan file's data and lines (by extension: .yaml/.yml or .csv)."""
    suffix = path.suffix.lower()
    if suffix not in (".yaml", ".yml", ".csv"):
        raise PlanError(f"{path}: a plan is a .yaml, .yml or .csv file")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PlanError(f"{path}: cannot read the plan: {exc}") from None
    return _csv(text, str(path)) if suffix == ".csv" else _yaml(text, str(path))


def _suggest(text: str, known: Collection[str]) -> str:
    tail = text.strip().lower().removeprefix("samu")
    found = sorted(s for s in known if tail and s.lower().endswith(tail))
    return f" (did you mean {found[0]}?)" if len(found) == 1 else ""


def _moves(doc: _Doc, i: int, spec: WaveSpec, known: Collection[str]) -> list[Move]:
    moves: list[Move] = []
    seen: set[str] = set()
    for j, item in enumerate(spec.samu):
        entry = item if isinstance(item, MoveSpec) else MoveSpec(id=item)
        where: YamlPath = ("waves", i, "samu", j)
        source, target = entry.source or spec.source, entry.target or spec.target
        if entry.id in seen:
            doc.fail(where, f"{entry.id} is already in this wave")
        elif entry.id not in known:
            doc.fail(where, f"unknown SAMU id {entry.id!r}{_suggest(entry.id, known)}")
        elif source is None or target is None:
            doc.fail(where, "the platform it moves from and to (from, to) is required")
        elif source == target:
            doc.fail(where, f"moves from {source!r} to the same platform")
        else:
            moves.append(Move(entry.id, source, target))
        seen.add(entry.id)
    return moves


def _wave(doc: _Doc, i: int, spec: WaveSpec, known: Collection[str]) -> Wave | None:
    before = len(doc.problems)
    if not ID_PATTERN.fullmatch(spec.id):
        doc.fail(("waves", i, "id"), "letters, digits, '.', '_' or '-' (at most 64)")
    start, end = spec.night.start.astimezone(UTC), spec.night.end.astimezone(UTC)
    if end <= start:
        doc.fail(("waves", i, "night", "end"), "the night ends before it starts")
    elif (end - start).total_seconds() > 86400:
        doc.fail(("waves", i, "night", "end"), "a migration night lasts at most 24 h")
    moves = _moves(doc, i, spec, known)
    if len(doc.problems) > before:
        return None
    title = spec.title or f"Migration {spec.id}"
    return Wave(spec.id, title, start, end, spec.approved_by, tuple(moves), spec.reason)


def _across(doc: _Doc, waves: Sequence[tuple[int, Wave]], warnings: list[str]) -> None:
    """Checks across waves: ids used once, a SAMU not moved in two overlapping nights."""
    seen: dict[str, int] = {}
    for i, w in waves:
        if w.id in seen:
            doc.fail(
                ("waves", i, "id"),
                f"wave {w.id} is already defined on line {doc.line(('waves', seen[w.id]))}",
            )
        seen.setdefault(w.id, i)
        if len(w.moves) > BUSY_NIGHT:
            where = f"{doc.file}:{doc.line(('waves', i))}"
            warnings.append(
                f"{where}: wave {w.id} moves {len(w.moves)} SAMU in one night "
                f"(the largest waves so far moved {BUSY_NIGHT})"
            )
    for n, (_, a) in enumerate(waves):
        for k, b in waves[n + 1 :]:
            if a.starts_at < b.ends_at and b.starts_at < a.ends_at:
                for s in sorted(set(a.samu_ids) & set(b.samu_ids)):
                    doc.fail(
                        ("waves", k), f"{s} is also moved by wave {a.id} in an overlapping night"
                    )


def load_plan(path: Path, known: Collection[str]) -> Plan:
    """The waves of the plan at `path`, their SAMU checked against `known` registry ids;
    PlanError with every problem (`file:line: path: reason`) when any is invalid."""
    doc = read_plan(path)
    return plan_of(doc, known)


def plan_of(doc: _Doc, known: Collection[str]) -> Plan:
    """Validate and map plan data (see `load_plan`)."""
    spec: PlanSpec | None = None
    try:
        spec = PlanSpec.model_validate(doc.data)
    except ValidationError as exc:
        for err in exc.errors():
            doc.fail(_resolve(err["loc"], doc.data), err["msg"])
    warnings: list[str] = []
    mapped: list[tuple[int, Wave]] = []
    if spec is not None:
        mapped = [(i, w) for i, ws in enumerate(spec.waves) if (w := _wave(doc, i, ws, known))]
        _across(doc, mapped, warnings)
    if doc.problems:
        raise PlanError(
            f"{doc.file}: {len(doc.problems)} problem(s)\n" + "\n".join(doc.problems),
            tuple(doc.problems),
        )
    return Plan(tuple(w for _, w in mapped), tuple(warnings))


def plan_text(text: str, file: str, known: Collection[str]) -> Plan:
    """A plan given as text (the API's body): YAML, or CSV when `file` ends with .csv."""
    doc = _csv(text, file) if file.lower().endswith(".csv") else _yaml(text, file)
    return plan_of(doc, known)
