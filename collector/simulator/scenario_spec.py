"""The user-facing scenario spec (CLI string or YAML file) and its one mapping to `Scenario`.

CLI form: `KIND:TARGETS@WHEN/DURATION[,name=value…]`, e.g.
`outage:fr.health.samu075@+10m/15m`, `trunk:013@+5m/20m,fraction=0.3`,
`migration:001,002,003@+0m/90m,step=20m,outage=5m`, `surge:*@+0m/2h,factor=1.5`.
TARGETS are SAMU ids (a bare `075` means `fr.health.samu075`) or `*`; WHEN is `+OFFSET` from the
start of the simulation or an ISO 8601 instant with its UTC offset. YAML form:

    version: 1
    scenarios:
      - {kind: outage, samu: [fr.health.samu075], at: +10m, duration: 15m}
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from collector.conventions import SAMU_ID_PATTERN
from collector.simulator.errors import ScenarioError
from collector.simulator.scenarios import (
    ALL_SAMU,
    DELIVERY_KINDS,
    PARAMETERS,
    Scenario,
    ScenarioKind,
)
from store import durations
from store.yamldoc import YamlDocument, YamlSyntaxError, format_path, load_document

_FRACTIONS = {"fraction", "flap"}
_DURATIONS = {"ramp", "step", "outage", "shift", "delay"}


class ScenarioSpec(BaseModel):
    """One scenario as a user writes it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: ScenarioKind
    samu: list[str]
    at: str
    duration: str
    params: dict[str, float | str] = {}


class ScenarioFile(BaseModel):
    """A scenario file: a version and a list of scenarios."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: Literal[1]
    scenarios: list[ScenarioSpec]


def parse_duration(text: str) -> float:
    """Seconds in '90s', '15m', '2h', '1d', '1h30m' (store.durations' SHORTHAND; a bare number
    is seconds)."""
    text = text.strip()
    try:
        return float(text)
    except ValueError:
        pass
    try:
        return durations.parse_duration(text, durations.SHORTHAND).total_seconds()
    except durations.DurationError:
        raise ScenarioError(f"bad duration {text!r} (use e.g. 90s, 15m, 2h, 1d, 1h30m)") from None


def samu_id(text: str) -> str:
    """A SAMU id, completing a bare department-like code ('075' → 'fr.health.samu075')."""
    text = text.strip()
    full = text if text.startswith("fr.health.") else f"fr.health.samu{text.removeprefix('samu')}"
    if text != ALL_SAMU and not SAMU_ID_PATTERN.fullmatch(full):
        raise ScenarioError(f"{text!r} is not a SAMU id (expected e.g. fr.health.samu075 or 075)")
    return text if text == ALL_SAMU else full


def to_scenario(spec: ScenarioSpec) -> Scenario:
    """The one mapping from the user spec to the model, validating values with their meaning."""
    where = f"scenario {spec.kind}"
    if not spec.samu:
        raise ScenarioError(f"{where}: no target SAMU")
    at = spec.at.strip()
    absolute = not at.startswith("+")
    if absolute:
        try:
            instant = datetime.fromisoformat(at)
        except ValueError as exc:
            raise ScenarioError(f"{where}: bad start {at!r} (use +10m or an ISO instant)") from exc
        if instant.tzinfo is None:
            raise ScenarioError(f"{where}: start {at!r} needs a UTC offset, e.g. +02:00")
        at_s = instant.timestamp()
    else:
        at_s = parse_duration(at[1:])
    duration = parse_duration(spec.duration)
    if duration <= 0:
        raise ScenarioError(f"{where}: the duration must be positive")
    return Scenario(
        kind=spec.kind,
        samu_ids=tuple(samu_id(s) for s in spec.samu),
        at_s=at_s,
        duration_s=duration,
        params=tuple(sorted(_params(spec.kind, spec.params, where).items())),
        absolute=absolute,
    )


def _params(kind: str, given: dict[str, float | str], where: str) -> dict[str, float]:
    allowed = PARAMETERS[kind]
    out: dict[str, float] = {}
    for name, raw in given.items():
        if name not in allowed:
            known = ", ".join(sorted(allowed)) or "none"
            raise ScenarioError(f"{where}: unknown parameter {name!r} (known: {known})")
        value = parse_duration(str(raw)) if name in _DURATIONS else _number(raw, where, name)
        if name in _FRACTIONS and not 0.0 <= value <= 1.0:
            hint = f" (looks like a percentage: use {value / 100:g})" if value <= 100 else ""
            raise ScenarioError(f"{where}: {name}={value:g} must be within 0..1{hint}")
        if value < 0:
            raise ScenarioError(f"{where}: {name} must not be negative")
        out[name] = value
    return out


def _number(raw: float | str, where: str, name: str) -> float:
    try:
        return float(raw)
    except ValueError as exc:
        raise ScenarioError(f"{where}: {name}={raw!r} is not a number") from exc


def parse_scenario(text: str) -> Scenario:
    """Parse the CLI form `KIND:TARGETS@WHEN/DURATION[,name=value…]`."""
    kind, sep, rest = text.partition(":")
    targets, sep2, timing = rest.partition("@")
    if not sep or not sep2 or "/" not in timing:
        raise ScenarioError(f"bad scenario {text!r}: expected KIND:SAMU[,SAMU…]@+START/DURATION")
    when_duration, *pairs = timing.split(",")
    when, _, duration = when_duration.rpartition("/")
    params: dict[str, float | str] = {}
    for pair in pairs:
        name, eq, value = pair.partition("=")
        if not eq:
            raise ScenarioError(f"bad scenario {text!r}: parameter {pair!r} is not name=value")
        params[name.strip()] = value.strip()
    if kind.strip() not in PARAMETERS:
        known = ", ".join(PARAMETERS)
        raise ScenarioError(f"bad scenario {text!r}: unknown kind {kind!r} (known: {known})")
    try:
        spec = ScenarioSpec(
            kind=kind.strip(),
            samu=[t for t in targets.split(",") if t.strip()],
            at=when,
            duration=duration,
            params=params,
        )
    except ValidationError as exc:
        raise ScenarioError(f"bad scenario {text!r}: {exc.errors()[0]['msg']}") from exc
    return to_scenario(spec)


def load_scenarios(path: Path) -> list[Scenario]:
    """Scenarios from a YAML file (store.yamldoc); every error names the file, line and item."""
    try:
        doc = load_document(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"{path}: cannot read: {exc}") from exc
    except YamlSyntaxError as exc:
        where = f"{path}:{exc.line}" if exc.line is not None else str(path)
        raise ScenarioError(f"{where}: invalid YAML: {exc.problem}") from exc
    if doc is None:
        raise ScenarioError(f"{path}: empty file (expected version: 1 and scenarios)")
    try:
        data = ScenarioFile.model_validate(doc.data)
    except ValidationError as exc:
        raise ScenarioError("\n".join(_problem(path, doc, e) for e in exc.errors())) from exc
    out: list[Scenario] = []
    for i, spec in enumerate(data.scenarios):
        try:
            out.append(to_scenario(spec))
        except ScenarioError as exc:
            line = doc.line_of(("scenarios", i))
            raise ScenarioError(f"{path}:{line}: scenarios[{i}]: {exc}") from exc
    return out


def _problem(path: Path, doc: YamlDocument, error: Any) -> str:
    loc = tuple(p for p in error["loc"] if isinstance(p, str | int))
    message = "unknown key" if error["type"] == "extra_forbidden" else error["msg"]
    return f"{path}:{doc.line_of(loc) or doc.line}: {format_path(loc) or 'document'}: {message}"


def check_targets(scenarios: Iterable[Scenario], known: Iterable[str]) -> None:
    """Refuse scenarios aimed at SAMU that are not simulated."""
    known_ids = set(known)
    for s in scenarios:
        missing = [t for t in s.samu_ids if t != ALL_SAMU and t not in known_ids]
        if missing:
            raise ScenarioError(f"scenario {s.label()}: not simulated: {', '.join(missing)}")


def check_live(scenarios: Iterable[Scenario]) -> None:
    """Refuse the kinds the live OTLP agent cannot play (a collector restart, late delivery):
    the history writer of `vigie slo backtest --seed` and the benchmarks play them."""
    for s in scenarios:
        if s.kind in DELIVERY_KINDS:
            raise ScenarioError(
                f"scenario {s.label()}: {s.kind!r} changes how telemetry reaches the collector; "
                "it is played by `vigie slo backtest --seed`, not by the live simulator"
            )
