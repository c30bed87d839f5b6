"""What people do from the UI: acknowledge, unacknowledge, silence, expire a silence.

Each action checks the caller's role (on-call) and SAMU scope here, then goes through the
alerting or on-call service, which audits it. Answers are short texts for the status region.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from alerts.errors import AlertsError
from alerts.matchers import Matcher, MatchType
from dashboards import rights
from dashboards.i18n import PARIS, t
from dashboards.ports import UiServices
from people.authz import Action
from people.model import Principal
from store.durations import parse_duration

_PAIR = re.compile(r"^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*\"?([^\"]+?)\"?\s*$")


class ActionRefused(Exception):
    """The action cannot be done; the message says why (shown to the person)."""


@dataclass(frozen=True)
class Outcome:
    """What an action did: its message and whether the page should re-read its data."""

    message: str
    changed: bool


def parse_matchers(text: str, lang: str = "fr") -> dict[str, str]:
    """`samu=fr.health.samu075, alertname=NoData` → equality matchers (ActionRefused if bad)."""
    out: dict[str, str] = {}
    for part in filter(None, (p.strip() for p in (text or "").split(","))):
        found = _PAIR.match(part)
        if found is None:
            raise ActionRefused(t("action.bad_labels", lang).format(part=part))
        out[found.group(1)] = found.group(2)
    if not out:
        raise ActionRefused(t("action.no_labels", lang))
    return out


def parse_end(text: str, now: datetime, lang: str = "fr") -> datetime:
    """An end time: a duration from now (`2h`, `30m`) or a Paris time `YYYY-MM-DD HH:MM`."""
    value = (text or "").strip()
    try:
        if value and value[-1] in "smhdw" and value[:-1].isdigit():
            end = now + parse_duration(value)
        else:
            end = datetime.strptime(value, "%Y-%m-%d %H:%M").replace(tzinfo=PARIS)
    except (ValueError, AlertsError):
        raise ActionRefused(t("action.bad_end", lang).format(value=value)) from None
    if end <= now:
        raise ActionRefused(t("action.end_past", lang))
    if end - now > timedelta(days=30):
        raise ActionRefused(t("action.end_far", lang))
    return end


def _require(who: Principal, lang: str, resource: str) -> None:
    """The resource's change rule (people.authz): on-call for incidents and silences."""
    if not rights.may(who, resource, Action.CHANGE):
        raise ActionRefused(t("action.denied", lang))


def _equal(matchers: Mapping[str, str]) -> list[Matcher]:
    return [Matcher(MatchType.EQUAL, k, v) for k, v in sorted(matchers.items())]


def incident_action(
    services: UiServices, who: Principal, target: str, source: str, lang: str
) -> Outcome:
    """`<incident id>|ack` or `|unack`: through the on-call service (audited there)."""
    _require(who, lang, "incident")
    incident_id, _, action = target.rpartition("|")
    if action not in ("ack", "unack"):
        raise ActionRefused(t("action.refused", lang).format(detail=action))
    mine = {i.id: i for i in services.incidents.open_incidents()}
    incident = mine.get(incident_id)
    if incident is None or rights.incident_refusal(who, incident) is not None:
        raise ActionRefused(t("action.out_of_scope", lang))
    try:
        done = services.incidents.act(incident_id, action, who.name, source)
    except AlertsError as exc:
        raise ActionRefused(t("action.refused", lang).format(detail=exc)) from None
    except LookupError as exc:  # the engine's API (a `vigie ui` process) refused or is down
        raise ActionRefused(t("action.remote", lang).format(detail=exc)) from None
    state = t(f"incident.{done.state}", lang)
    return Outcome(f"{t('alerts.incident', lang)} {done.id} : {state}", True)


def create_silence(
    services: UiServices, who: Principal, fields: Mapping[str, str], source: str, lang: str
) -> Outcome:
    """A silence from the form; a SAMU manager's may match only their SAMU (people.authz)."""
    _require(who, lang, "silence")
    matchers = parse_matchers(fields.get("matchers", ""), lang)
    if rights.matchers_refusal(who, _equal(matchers), services.registry.ids()) is not None:
        raise ActionRefused(t("action.scope_samu", lang))
    comment = (fields.get("comment") or "").strip()
    if not comment:
        raise ActionRefused(t("action.comment", lang))
    end = parse_end(fields.get("ends", ""), services.clock.now(), lang)
    try:
        sid = services.alerting.create_silence(matchers, end, comment, who.name, source)
    except AlertsError as exc:
        raise ActionRefused(t("action.refused", lang).format(detail=exc)) from None
    except LookupError as exc:  # the engine's API (a `vigie ui` process) refused or is down
        raise ActionRefused(t("action.remote", lang).format(detail=exc)) from None
    return Outcome(f"{t('silence.title', lang)} {sid} : {t('action.done', lang)}", True)


QUICK_SILENCE = timedelta(hours=2)


def silence_alert(
    services: UiServices, who: Principal, fingerprint: str, source: str, lang: str
) -> Outcome:
    """Silence one alert for two hours from its row: its name, SAMU and SLO as matchers."""
    _require(who, lang, "silence")
    found = next(
        (a for g in services.alerting.groups() for a in g.alerts if a.fingerprint == fingerprint),
        None,
    )
    if found is None:
        raise ActionRefused(t("action.silence_scope", lang))
    matchers = {k: found.labels[k] for k in ("alertname", "samu", "slo") if found.labels.get(k)}
    if rights.matchers_refusal(who, _equal(matchers), services.registry.ids()) is not None:
        raise ActionRefused(t("action.silence_scope", lang))
    end = services.clock.now() + QUICK_SILENCE
    try:
        sid = services.alerting.create_silence(
            matchers, end, t("silence.quick", lang), who.name, source
        )
    except AlertsError as exc:
        raise ActionRefused(t("action.refused", lang).format(detail=exc)) from None
    except LookupError as exc:  # the engine's API (a `vigie ui` process) refused or is down
        raise ActionRefused(t("action.remote", lang).format(detail=exc)) from None
    return Outcome(f"{t('silence.title', lang)} {sid} : {t('action.done', lang)}", True)


def expire_silence(
    services: UiServices, who: Principal, silence_id: str, source: str, lang: str
) -> Outcome:
    """End a silence now; a SAMU manager may only end silences that can match only their SAMU."""
    _require(who, lang, "silence")
    found = {s.id: s for s in services.alerting.silences()}.get(silence_id)
    if found is None or rights.silence_refusal(who, found, services.registry.ids()) is not None:
        raise ActionRefused(t("action.silence_scope", lang))
    try:
        services.alerting.expire_silence(silence_id, who.name, source)
    except AlertsError as exc:
        raise ActionRefused(t("action.refused", lang).format(detail=exc)) from None
    except LookupError as exc:  # the engine's API (a `vigie ui` process) refused or is down
        raise ActionRefused(t("action.remote", lang).format(detail=exc)) from None
    return Outcome(f"{t('silence.expire', lang)} {silence_id} : {t('action.done', lang)}", True)
