"""The plan of migration waves as people write it (YAML), strict: an unknown key is an error.

    version: 1
    waves:
      - id: vague-4
        title: "Vague 4 : Grand Est"
        night: {start: 2026-11-17T22:00:00+01:00, end: 2026-11-18T06:00:00+01:00}
        approved_by: ANS, directeur des opérations
        from: hebergement-regional     # default of the SAMU below
        to: cloud-souverain
        samu:
          - fr.health.samu054
          - {id: fr.health.samu057, from: datacentre-metz}

A CSV plan has one row per SAMU (columns in `CSV_COLUMNS`); `waves.plan` reads both into the
same specs, then maps them once to `waves.model.Wave`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

CSV_COLUMNS = ("wave", "title", "night_start", "night_end", "approved_by", "samu", "from", "to")
CSV_OPTIONAL = ("reason",)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("needs a UTC offset, e.g. 2026-11-17T22:00:00+01:00")
    return value


class NightSpec(_Strict):
    """When the SAMU are moved: a planned maintenance window."""

    start: datetime
    end: datetime

    _check = field_validator("start", "end")(_aware)


class MoveSpec(_Strict):
    """One SAMU of a wave; `from`/`to` default to the wave's."""

    id: str = Field(min_length=1)
    source: str | None = Field(None, alias="from", min_length=1)
    target: str | None = Field(None, alias="to", min_length=1)


class WaveSpec(_Strict):
    """One wave: its SAMU, its night, who approved it, the platforms moved from and to."""

    id: str = Field(min_length=1)
    title: str = ""
    night: NightSpec
    approved_by: str = Field(min_length=1)
    reason: str = ""
    source: str | None = Field(None, alias="from", min_length=1)
    target: str | None = Field(None, alias="to", min_length=1)
    samu: list[str | MoveSpec] = Field(min_length=1)


class PlanSpec(_Strict):
    """A plan file: a version and its waves."""

    version: Literal[1]
    waves: list[WaveSpec] = Field(min_length=1)
