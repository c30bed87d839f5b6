"""The alerts page's view model, pure: one row per alert (an alert routed to several receivers is
one row that lists them), grouped by SAMU and severity, filtered, sorted and cut in pages on the
server so that a thousand alerts cost one page of rows in the browser."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from alerts.oncall.incidents import Incident
from dashboards.i18n import alert_name, fmt, slo_name, t
from dashboards.ports import AlertView, GroupView
from store.registry import Registry

PAGE_SIZE = 50
SEVERITY_RANK = {"page": 0, "ticket": 1}
SORTS = ("urgency", "age", "samu", "name")


@dataclass(frozen=True)
class AlertRow:
    """One firing alert as its row shows it."""

    fingerprint: str
    labels: Mapping[str, str]
    samu: str  # id ('' for a platform alert)
    samu_name: str
    severity: str
    severity_text: str
    alertname: str
    title: str
    slo: str
    slo_text: str
    silenced: bool
    state_text: str
    starts_at: datetime
    since_text: str
    receivers: tuple[str, ...]
    incident: Incident | None


@dataclass(frozen=True)
class Filters:
    """What the person asked to see ('' = everything)."""

    samu: str = ""
    slo: str = ""
    severity: str = ""
    state: str = ""  # the incident's: "triggered", "acknowledged", or "none" (no incident)
    silenced: str = ""  # "yes" or "no"

    @classmethod
    def of(cls, values: Mapping[str, object]) -> Filters:
        return cls(**{k: str(values.get(k) or "") for k in cls.__dataclass_fields__})


@dataclass(frozen=True)
class AlertPage:
    """The rows of one page, in groups (SAMU, severity), and the counts around them."""

    groups: list[tuple[str, list[AlertRow]]]  # (group title, rows)
    total: int  # alerts held, before filters
    matching: int
    page: int  # 0-based, clamped
    pages: int


def rows_of(
    groups: Sequence[GroupView],
    incidents: Iterable[Incident],
    registry: Registry,
    now: datetime,
    lang: str,
) -> list[AlertRow]:
    """One row per alert fingerprint; its receivers and its open incident gathered from every
    group that holds it."""
    by_group = {(i.group_key, i.receiver): i for i in incidents}
    seen: dict[str, tuple[AlertView, list[str], list[Incident]]] = {}
    for g in groups:
        for a in g.alerts:
            _, receivers, found = seen.setdefault(a.fingerprint, (a, [], []))
            if g.receiver not in receivers:
                receivers.append(g.receiver)
            incident = by_group.get((g.key, g.receiver))
            if incident is not None and incident not in found:
                found.append(incident)
    f = fmt(lang)
    out = []
    for alert, receivers, found in seen.values():
        samu = alert.labels.get("samu", "")
        known = registry.get(samu) if samu else None
        severity = alert.labels.get("severity", "")
        slo = alert.labels.get("slo", "")
        silenced = alert.state != "active"
        out.append(
            AlertRow(
                fingerprint=alert.fingerprint,
                labels=alert.labels,
                samu=samu,
                samu_name=known.name if known else (samu or t("alerts.platform", lang)),
                severity=severity,
                severity_text=t(f"severity.{severity}", lang)
                if f"severity.{severity}" in _SEVERITIES
                else severity,
                alertname=alert.labels.get("alertname", ""),
                title=alert_name(alert.labels.get("alertname", ""), lang),
                slo=slo,
                slo_text=slo_name(slo, lang) if slo else t("none", lang),
                silenced=silenced,
                state_text=t("alerts.suppressed" if silenced else "alerts.active", lang),
                starts_at=alert.starts_at,
                since_text=t("alerts.since", lang).format(d=f.duration(now - alert.starts_at)),
                receivers=tuple(sorted(receivers)),
                incident=min(found, key=lambda i: i.opened_at) if found else None,
            )
        )
    return out


_SEVERITIES = {"severity.page", "severity.ticket", "severity.info", "severity.none"}


def keep(row: AlertRow, f: Filters) -> bool:
    """Whether a row passes the filters."""
    state = row.incident.state if row.incident is not None else "none"
    return (
        (not f.samu or row.samu == f.samu)
        and (not f.slo or row.slo == f.slo)
        and (not f.severity or row.severity == f.severity)
        and (not f.state or state == f.state)
        and (not f.silenced or (f.silenced == "yes") == row.silenced)
    )


def ordered(rows: Iterable[AlertRow], sort: str, desc: bool = False) -> list[AlertRow]:
    """Rows sorted for display; groups (SAMU, severity) stay together, urgent groups first."""

    def group_key(r: AlertRow) -> tuple[int, int, str]:
        return (r.silenced, SEVERITY_RANK.get(r.severity, 9), r.samu_name)

    inner = {
        "urgency": lambda r: (r.starts_at.timestamp(), r.fingerprint),
        "age": lambda r: (r.starts_at.timestamp(), r.fingerprint),
        "samu": lambda r: (r.samu_name, r.fingerprint),
        "name": lambda r: (r.title, r.fingerprint),
    }.get(sort, lambda r: (r.starts_at.timestamp(), r.fingerprint))
    rows = sorted(rows, key=inner, reverse=desc)
    if sort == "samu":
        return sorted(rows, key=lambda r: (r.samu_name, SEVERITY_RANK.get(r.severity, 9)))
    return sorted(rows, key=group_key)  # stable: keeps the inner order inside a group


def page_of(
    rows: Sequence[AlertRow],
    filters: Filters,
    sort: str,
    desc: bool,
    page: int,
    lang: str,
    size: int = PAGE_SIZE,
) -> AlertPage:
    """Filter, sort, cut one page and group it by (SAMU, severity)."""
    matching = ordered((r for r in rows if keep(r, filters)), sort, desc)
    pages = max(1, -(-len(matching) // size))
    page = min(max(page, 0), pages - 1)
    shown = matching[page * size : (page + 1) * size]
    counts: dict[tuple[str, str, bool], int] = {}
    for r in matching:
        counts[(r.samu, r.severity, r.silenced)] = (
            counts.get((r.samu, r.severity, r.silenced), 0) + 1
        )
    grouped: list[tuple[str, list[AlertRow]]] = []
    last: tuple[str, str, bool] | None = None
    for r in shown:
        key = (r.samu, r.severity, r.silenced)
        if key != last:
            title = t("alerts.group", lang).format(
                samu=r.samu_name, severity=r.severity_text, n=counts[key]
            )
            if r.silenced:
                title += f" · {t('alerts.suppressed', lang)}"
            grouped.append((title, []))
            last = key
        grouped[-1][1].append(r)
    return AlertPage(grouped, len(rows), len(matching), page, pages)


def choices(rows: Sequence[AlertRow], lang: str) -> dict[str, list[dict[str, str]]]:
    """The options of each filter: the SAMU and SLO present, the severities, states, silenced."""
    everything = {"label": t("filter.all", lang), "value": ""}
    samu = sorted({(r.samu_name, r.samu) for r in rows})
    slo = sorted({(r.slo_text, r.slo) for r in rows if r.slo})
    severity = sorted({(r.severity_text, r.severity) for r in rows}, key=lambda p: p[1])
    return {
        "samu": [everything, *({"label": n, "value": v} for n, v in samu)],
        "slo": [everything, *({"label": n, "value": v} for n, v in slo)],
        "severity": [everything, *({"label": n, "value": v} for n, v in severity)],
        "state": [
            everything,
            {"label": t("incident.triggered", lang), "value": "triggered"},
            {"label": t("incident.acknowledged", lang), "value": "acknowledged"},
            {"label": t("incident.none", lang), "value": "none"},
        ],
        "silenced": [
            everything,
            {"label": t("filter.yes", lang), "value": "yes"},
            {"label": t("filter.no", lang), "value": "no"},
        ],
    }
