"""French by default, English on request: every UI text by key, and times in Europe/Paris.

Times are stored in UTC and shown in Europe/Paris; an overseas SAMU also shows its own local
time (no DST there), because the people on its floor read their own clock.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

Lang = Literal["fr", "en"]
LANGS: tuple[Lang, ...] = ("fr", "en")
PARIS = ZoneInfo("Europe/Paris")

_TEXTS: dict[str, tuple[str, str]] = {
    "app.title": ("Vigie 15", "Vigie 15"),
    "skip": ("Aller au contenu", "Skip to content"),
    "nav.label": ("Navigation principale", "Main navigation"),
    "nav.national": ("Vue nationale", "National view"),
    "nav.alerts": ("Alertes", "Alerts"),
    "nav.wall": ("Mode mur", "Wall mode"),
    "nav.reports": ("Rapports", "Reports"),
    "lang.switch": ("English", "Français"),
    "lang.label": ("Langue", "Language"),
    "national.title": ("Vue nationale", "National view"),
    "kpi.now": ("Établissement des appels (5 min)", "Call setup success (5 min)"),
    "kpi.window": ("Établissement des appels (28 j)", "Call setup success (28 d)"),
    "kpi.budget": ("Budget d'erreur restant", "Error budget left"),
    "kpi.pages": ("Alertes d'astreinte actives", "Active pages"),
    "kpi.calls": ("Appels / min (habituel à cette heure)", "Calls / min (usual this hour)"),
    "kpi.states": ("SAMU par état", "SAMU by state"),
    "map.title": ("Carte des SAMU", "SAMU map"),
    "map.kind": ("Type de carte", "Map type"),
    "map.tiles": ("Tuiles", "Tiles"),
    "map.geo": ("Géographique", "Geographic"),
    "map.hint": ("Cliquez un SAMU pour ouvrir sa page.", "Click a SAMU to open its page."),
    "risk.title": ("SAMU par risque", "SAMU by risk"),
    "risk.all": ("Afficher les {n} SAMU", "Show all {n} SAMU"),
    "risk.fewer": ("Afficher les plus à risque seulement", "Show the most at risk only"),
    "entraide.title": ("Entraide : état des SAMU de secours", "Mutual support: backup SAMU"),
    "entraide.none": ("Aucun SAMU dégradé.", "No degraded SAMU."),
    "col.samu": ("SAMU", "SAMU"),
    "col.region": ("Région", "Region"),
    "col.state": ("État", "State"),
    "col.burn": ("Combustion 1 h", "Burn 1 h"),
    "col.budget": ("Budget restant", "Budget left"),
    "col.exhaustion": ("Épuisement dans", "Exhausted in"),
    "col.sli": ("SLI 28 j", "SLI 28 d"),
    "col.backup": ("SAMU de secours", "Backup SAMU"),
    "col.backup_state": ("État du secours", "Backup state"),
    "state.page": ("Alerte d'astreinte", "Page firing"),
    "state.burning": ("Budget en combustion", "Burning budget"),
    "state.no_data": ("Pas de données", "No data"),
    "state.maintenance": ("En maintenance", "In maintenance"),
    "state.ok": ("Normal", "OK"),
    "samu.back": ("← Vue nationale", "← National view"),
    "samu.local": ("heure locale", "local time"),
    "samu.sli": ("Taux d'établissement des appels et objectif", "Call setup success and objective"),
    "samu.budget": ("Budget d'erreur sur la fenêtre", "Error budget over the window"),
    "samu.burns": ("Taux de combustion par fenêtre d'alerte", "Burn rate per alert window"),
    "samu.calls": ("Appels par minute et référence", "Calls per minute and baseline"),
    "samu.alerts": ("Alertes actives et astreinte", "Active alerts and on call"),
    "samu.unknown": ("SAMU inconnu ou hors de votre périmètre.", "Unknown SAMU or outside scope."),
    "fig.objective": ("objectif", "objective"),
    "fig.sli": ("SLI horaire", "hourly SLI"),
    "fig.remaining": ("budget restant", "budget left"),
    "fig.calls": ("appels / min", "calls / min"),
    "fig.baseline": ("habituel (4 semaines)", "usual (4 weeks)"),
    "fig.incident": ("incident", "incident"),
    "fig.maintenance": ("maintenance", "maintenance"),
    "alerts.title": ("Alertes", "Alerts"),
    "alerts.groups": (
        "Alertes actives, groupées comme routées",
        "Active alerts, grouped as routed",
    ),
    "alerts.none": ("Aucune alerte active.", "No active alert."),
    "alerts.ack": ("Prendre en compte", "Acknowledge"),
    "alerts.unack": ("Annuler la prise en compte", "Unacknowledge"),
    "alerts.incident": ("Incident", "Incident"),
    "alerts.suppressed": ("mise en sourdine", "suppressed"),
    "alerts.active": ("active", "active"),
    "alerts.oncall": ("Astreinte", "On call"),
    "alerts.now": ("maintenant", "now"),
    "alerts.next": ("ensuite", "next"),
    "alerts.receiver": ("destinataire", "receiver"),
    "silence.title": ("Mises en sourdine", "Silences"),
    "silence.matchers": ("Étiquettes (samu=…, alertname=…)", "Labels (samu=…, alertname=…)"),
    "silence.ends": (
        "Fin (heure de Paris, AAAA-MM-JJ HH:MM)",
        "End (Paris time, YYYY-MM-DD HH:MM)",
    ),
    "silence.comment": ("Commentaire", "Comment"),
    "silence.create": ("Créer la mise en sourdine", "Create silence"),
    "silence.expire": ("Expirer", "Expire"),
    "silence.none": ("Aucune mise en sourdine.", "No silence."),
    "action.denied": ("Action réservée au rôle astreinte.", "This needs the on-call role."),
    "action.done": ("Fait.", "Done."),
    "wall.updated": ("Mis à jour", "Updated"),
    "wall.trouble": ("SAMU en difficulté", "SAMU in trouble"),
    "reports.title": ("Rapport mensuel de disponibilité", "Monthly availability report"),
    "reports.month": ("Mois (heure de Paris)", "Month (Paris time)"),
    "reports.summary": ("Synthèse nationale", "National summary"),
    "reports.availability": ("Disponibilité nationale (S1)", "National availability (S1)"),
    "reports.budget": ("Budget d'erreur consommé", "Error budget consumed"),
    "reports.incidents": ("Incidents", "Incidents"),
    "reports.minutes_down": ("Minutes d'indisponibilité", "Minutes unavailable"),
    "reports.samu_met": ("SAMU respectant l'objectif", "SAMU meeting the objective"),
    "reports.samu_missed": ("manqué", "missed"),
    "reports.samu_no_data": ("sans données", "without data"),
    "reports.completeness": ("Complétude des données", "Data completeness"),
    "reports.met": ("objectif atteint", "objective met"),
    "reports.missed": ("objectif manqué", "objective missed"),
    "reports.no_data": (
        "Données manquantes : aucune donnée enregistrée pour ce mois, aucune disponibilité "
        "n'est calculée.",
        "Missing data: nothing was stored for this month, no availability is computed.",
    ),
    "reports.issued_version": ("Émis, version {v}", "Issued, version {v}"),
    "reports.not_issued": (
        "Pas encore émis (le premier téléchargement l'émet)",
        "Not issued yet (the first download issues it)",
    ),
    "reports.downloads": ("Téléchargements", "Downloads"),
    "reports.daily": ("CSV journalier", "Daily CSV"),
    "reports.manifest": ("Manifeste signé", "Signed manifest"),
    "reports.public_key": ("Clé publique", "Public key"),
    "reports.issue": ("Émettre le rapport", "Issue the report"),
    "reports.verify": ("Vérifier", "Verify"),
    "reports.issued": ("Rapport émis (version {v}).", "Report issued (version {v})."),
    "reports.verified": (
        "Vérifié : {n} fichiers de la version {v} conformes au manifeste signé. "
        "Empreinte de la clé : {fp}",
        "Verified: {n} files of version {v} match the signed manifest. Key fingerprint: {fp}",
    ),
    "reports.failed": ("Échec de la vérification : {detail}", "Verification failed: {detail}"),
    "reports.refused": ("Refusé : {detail}", "Refused: {detail}"),
    "reports.denied": (
        "Action réservée aux rôles rapporteur ou administrateur.",
        "This needs the reporter or admin role.",
    ),
    "none": ("—", "—"),
}


def t(key: str, lang: str = "fr") -> str:
    """The text of `key` in `lang` (French for an unknown language; the key if unknown)."""
    pair = _TEXTS.get(key)
    if pair is None:
        return key
    return pair[1] if lang == "en" else pair[0]


def text_keys() -> list[str]:
    """Every text key (tests check both languages are filled)."""
    return list(_TEXTS)


def lang_of(value: object) -> Lang:
    """A supported language from a stored or query value; French otherwise."""
    return "en" if value == "en" else "fr"


def paris(at: datetime, fmt: str = "%d/%m %H:%M") -> str:
    """An instant in Europe/Paris civil time."""
    return at.astimezone(PARIS).strftime(fmt)


def local(at: datetime, zone: str, fmt: str = "%H:%M") -> str:
    """An instant in a SAMU's own time zone with its UTC offset, e.g. `09:05 (UTC−04:00)`."""
    here = at.astimezone(ZoneInfo(zone))
    offset = here.strftime("%z")
    sign = "−" if offset.startswith("-") else "+"
    return f"{here.strftime(fmt)} (UTC{sign}{offset[1:3]}:{offset[3:5]})"


def percent(value: float | None, digits: int = 2) -> str:
    """A fraction as a French-style percentage (`99,95 %`); an em dash for no data."""
    if value is None:
        return "—"
    return f"{value * 100:.{digits}f} %".replace(".", ",")


def number(value: float | None, digits: int = 1) -> str:
    """A number with a decimal comma; an em dash for no data."""
    if value is None:
        return "—"
    return f"{value:.{digits}f}".replace(".", ",")


def duration(value: timedelta | None) -> str:
    """A duration in its two largest units (`3 j 4 h`, `2 h 05 min`); an em dash for none."""
    if value is None:
        return "—"
    minutes = int(value.total_seconds() // 60)
    days, rest = divmod(minutes, 1440)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days} j {hours} h"
    if hours:
        return f"{hours} h {mins:02d} min"
    return f"{mins} min"
