"""The SAMU registry: the shipped reference data, strict validation of data files, the CLI."""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from store.errors import RegistryError
from store.registry import Registry, Samu, UnknownSamu, load_registry, parse_registry, samu_id
from vigie.commands.samu_cmds import samu as samu_group

EXPECTED_DEPARTMENTS = (
    {f"{n:02d}" for n in range(1, 96) if n != 20}
    | {"2A", "2B"}
    | {"971", "972", "973", "974", "976"}
)


@pytest.fixture(scope="module")
def shipped() -> Registry:
    return load_registry()


# --- The shipped data file -------------------------------------------------------------------


def test_the_shipped_file_has_one_samu_per_department_except_belfort(shipped: Registry) -> None:
    assert len(shipped) == 100
    codes = [code for s in shipped for code in s.departments]
    assert all(type(code) is str for code in codes)
    assert set(codes) == EXPECTED_DEPARTMENTS
    assert [code for code, n in Counter(codes).items() if n > 1] == []


def test_belfort_is_handled_by_besancon(shipped: Registry) -> None:
    besancon = shipped.require("fr.health.samu025")
    assert besancon.departments == ("25", "90")
    assert shipped.by_department("90") == besancon
    assert "fr.health.samu090" not in shipped


def test_every_id_follows_the_hub_naming_of_its_first_department(shipped: Registry) -> None:
    assert all(s.id == samu_id(s.department) for s in shipped)
    assert {"fr.health.samu075", "fr.health.samu02A", "fr.health.samu02B", "fr.health.samu976"} <= (
        set(shipped.ids())
    )


@pytest.mark.parametrize(
    ("department", "zone", "hours"),
    [
        ("971", "America/Guadeloupe", -4),
        ("972", "America/Martinique", -4),
        ("973", "America/Cayenne", -3),
        ("974", "Indian/Reunion", 4),
        ("976", "Indian/Mayotte", 3),
    ],
)
def test_overseas_samu_keep_a_fixed_offset_without_dst(
    shipped: Registry, department: str, zone: str, hours: int
) -> None:
    s = shipped.by_department(department)
    assert s is not None and s.overseas and s.timezone == zone
    for month in (1, 7):
        moment = datetime(2025, month, 15, 12, tzinfo=s.zone)
        assert moment.utcoffset() == timedelta(hours=hours)
        assert moment.dst() == timedelta(0)


def test_metropolitan_samu_follow_paris_time(shipped: Registry) -> None:
    metropolitan = [s for s in shipped if not s.overseas]
    assert len(metropolitan) == 95
    assert {s.timezone for s in metropolitan} == {"Europe/Paris"}


def test_every_backup_is_another_known_samu_of_the_same_region(shipped: Registry) -> None:
    for s in shipped:
        backup = shipped.backup_of(s.id)
        assert backup.id != s.id
        if not s.overseas:
            assert backup.region == s.region, s.id


@pytest.mark.parametrize(
    ("department", "backup"),
    [("971", "972"), ("972", "971"), ("973", "972"), ("974", "976"), ("976", "974")],
)
def test_overseas_samu_are_backed_up_across_the_sea(
    shipped: Registry, department: str, backup: str
) -> None:
    assert shipped.backup_of(samu_id(department)).id == samu_id(backup)


def test_tiles_are_unique_and_laid_out_like_france(shipped: Registry) -> None:
    tiles = [(s.tile_row, s.tile_col) for s in shipped]
    assert len(set(tiles)) == len(tiles)
    mainland = [s for s in shipped if not s.overseas and s.region != "Corse"]
    assert max(s.tile_row for s in mainland) <= 11 and max(s.tile_col for s in mainland) <= 12
    tile = {s.department: (s.tile_row, s.tile_col) for s in shipped}
    assert tile["59"][0] < tile["75"][0] < tile["13"][0]  # Lille, Paris, Marseille: north to south
    assert tile["29"][1] < tile["75"][1] < tile["67"][1]  # Brest, Paris, Strasbourg: west to east
    corsica = [s for s in shipped if s.region == "Corse"]
    assert min(s.tile_col for s in corsica) > max(s.tile_col for s in mainland)
    overseas = [s for s in shipped if s.overseas]
    assert min(s.tile_row for s in overseas) > max(s.tile_row for s in mainland)
    assert max(s.tile_col for s in overseas) < tile["75"][1]


def test_daily_calls_add_up_to_the_national_volume(shipped: Registry) -> None:
    total = sum(s.daily_calls for s in shipped)
    assert 75_000 <= total <= 90_000
    paris = shipped.require("fr.health.samu075")
    assert paris.daily_calls == max(s.daily_calls for s in shipped)
    for big in ("13", "69", "59", "33", "31", "06", "92", "93", "94", "38"):
        assert 1_200 <= shipped.by_department(big).daily_calls <= 1_600, big  # type: ignore[union-attr]
    for small in ("48", "23", "15", "04", "05", "09", "52", "55"):
        assert 250 <= shipped.by_department(small).daily_calls <= 450, small  # type: ignore[union-attr]


# --- The Registry API ------------------------------------------------------------------------


def test_lookups_by_id_and_by_department(shipped: Registry) -> None:
    paris = shipped.get("fr.health.samu075")
    assert paris is not None and paris.name == "SAMU 75 – Paris" and paris.department == "75"
    assert "fr.health.samu075" in shipped and "fr.health.samu999" not in shipped
    assert shipped.get("fr.health.samu999") is None
    assert next(iter(shipped)).id == shipped.ids()[0] == "fr.health.samu001"
    assert shipped.by_department("2a") == shipped.get("fr.health.samu02A")
    assert shipped.by_department("1") == shipped.get("fr.health.samu001")
    assert shipped.by_department("20") is None
    assert shipped.by_department("975") is None


def test_require_names_the_unknown_id_and_suggests_the_right_one(shipped: Registry) -> None:
    with pytest.raises(
        UnknownSamu, match=r"unknown SAMU id '75'.*did you mean fr\.health\.samu075"
    ):
        shipped.require("75")
    with pytest.raises(RegistryError, match=r"fr\.health\.samu999"):
        shipped.backup_of("fr.health.samu999")


def test_backed_by_is_the_inverse_of_backup_of(shipped: Registry) -> None:
    for s in shipped:
        assert s in shipped.backed_by(s.backup_id)
    assert {s.id for s in shipped.backed_by("fr.health.samu972")} == {
        "fr.health.samu971",
        "fr.health.samu973",
    }


def test_regions_group_every_samu_once(shipped: Registry) -> None:
    regions = shipped.regions()
    assert len(regions) == 18  # 13 metropolitan regions + 5 overseas
    assert [s.id for s in regions["Corse"]] == ["fr.health.samu02A", "fr.health.samu02B"]
    assert sum(len(members) for members in regions.values()) == len(shipped)
    assert list(regions)[:2] == ["Auvergne-Rhône-Alpes", "Bourgogne-Franche-Comté"]


def test_registry_and_samu_are_immutable(shipped: Registry) -> None:
    paris = shipped.require("fr.health.samu075")
    with pytest.raises(dataclasses.FrozenInstanceError):
        paris.daily_calls = 0  # type: ignore[misc]
    with pytest.raises(AttributeError):
        shipped._by_id = {}  # type: ignore[assignment]
    shipped.regions()["Corse"].clear()
    assert len(shipped.regions()["Corse"]) == 2


def test_a_registry_built_by_hand_refuses_an_unknown_backup() -> None:
    lone = Samu(
        "fr.health.samu075",
        "SAMU 75",
        ("75",),
        "Île-de-France",
        "Europe/Paris",
        48.86,
        2.35,
        "fr.health.samu092",
        1900,
        0,
        0,
    )
    with pytest.raises(RegistryError, match="backup"):
        Registry([lone])


# --- Broken data files -----------------------------------------------------------------------


def _entry(department: str, backup: str, row: int, **changes: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": samu_id(department),
        "name": f"SAMU {department}",
        "departments": [department],
        "region": "Île-de-France",
        "timezone": "Europe/Paris",
        "seat": {"lat": 48.86, "lon": 2.35},
        "backup": samu_id(backup),
        "daily_calls": 1000,
        "tile": {"row": row, "col": 0},
    }
    entry.update(changes)
    return entry


def _document() -> dict[str, Any]:
    """A small valid registry: Paris and Hauts-de-Seine backing each other up."""
    return {"version": 1, "samu": [_entry("75", "92", 0), _entry("92", "75", 1)]}


def _write(tmp_path: Path, document: dict[str, Any]) -> Path:
    path = tmp_path / "samu.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), "utf-8")
    return path


def _second(**changes: Any) -> Callable[[dict[str, Any]], None]:
    def mutate(document: dict[str, Any]) -> None:
        document["samu"][1].update(changes)

    return mutate


def _append(entry: dict[str, Any]) -> Callable[[dict[str, Any]], None]:
    return lambda document: document["samu"].append(entry)


BROKEN: list[tuple[str, Callable[[dict[str, Any]], None], str]] = [
    ("an id without the hub prefix", _second(id="samu092"), r"samu\[1\].*id: 'samu092' is not"),
    ("a duplicate id", _second(id="fr.health.samu075", departments=["75"]), "duplicate id"),
    ("an id that is not its first department", _second(departments=["91"]), "does not match"),
    (
        "a department in two SAMU",
        _append(_entry("91", "75", 2, departments=["91", "92"])),
        "department 92 is also in fr.health.samu092",
    ),
    ("department 20", _append(_entry("20", "75", 2)), "unknown department code '20'"),
    ("department 975", _append(_entry("975", "75", 2)), "unknown department code '975'"),
    ("an unquoted department code", _second(departments=[92]), "quote department codes"),
    ("an unknown time zone", _second(timezone="Europe/Nowhere"), "unknown IANA time zone"),
    (
        "an overseas SAMU on Paris time",
        _append(_entry("971", "75", 2, seat={"lat": 16.2, "lon": -61.5})),
        r"timezone: Europe/Paris does not fit.*America/Guadeloupe",
    ),
    ("a latitude beyond the pole", _second(seat={"lat": 148.8, "lon": 2.2}), "out of range"),
    ("swapped coordinates", _second(seat={"lat": 2.2, "lon": 48.8}), "outside metropolitan"),
    ("an unknown backup", _second(backup="fr.health.samu093"), "unknown SAMU 'fr.health.samu093'"),
    ("a SAMU backing itself up", _second(backup="fr.health.samu092"), "cannot back itself up"),
    ("two SAMU on one tile", _second(tile={"row": 0, "col": 0}), "taken by fr.health.samu075"),
    ("zero daily calls", _second(daily_calls=0), r"daily_calls: Input should be greater than 0"),
    ("negative daily calls", _second(daily_calls=-5), "daily_calls"),
    ("an unknown field", _second(phone="+33 1 23 45 67 89"), r"phone: Extra inputs"),
    ("a missing field", lambda d: d["samu"][1].pop("region"), r"samu\[1\] .*092.*region"),
    ("an unknown version", lambda d: d.update(version=2), "version"),
    ("no SAMU at all", lambda d: d.update(samu=[]), "samu"),
]


@pytest.mark.parametrize(
    ("mutate", "message"), [(m, msg) for _, m, msg in BROKEN], ids=[name for name, _, _ in BROKEN]
)
def test_a_broken_file_is_refused_with_the_entry_and_field(
    tmp_path: Path, mutate: Callable[[dict[str, Any]], None], message: str
) -> None:
    document = _document()
    mutate(document)
    path = _write(tmp_path, document)
    with pytest.raises(RegistryError, match=message) as caught:
        load_registry(path)
    assert str(path) in str(caught.value)


def test_the_small_valid_file_loads(tmp_path: Path) -> None:
    registry = load_registry(_write(tmp_path, _document()))
    assert registry.ids() == ["fr.health.samu075", "fr.health.samu092"]


def test_errors_name_the_line_of_the_entry(tmp_path: Path) -> None:
    document = _document()
    document["samu"][1]["daily_calls"] = 0
    text = yaml.safe_dump(document, sort_keys=False)
    line = text.splitlines().index("- id: fr.health.samu092") + 1
    with pytest.raises(RegistryError, match=rf"fr\.health\.samu092 \(line {line}\)"):
        parse_registry(text, "x.yaml")


def test_every_problem_is_reported_at_once() -> None:
    document = _document()
    document["samu"][0]["backup"] = "fr.health.samu075"
    document["samu"][1]["timezone"] = "Mars/Olympus"
    with pytest.raises(RegistryError, match=r"\(2 problems\)"):
        parse_registry(yaml.safe_dump(document))


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("version: 1\nsamu:\n  - id: [unclosed\n", "bad.yaml:4:1"),
        ("version: 1\nsamu:\n - id: a\n  name: b\n", "bad.yaml:4:3"),
        ("version: 1\n\tsamu: []\n", "bad.yaml:2:1"),
    ],
    ids=["an unclosed flow sequence", "a bad indentation", "a tab"],
)
def test_yaml_syntax_errors_give_the_file_and_line(text: str, where: str) -> None:
    with pytest.raises(RegistryError, match=rf"{where}: YAML syntax error"):
        parse_registry(text, "bad.yaml")


def test_an_empty_or_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(RegistryError, match="invalid SAMU registry"):
        parse_registry("", "empty.yaml")
    with pytest.raises(RegistryError, match="cannot read"):
        load_registry(tmp_path / "absent.yaml")


# --- The CLI -----------------------------------------------------------------------------------


def _run(*args: str) -> Any:
    return CliRunner().invoke(samu_group, list(args))


def test_samu_list_prints_every_samu_and_the_national_total(shipped: Registry) -> None:
    result = _run("list")
    assert result.exit_code == 0, result.output
    assert "SAMU 75 – Paris" in result.output and "fr.health.samu976" in result.output
    total = sum(s.daily_calls for s in shipped)
    assert result.output.rstrip().endswith(f"100 SAMU, {total:,} calls a day in total")


def test_samu_list_filters_a_region_as_json() -> None:
    result = _run("list", "--region", "corse", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert [row["id"] for row in rows] == ["fr.health.samu02A", "fr.health.samu02B"]
    assert rows[0]["departments"] == ["2A"] and rows[0]["backup"] == "fr.health.samu02B"


def test_samu_list_refuses_an_unknown_region() -> None:
    result = _run("list", "--region", "Atlantis")
    assert result.exit_code == 2
    assert "unknown region 'Atlantis'" in result.output and "Bretagne" in result.output


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("fr.health.samu075", "fr.health.samu075"),
        ("075", "fr.health.samu075"),
        ("90", "fr.health.samu025"),
        ("2a", "fr.health.samu02A"),
    ],
)
def test_samu_show_finds_a_samu_by_id_or_department(key: str, expected: str) -> None:
    result = _run("show", key, "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["id"] == expected


def test_samu_show_prints_the_backup_both_ways() -> None:
    result = _run("show", "fr.health.samu972")
    assert result.exit_code == 0, result.output
    assert "America/Martinique (overseas, no DST)" in result.output
    assert "backed up by: fr.health.samu971" in result.output
    assert "backs up:     fr.health.samu971, fr.health.samu973" in result.output


def test_samu_show_refuses_an_unknown_id_with_a_usage_error() -> None:
    result = _run("show", "fr.health.samu020")
    assert result.exit_code == 2
    assert "unknown SAMU 'fr.health.samu020'" in result.output


def test_the_registry_option_reads_another_file(tmp_path: Path) -> None:
    path = _write(tmp_path, _document())
    result = _run("list", "--registry", str(path), "--format", "json")
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.output)) == 2
    broken = _document()
    broken["samu"][1]["backup"] = "fr.health.samu092"
    result = _run("show", "75", "--registry", str(_write(tmp_path, broken)))
    assert result.exit_code == 1
    assert "cannot back itself up" in result.output
