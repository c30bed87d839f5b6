"""The SAMU registry: reference data for every departmental SAMU, loaded and validated at start."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal, NoReturn
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from store.errors import RegistryError
from store.yamldoc import YamlSyntaxError, load_document

ID_PREFIX = "fr.health.samu"
METROPOLITAN_ZONE = "Europe/Paris"
# Overseas SAMU keep local civil time, without DST.
OVERSEAS_ZONES = MappingProxyType(
    {
        "971": "America/Guadeloupe",
        "972": "America/Martinique",
        "973": "America/Cayenne",
        "974": "Indian/Reunion",
        "976": "Indian/Mayotte",
    }
)
_ID_RE = re.compile(r"fr\.health\.samu[0-9]{2}[0-9AB]")
# 01–95 without 20, Corsica 2A/2B, overseas 971–976 without 975.
_DEPARTMENT_RE = re.compile(r"0[1-9]|1[0-9]|2[1-9AB]|[3-8][0-9]|9[0-5]|97[1-46]")
# A metropolitan seat outside this box is likely a swapped or mistyped coordinate.
_MAINLAND_LAT = (41.0, 51.5)
_MAINLAND_LON = (-5.5, 10.0)
_MAX_SHOWN = 20


class UnknownSamu(RegistryError):
    """A SAMU id that the registry does not know."""


def samu_id(department: str) -> str:
    """The external id of the SAMU named after a department code ("75" → fr.health.samu075)."""
    return ID_PREFIX + department.rjust(3, "0")


def normalize_department(code: str) -> str:
    """A department code in canonical form ("1" → "01", "2a" → "2A")."""
    code = code.strip().upper()
    return code.rjust(2, "0") if code.isdigit() else code


@dataclass(frozen=True, slots=True)
class Samu:
    """One departmental SAMU (emergency medical call centre of the 15)."""

    id: str
    name: str
    departments: tuple[str, ...]
    region: str
    timezone: str
    lat: float
    lon: float
    backup_id: str
    daily_calls: int
    tile_row: int
    tile_col: int

    @property
    def department(self) -> str:
        """The department the SAMU is named after (its first code)."""
        return self.departments[0]

    @property
    def overseas(self) -> bool:
        """Whether the SAMU is in an overseas department."""
        return self.department.startswith("97")

    @property
    def zone(self) -> ZoneInfo:
        """The SAMU's local time zone."""
        return ZoneInfo(self.timezone)

    def to_dict(self) -> dict[str, Any]:
        """The SAMU in the shape of the registry data file (for JSON output)."""
        return {
            "id": self.id,
            "name": self.name,
            "departments": list(self.departments),
            "region": self.region,
            "timezone": self.timezone,
            "seat": {"lat": self.lat, "lon": self.lon},
            "backup": self.backup_id,
            "daily_calls": self.daily_calls,
            "tile": {"row": self.tile_row, "col": self.tile_col},
        }


class Registry:
    """The immutable set of known SAMU, by id and by department code."""

    __slots__ = ("_by_department", "_by_id")

    _by_id: MappingProxyType[str, Samu]
    _by_department: MappingProxyType[str, Samu]

    def __init__(self, samu: Iterable[Samu]) -> None:
        by_id: dict[str, Samu] = {}
        by_department: dict[str, Samu] = {}
        for s in samu:
            if s.id in by_id:
                raise RegistryError(f"duplicate SAMU id {s.id}")
            by_id[s.id] = s
            for code in s.departments:
                if code in by_department:
                    other = by_department[code].id
                    raise RegistryError(f"department {code} is in both {other} and {s.id}")
                by_department[code] = s
        for s in by_id.values():
            if s.backup_id not in by_id or s.backup_id == s.id:
                raise RegistryError(f"{s.id}: backup {s.backup_id} is unknown or itself")
        object.__setattr__(self, "_by_id", MappingProxyType(by_id))
        object.__setattr__(self, "_by_department", MappingProxyType(by_department))

    def __setattr__(self, name: str, value: object) -> NoReturn:
        raise AttributeError("Registry is immutable")

    def __contains__(self, samu_id: object) -> bool:
        return samu_id in self._by_id

    def __iter__(self) -> Iterator[Samu]:
        return iter(self._by_id.values())

    def __len__(self) -> int:
        return len(self._by_id)

    def __repr__(self) -> str:
        return f"Registry({len(self)} SAMU)"

    def ids(self) -> list[str]:
        """Every SAMU id, in file order."""
        return list(self._by_id)

    def get(self, samu_id: str) -> Samu | None:
        """The SAMU with this id, or None."""
        return self._by_id.get(samu_id)

    def require(self, samu_id: str) -> Samu:
        """The SAMU with this id; UnknownSamu if there is none."""
        found = self._by_id.get(samu_id)
        if found is not None:
            return found
        hint = ""
        by_code = self.by_department(samu_id) if len(samu_id) <= 3 else None
        if by_code is not None:
            hint = f"; did you mean {by_code.id}?"
        raise UnknownSamu(
            f"unknown SAMU id {samu_id!r} (ids look like {ID_PREFIX}075; "
            f"{len(self)} SAMU are known){hint}"
        )

    def by_department(self, code: str) -> Samu | None:
        """The SAMU that handles a department's calls ("90" → SAMU 25), or None."""
        return self._by_department.get(normalize_department(code))

    def backup_of(self, samu_id: str) -> Samu:
        """The SAMU that backs up this one for mutual support (entraide)."""
        return self._by_id[self.require(samu_id).backup_id]

    def backed_by(self, samu_id: str) -> list[Samu]:
        """The SAMU that this one backs up."""
        self.require(samu_id)
        return [s for s in self if s.backup_id == samu_id]

    def regions(self) -> dict[str, list[Samu]]:
        """SAMU grouped by region, regions in alphabetical order (accents ignored)."""
        groups: dict[str, list[Samu]] = {}
        for s in self:
            groups.setdefault(s.region, []).append(s)
        return {name: groups[name] for name in sorted(groups, key=_sort_key)}


def _sort_key(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().casefold()


# --- The data file: a strict, versioned spec, mapped once to the dataclasses above. ---


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class SeatSpec(_Strict):
    """Approximate coordinates of the SAMU seat, in degrees."""

    lat: float
    lon: float


class TileSpec(_Strict):
    """Position of the SAMU on the tile-grid map (row 0 = north, col 0 = west)."""

    row: int = Field(ge=0)
    col: int = Field(ge=0)


class SamuSpec(_Strict):
    """One entry of the registry data file."""

    id: str
    name: str = Field(min_length=1)
    departments: list[str] = Field(min_length=1)
    region: str = Field(min_length=1)
    timezone: str
    seat: SeatSpec
    backup: str
    daily_calls: int = Field(gt=0)
    tile: TileSpec


class RegistrySpec(_Strict):
    """The registry data file, version 1."""

    version: Literal[1]
    samu: list[SamuSpec] = Field(min_length=1)


def load_registry(path: Path | None = None) -> Registry:
    """Load and validate the SAMU registry from a file (default: the packaged samu.yaml)."""
    if path is None:
        text = resources.files("store.data").joinpath("samu.yaml").read_text(encoding="utf-8")
        return parse_registry(text, "store/data/samu.yaml")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RegistryError(f"{path}: cannot read the SAMU registry: {exc}") from exc
    return parse_registry(text, str(path))


def parse_registry(text: str, source: str = "<string>") -> Registry:
    """Validate registry YAML text; RegistryError names the source, entry, field and line."""
    data, lines = _parse_yaml(text, source)
    if data is None:
        _fail(source, ["the file is empty"])
    try:
        spec = RegistrySpec.model_validate(data)
    except ValidationError as exc:
        _fail(source, [_describe(err, data, lines) for err in exc.errors()])
    problems = _check(spec, lines)
    if problems:
        _fail(source, problems)
    return Registry(_to_samu(entry) for entry in spec.samu)


def _fail(source: str, problems: list[str]) -> NoReturn:
    count = f"{len(problems)} problem" + ("s" if len(problems) > 1 else "")
    shown = problems[:_MAX_SHOWN] + [f"… and {len(problems) - _MAX_SHOWN} more"] * (
        len(problems) > _MAX_SHOWN
    )
    raise RegistryError(f"{source}: invalid SAMU registry ({count}):\n  " + "\n  ".join(shown))


def _parse_yaml(text: str, source: str) -> tuple[Any, list[int]]:
    """The document and the 1-based line of each `samu` entry."""
    try:
        doc = load_document(text)
    except YamlSyntaxError as exc:
        where = f"{source}:{exc.line}:{exc.column}" if exc.line is not None else source
        raise RegistryError(f"{where}: YAML syntax error: {exc.problem}") from exc
    if doc is None:
        return None, []
    lines: list[int] = []
    while ("samu", len(lines)) in doc.lines:
        lines.append(doc.lines[("samu", len(lines))])
    return doc.data, lines


def _where(index: int, samu_id: object, lines: list[int]) -> str:
    label = f"samu[{index}]"
    if isinstance(samu_id, str):
        label += f" {samu_id}"
    if index < len(lines):
        label += f" (line {lines[index]})"
    return label


def _describe(err: Any, data: Any, lines: list[int]) -> str:
    loc: tuple[int | str, ...] = err["loc"]
    field = ".".join(str(part) for part in loc)
    prefix = ""
    if len(loc) >= 2 and loc[0] == "samu" and isinstance(loc[1], int):
        entries = data.get("samu") if isinstance(data, dict) else None
        entry = entries[loc[1]] if isinstance(entries, list) else None
        samu_id = entry.get("id") if isinstance(entry, dict) else None
        prefix = _where(loc[1], samu_id, lines) + ": "
        field = ".".join(str(part) for part in loc[2:]) or "entry"
    message = f"{prefix}{field or 'document'}: {err['msg']}"
    if err["type"] != "missing":
        message += f" (got {err.get('input')!r})"
    if loc[2:3] == ("departments",) and isinstance(err.get("input"), int):
        message += '; quote department codes, e.g. "01"'
    return message


def _check(spec: RegistrySpec, lines: list[int]) -> list[str]:
    """Every cross-field and cross-entry problem of a well-shaped spec."""
    problems: list[str] = []
    ids = Counter(entry.id for entry in spec.samu)
    seen_departments: dict[str, str] = {}
    seen_tiles: dict[tuple[int, int], str] = {}
    for index, entry in enumerate(spec.samu):
        where = _where(index, entry.id, lines)

        def bad(field: str, message: str, where: str = where) -> None:
            problems.append(f"{where}: {field}: {message}")

        if not _ID_RE.fullmatch(entry.id):
            bad("id", f"{entry.id!r} is not of the form {ID_PREFIX}075 / 02A / 971")
        elif ids[entry.id] > 1:
            bad("id", f"duplicate id {entry.id}")
        for code in entry.departments:
            if not _DEPARTMENT_RE.fullmatch(code):
                bad("departments", f"unknown department code {code!r}")
            elif code in seen_departments:
                bad("departments", f"department {code} is also in {seen_departments[code]}")
            else:
                seen_departments[code] = entry.id
        first = entry.departments[0]
        if _ID_RE.fullmatch(entry.id) and entry.id != samu_id(first):
            bad("id", f"{entry.id} does not match its first department {first!r}")
        problems.extend(f"{where}: {p}" for p in _check_place(entry, first))
        if entry.backup == entry.id:
            bad("backup", "a SAMU cannot back itself up")
        elif entry.backup not in ids:
            bad("backup", f"unknown SAMU {entry.backup!r}")
        tile = (entry.tile.row, entry.tile.col)
        if tile in seen_tiles:
            bad("tile", f"row {tile[0]} col {tile[1]} is already taken by {seen_tiles[tile]}")
        else:
            seen_tiles[tile] = entry.id
    return problems


def _check_place(entry: SamuSpec, first: str) -> list[str]:
    """Time-zone and coordinate problems of one entry."""
    problems: list[str] = []
    try:
        ZoneInfo(entry.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        problems.append(f"timezone: unknown IANA time zone {entry.timezone!r}")
    else:
        expected = OVERSEAS_ZONES.get(first, METROPOLITAN_ZONE)
        if _DEPARTMENT_RE.fullmatch(first) and entry.timezone != expected:
            problems.append(
                f"timezone: {entry.timezone} does not fit department {first} (expected {expected})"
            )
    lat, lon = entry.seat.lat, entry.seat.lon
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
        problems.append(f"seat: coordinates lat={lat}, lon={lon} out of range")
    elif not first.startswith("97") and not (
        _MAINLAND_LAT[0] <= lat <= _MAINLAND_LAT[1] and _MAINLAND_LON[0] <= lon <= _MAINLAND_LON[1]
    ):
        problems.append(
            f"seat: lat={lat}, lon={lon} is outside metropolitan France (swapped lat/lon?)"
        )
    return problems


def _to_samu(entry: SamuSpec) -> Samu:
    return Samu(
        id=entry.id,
        name=entry.name,
        departments=tuple(entry.departments),
        region=entry.region,
        timezone=entry.timezone,
        lat=entry.seat.lat,
        lon=entry.seat.lon,
        backup_id=entry.backup,
        daily_calls=entry.daily_calls,
        tile_row=entry.tile.row,
        tile_col=entry.tile.col,
    )
