"""An RFC 5545 calendar of a schedule's shifts, one VEVENT per shift (per person)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime

from alerts.oncall.schedule import Shift

_PRODID = "-//Vigie 15//on-call//FR"


def _stamp(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> list[str]:
    """Fold a content line at 75 octets (RFC 5545 §3.1), never inside a UTF-8 sequence."""
    out: list[str] = []
    current, size = "", 0
    for char in line:
        width = len(char.encode())
        if size + width > (75 if not out else 74):
            out.append(current)
            current, size = "", 0
        current += char
        size += width
    out.append(current)
    return [out[0], *(" " + part for part in out[1:])]


def calendar(
    schedule_id: str,
    schedule_name: str,
    shifts: Iterable[Shift],
    names: Mapping[str, str],
    generated_at: datetime,
) -> str:
    """The calendar text (CRLF line ends); a UID is stable for a shift's schedule, people, start."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{_PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{_escape('Astreinte ' + schedule_name)}",
    ]
    for shift in shifts:
        if not shift.people:
            continue
        who = ", ".join(names.get(p, p) for p in shift.people)
        uid = f"{schedule_id}-{'+'.join(shift.people)}-{_stamp(shift.start)}@vigie15"
        lines += [
            "BEGIN:VEVENT",
            f"UID:{_escape(uid)}",
            f"DTSTAMP:{_stamp(generated_at)}",
            f"DTSTART:{_stamp(shift.start)}",
            f"DTEND:{_stamp(shift.end)}",
            f"SUMMARY:{_escape(f'Astreinte {schedule_name} : {who}')}",
            "TRANSP:TRANSPARENT",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(part + "\r\n" for line in lines for part in _fold(line))
